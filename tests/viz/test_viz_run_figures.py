"""Comparison figures drawn from records alone: the gallery shows the records' masks, curves need a history."""

import numpy as np
import pandas as pd
from PIL import Image

from workbench.data import SyntheticShapes
from workbench.metrics import evaluate
from workbench.records import read_comparison, write_record
from workbench.viz import colorize, comparison_figures, save_comparison_figures


def test_comparison_figures_from_records(tmp_path):
    data = SyntheticShapes(num_images=3, image_size=(16, 16), seed=4)
    targets = [data[i][1].numpy() for i in range(3)]
    for name, shift in (("b", 1), ("a", 0)):
        preds = [(t % 7 + shift) % 7 for t in targets]  # void (255) becomes a class: still valid predictions
        write_record(
            tmp_path / name,
            source={"kind": "predictions", "dir": "x"},
            data={"root": None},
            scores=evaluate(preds, targets, 7),
            stems=["s0", "s1", "s2"],
            masks=preds,
            classes=data.classes,
        )
    figures = comparison_figures(read_comparison(tmp_path), data, gallery_size=2)
    assert list(figures) == ["mask_gallery"]  # prediction folders have no learning curves
    axes = figures["mask_gallery"].axes
    assert len(axes) == 2 * (2 + 2) and [ax.get_title() for ax in axes[:4]] == ["image", "target", "a", "b"]
    shown = axes[2].images[0].get_array()  # the record's mask, coloured: record "a" predicts the target itself
    assert shown.shape[:2] == (16, 16)
    last_row_target = axes[5].images[0].get_array()  # gallery_indices: the first and the last image, not 0 and 1
    assert np.array_equal(last_row_target, colorize(targets[2], data.classes.palette()))
    assert not np.array_equal(targets[1], targets[2])  # so the first two images would show otherwise
    pd.DataFrame({"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "val_miou": [0.2, 0.3]}).to_csv(
        tmp_path / "a" / "history.csv", index=False
    )
    figures = comparison_figures(read_comparison(tmp_path), data, gallery_size=1)
    assert set(figures) == {"mask_gallery", "learning_curves"} and len(figures["mask_gallery"].axes) == 4
    assert np.isfinite(figures["learning_curves"].axes[0].lines[0].get_ydata()).all()
    written = save_comparison_figures(tmp_path, data, gallery_size=1)
    assert sorted(p.name for p in written) == ["learning_curves.png", "mask_gallery.png"]
    assert all(Image.open(p).size[0] > 100 for p in written)
