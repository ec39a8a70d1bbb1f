"""Whole figures of a training comparison: learning curves of every model, and a mask gallery.

Unlike the ``plot_*`` functions these build their own ``matplotlib.figure.Figure`` (no pyplot, so nothing
is shown and nothing leaks between calls); the caller saves or embeds it.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from workbench.metrics.chance import NEAR_CHANCE_FACTOR
from workbench.viz.curves import draw_learning_curves
from workbench.viz.mask_plots import plot_mask_gallery


def learning_curves_figure(histories: Mapping[str, pd.DataFrame], *, chance: float | None = None) -> Figure:
    """The 2 x 2 grid of ``draw_learning_curves`` (one line per model), the chance mIoU and its flag bar drawn
    when ``chance`` is given."""
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    epochs = max((int(h["epoch"].max()) for h in histories.values() if len(h)), default=None)
    draw_learning_curves(fig, histories, epochs=epochs, chance=chance, chance_factor=NEAR_CHANCE_FACTOR)
    return fig


def gallery_figure(images: Sequence, targets: Sequence, preds: Mapping[str, Sequence], classes) -> Figure:
    """Rows of images: the image, its target, then each model's prediction (``preds``: name -> masks)."""
    rows, cols = len(images), 2 + len(preds)
    fig = Figure(figsize=(2 * cols, 2 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    plot_mask_gallery(axes, list(images), list(targets), preds, classes.palette(), ignore_index=classes.ignore_index)
    return fig
