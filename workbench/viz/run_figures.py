"""Whole figures of a training comparison: learning curves of every model, and a mask gallery.

Unlike the ``plot_*`` functions these build their own ``matplotlib.figure.Figure`` (no pyplot, so nothing
is shown and nothing leaks between calls); the caller saves or embeds it.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from workbench.viz.mask_plots import plot_mask_gallery
from workbench.viz.metric_plots import plot_learning_curves


def learning_curves_figure(histories: Mapping[str, pd.DataFrame]) -> Figure:
    """Validation mIoU of every model on one axis, then each model's losses on its own axis."""
    fig = Figure(figsize=(4 * (len(histories) + 1), 3.2), layout="constrained")
    axes = fig.subplots(1, len(histories) + 1, squeeze=False)[0]
    miou = pd.DataFrame({"epoch": next(iter(histories.values()))["epoch"]} if histories else {})
    for name, history in histories.items():
        miou[name] = history["val_miou"].reindex(miou.index)
    plot_learning_curves(axes[0], miou, columns=list(histories))
    axes[0].set_title("validation mIoU")
    for ax, (name, history) in zip(axes[1:], histories.items()):
        plot_learning_curves(ax, history, columns=("train_loss", "val_loss"))
        ax.set_title(f"{name}: loss")
    return fig


def gallery_figure(images: Sequence, targets: Sequence, preds: Mapping[str, Sequence], classes) -> Figure:
    """Rows of images: the image, its target, then each model's prediction (``preds``: name -> masks)."""
    rows, cols = len(images), 2 + len(preds)
    fig = Figure(figsize=(2 * cols, 2 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    plot_mask_gallery(axes, list(images), list(targets), preds, classes.palette(), ignore_index=classes.ignore_index)
    return fig
