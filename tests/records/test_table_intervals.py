"""Intervals in exported tables: low/high columns in CSV and JSON, "v [low, high]" cells elsewhere, the method in the caption."""

import json

import numpy as np
import pandas as pd
import pytest

from workbench.metrics import evaluate
from workbench.records import export_table, interval_columns, read_table_csv

NOTE = "Intervals: 95% image-level percentile bootstrap, 300 resamples, seed 4."


@pytest.fixture(scope="module")
def boot():
    """``Scores.bootstrap`` of 6 random images: value/low/high by score key, the method in attrs."""
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 3, (6, 10, 12))
    preds = np.where(rng.random(targets.shape) < 0.3, rng.integers(0, 3, targets.shape), targets)
    return evaluate(preds, targets, 3).bootstrap(resamples=300, seed=4)


@pytest.fixture(scope="module")
def comparison():
    """A comparison-style table: a score column with ``_low``/``_high`` beside it, and plain columns."""
    table = pd.DataFrame(
        {
            "model": ["unet", "fcn|8s"],
            "parameters": [14_328_210, 11_196_917],
            "miou": [0.44412, 0.3],
            "miou_low": [0.43111, float("nan")],
            "miou_high": [0.45749, 0.31],
            "pixel_accuracy": [0.9, 0.8],
        }
    ).set_index("model")
    table.attrs.update(
        method="image-level percentile bootstrap", resamples=300, level=0.95, seed=4, caption="Two models."
    )
    return table


def test_interval_columns_pair_names_with_low_and_high():
    assert interval_columns(["value", "low", "high"]) == {"value": ("low", "high")}
    assert interval_columns(["miou", "miou_low", "miou_high", "dice", "dice_low"]) == {
        "miou": ("miou_low", "miou_high")
    }
    assert interval_columns(["miou", "low"]) == {}


def test_csv_and_json_keep_low_and_high_columns(boot, comparison, tmp_path):
    back = read_table_csv(export_table(boot, tmp_path / "boot.csv"))
    assert list(back.columns) == ["score", "value", "low", "high"]
    np.testing.assert_allclose(back[["value", "low", "high"]].to_numpy(), boot.to_numpy(), rtol=0, atol=0)
    assert back.attrs["resamples"] == "300" and back.attrs["seed"] == "4"
    data = json.loads(export_table(comparison, tmp_path / "comparison.json").read_text())
    assert data["rows"][0]["miou_low"] == 0.43111 and data["rows"][1]["miou_low"] is None
    assert data["metadata"]["method"] == "image-level percentile bootstrap" and data["metadata"]["level"] == 0.95


def test_markdown_latex_html_show_value_and_interval_in_one_cell(boot, comparison, tmp_path):
    miou = boot.loc["miou"]
    cell = f"{miou['value']:.3f} [{miou['low']:.3f}, {miou['high']:.3f}]"
    for suffix in (".md", ".tex", ".html"):
        text = export_table(boot, tmp_path / f"boot{suffix}").read_text()
        assert cell in text, suffix
        assert ">low<" not in text and "| low" not in text and "& low" not in text, suffix  # no separate column
        no_caption = NOTE.replace("%", "\\%") if suffix == ".tex" else NOTE
        assert no_caption in text and "num" in text.split(no_caption)[1][:12], suffix  # the note, then num_images
        text = export_table(comparison, tmp_path / f"comparison{suffix}").read_text()
        assert "0.444 [0.431, 0.457]" in text and "miou_low" not in text and "miou_high" not in text, suffix
        assert "0.3000" in text or "0.300" in text  # an undefined end leaves the value alone
        note = NOTE.replace("%", "\\%") if suffix == ".tex" else NOTE
        assert note in text, suffix  # the method, resamples, level and seed in the caption
    assert "fcn\\|8s" in (tmp_path / "comparison.md").read_text()


def test_numbers_align_right_text_left(comparison, tmp_path):
    assert "\\begin{tabular}{lrrr}" in export_table(comparison, tmp_path / "c.tex").read_text()
    rule = export_table(comparison, tmp_path / "c.md").read_text().splitlines()[3]
    assert rule.startswith("|:-") and rule.rstrip().endswith("-:|")


def test_caption_states_the_method_once(comparison, tmp_path):
    first = export_table(comparison, tmp_path / "c.md").read_text().splitlines()[0]
    assert first == f"Two models. {NOTE}"
    plain = comparison.copy()
    plain.attrs = {"caption": "Two models."}
    assert export_table(plain, tmp_path / "p.md").read_text().splitlines()[0] == "Two models."


def test_read_table_csv_keeps_hashes_and_na_strings(tmp_path):
    table = pd.DataFrame({"class": ["#1 car", "NA", "None"], "iou": [0.5, float("nan"), 1.0]})
    table.attrs.update(ignore_index=255, caption="IoU: with # inside")
    back = read_table_csv(export_table(table, tmp_path / "t.csv"))
    assert list(back["class"]) == ["#1 car", "NA", "None"]
    assert back["iou"].isna().tolist() == [False, True, False]
    assert back.attrs == {"ignore_index": "255", "caption": "IoU: with # inside"}
