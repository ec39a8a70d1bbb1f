"""compare: one row per model under one budget, a record per model, every table written; chance levels."""

import dataclasses
import json

import numpy as np
import pytest

from workbench.commands.terminal import print_comparison
from workbench.engine import TrainConfig, compare
from workbench.metrics import HEADLINE, chance_miou, comparison_table, evaluate
from workbench.records import export_table, read_comparison, read_table_csv


@pytest.mark.slow
def test_tiny_compare_writes_tables_and_one_record_per_model(tmp_path, tiny_data):
    config = TrainConfig(epochs=1, batch_size=4, progress=False, out_dir=str(tmp_path))
    records = []
    table = compare(["unet", "fcn32s"], *tiny_data, config, log=records.append)
    assert list(table.index) == ["unet", "fcn32s"] and (table["status"] == "ok").all()
    for column in ("parameters", "train_time_s", "images_per_s", "miou", "pixel_accuracy"):
        assert table[column].notna().all(), column
    assert {r["model"] for r in records} == {"fcn32s", "unet"}
    for name in (
        "comparison.csv",
        "comparison.md",
        "comparison.tex",
        "comparison.html",
        "per_class_iou.csv",
        "per_class_iou.md",
        "chance.json",
        "comparison.json",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    saved = read_comparison(tmp_path)
    assert list(saved) == ["unet", "fcn32s"]  # the comparison's order, not the folders' name order
    for model, record in saved.items():
        assert (record.path / "last.safetensors").is_file() and record.source["name"] == model
        assert record.scores.miou == pytest.approx(table.loc[model, "miou"], abs=1e-12)
        assert len(record.stems) == len(tiny_data[1])
    chance = json.loads((tmp_path / "chance.json").read_text())["miou"]
    assert 0 < chance["uniform"] < chance["majority"] < 1
    assert table.attrs["chance_miou_majority"] == chance["majority"]


def test_chance_levels_by_hand():
    chance = chance_miou([6, 2, 0, 2])  # N = 10, C = 4, three classes present
    assert chance["majority"] == pytest.approx(0.6 / 3)
    uniform = [1.5 / (6 + 2.5 - 1.5), 0.5 / (2 + 2.5 - 0.5), 0.0, 0.5 / (2 + 2.5 - 0.5)]
    assert chance["uniform"] == pytest.approx(sum(uniform) / 4)


def test_an_unknown_model_is_refused_before_any_training(tmp_path, tiny_data):
    config = TrainConfig(epochs=1, batch_size=4, progress=False, out_dir=str(tmp_path))
    with pytest.raises(ValueError, match=r"unknown models \['nope'\]"):
        compare(["fcn32s", "nope"], *tiny_data, config)
    assert not (tmp_path / "fcn32s").exists()


def _source_scores(seed):
    """Scores (with per-image statistics) of random predictions on 6 random 16 x 16 targets with void."""
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, 3, (6, 16, 16))
    targets[rng.random(targets.shape) < 0.05] = 255
    preds = np.where(rng.random(targets.shape) < 0.7, targets, rng.integers(0, 3, targets.shape)) % 255
    return evaluate(preds, targets, 3)


def test_comparison_table_holds_each_sources_bootstrap_interval(tmp_path):
    scores = {"a": _source_scores(0), "b": _source_scores(1)}
    table = comparison_table(scores, {"a": {"status": "ok"}, "b": {"status": "ok"}})
    for name, source in scores.items():
        boot = source.bootstrap()
        for key in HEADLINE:
            assert table.loc[name, key] == boot.loc[key, "value"]
            assert table.loc[name, f"{key}_low"] == boot.loc[key, "low"], (name, key)
            assert table.loc[name, f"{key}_high"] == boot.loc[key, "high"], (name, key)
            assert table.loc[name, f"{key}_low"] <= table.loc[name, key] <= table.loc[name, f"{key}_high"]
    assert {k: table.attrs[k] for k in ("resamples", "level", "seed")} == {"resamples": 2000, "level": 0.95, "seed": 0}
    assert list(table.columns).index("miou_low") == list(table.columns).index("miou") + 1
    export_table(table, tmp_path / "t.md")
    text = (tmp_path / "t.md").read_text()
    boot = scores["a"].bootstrap().loc["miou"]
    assert f"{boot['value']:.3f} [{boot['low']:.3f}, {boot['high']:.3f}]" in text
    assert "Intervals: 95% image-level percentile bootstrap, 2000 resamples, seed 0." in text.splitlines()[0]
    assert "miou_low" not in text
    export_table(table.reset_index(), tmp_path / "t.csv")  # CSV keeps the interval as columns
    csv = read_table_csv(tmp_path / "t.csv")
    assert csv["miou_low"].tolist() == pytest.approx(table["miou_low"].tolist(), abs=1e-12)


def test_sources_without_per_image_statistics_get_no_interval_columns():
    source = _source_scores(0)
    bare = dataclasses.replace(source, image_stats=None)
    assert "miou_low" not in comparison_table({"a": bare})
    mixed = comparison_table({"a": bare, "b": source})
    assert np.isnan(mixed.loc["a", "miou_low"]) and mixed.loc["b", "miou_low"] == source.bootstrap().loc["miou", "low"]


def test_the_command_line_prints_each_headline_score_with_its_interval(capsys):
    source = _source_scores(2)
    print_comparison(comparison_table({"a": source}, {"a": {"status": "ok"}}))
    out = capsys.readouterr().out
    boot = source.bootstrap()
    for key in HEADLINE:
        assert f"{boot.loc[key, 'value']:.3f} [{boot.loc[key, 'low']:.3f}, {boot.loc[key, 'high']:.3f}]" in out, key
    assert "_low" not in out and "2000 resamples, seed 0." in out
