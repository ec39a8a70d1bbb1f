"""compare: one row per model under one budget, a record per model, every table written; chance levels."""
import json

import pytest

from workbench.engine import TrainConfig, chance_miou, compare
from workbench.records import read_comparison


@pytest.mark.slow
def test_tiny_compare_writes_tables_and_one_record_per_model(tmp_path, tiny_data):
    config = TrainConfig(epochs=1, batch_size=4, progress=False, out_dir=str(tmp_path))
    records = []
    table = compare(["unet", "fcn32s"], *tiny_data, config, log=records.append)
    assert list(table.index) == ["unet", "fcn32s"] and (table["status"] == "ok").all()
    for column in ("parameters", "train_time_s", "images_per_s", "miou", "pixel_accuracy"):
        assert table[column].notna().all(), column
    assert {r["model"] for r in records} == {"fcn32s", "unet"}
    for name in ("comparison.csv", "comparison.md", "comparison.tex", "comparison.html", "per_class_iou.csv",
                 "per_class_iou.md", "chance.json", "comparison.json"):
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
