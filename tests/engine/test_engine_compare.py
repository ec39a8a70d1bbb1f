"""compare: one row per model under one budget, every table and figure written; chance levels."""
import json

import pytest

from workbench.engine import TrainConfig, chance_miou, compare


@pytest.mark.slow
def test_tiny_compare_writes_tables_figures_and_run_folders(tmp_path, tiny_data):
    config = TrainConfig(epochs=1, batch_size=4, progress=False, out_dir=str(tmp_path))
    records = []
    table = compare(["fcn32s", "unet"], *tiny_data, config, gallery_size=2, log=records.append)
    assert list(table.index) == ["fcn32s", "unet"] and (table["status"] == "ok").all()
    for column in ("parameters", "train_time_s", "images_per_s", "miou", "pixel_accuracy"):
        assert table[column].notna().all(), column
    assert {r["model"] for r in records} == {"fcn32s", "unet"}
    for name in ("comparison.csv", "comparison.md", "comparison.tex", "comparison.html", "per_class_iou.csv",
                 "per_class_iou.md", "chance.json", "learning_curves.png", "mask_gallery.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    for model in ("fcn32s", "unet"):
        assert (tmp_path / model / "last.safetensors").is_file() and (tmp_path / model / "per_class.csv").is_file()
    chance = json.loads((tmp_path / "chance.json").read_text())["miou"]
    assert 0 < chance["uniform"] < chance["majority"] < 1
    assert table.attrs["chance_miou_majority"] == chance["majority"]


def test_chance_levels_by_hand():
    chance = chance_miou([6, 2, 0, 2])  # N = 10, C = 4, three classes present
    assert chance["majority"] == pytest.approx(0.6 / 3)
    uniform = [1.5 / (6 + 2.5 - 1.5), 0.5 / (2 + 2.5 - 0.5), 0.0, 0.5 / (2 + 2.5 - 0.5)]
    assert chance["uniform"] == pytest.approx(sum(uniform) / 4)
