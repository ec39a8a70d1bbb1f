"""Figures for neural style transfer (Gatys et al., CVPR 2016): a stage's image, the loss curves, Gram matrices.

Each ``draw_*`` draws on an axis the caller owns and returns its artists, so that a widget can draw once
and then only change the artists' data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from matplotlib.axes import Axes
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

LOSS_COLUMNS = ("total", "content", "style", "tv")  # the weighted terms; total = content + style + tv
LOSS_DECADES = 4  # the loss axis spans at most this many powers of ten below the largest value drawn


def image_array(image) -> np.ndarray:
    """A ``(3, H, W)`` tensor or ``(H, W, 3)`` array in [0, 1] as a float ``(H, W, 3)`` array for imshow."""
    if isinstance(image, torch.Tensor):
        image = image.detach().float().cpu().numpy()
        image = image.transpose(1, 2, 0) if image.ndim == 3 and image.shape[0] in (1, 3) else image
    array = np.asarray(image, dtype=np.float32)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"expected an RGB image (3, H, W) or (H, W, 3), got shape {array.shape}.")
    return np.clip(array, 0.0, 1.0)


def draw_stage_image(ax: Axes, image, *, title: str | None = None) -> AxesImage:
    """Show an image in [0, 1] without axes ticks.

    Args:
        ax: the axis to draw on.
        image: ``(3, H, W)`` tensor or ``(H, W, 3)`` array in [0, 1].
        title: axis title.
    """
    artist = ax.imshow(image_array(image), vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return artist


def draw_loss_curves(ax: Axes, history: pd.DataFrame, *, step: int | None = None, columns=LOSS_COLUMNS) -> dict:
    """Loss terms against the optimiser step, log-scaled, with a vertical marker at ``step``.

    The axis spans at most ``LOSS_DECADES`` powers of ten below the largest value, so that one tiny term
    (the content loss right after a content start is 1e-9) does not squeeze the others into a line; the
    legend sits to the right of the axis, off the curves; the steps are integers.

    Args:
        ax: the axis to draw on.
        history: one row per step (index: step), e.g. ``StyleResult.history``.
        step: where to draw the marker; None draws none.
        columns: terms to plot; those missing or zero throughout are skipped (log scale).

    Returns:
        ``{"lines": {column: Line2D}, "marker": Line2D or None}``.
    """
    lines = {}
    for column in columns:
        if column in history and (history[column] > 0).any():
            (lines[column],) = ax.plot(
                history.index, history[column], label=column, lw=1.5 if column == "total" else 1.0
            )
    ax.set_yscale("log", nonpositive="mask")  # the content loss is exactly 0 at a content start
    drawn = np.concatenate([history[c].to_numpy(dtype=float) for c in lines]) if lines else np.ones(1)
    drawn = drawn[np.isfinite(drawn) & (drawn > 0)]
    if len(drawn):
        top = float(drawn.max())
        ax.set_ylim(max(float(drawn.min()), top * 10.0**-LOSS_DECADES) / 1.5, top * 1.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("step")
    ax.set_ylabel("weighted loss")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    marker = None if step is None else ax.axvline(step, color="black", ls="--", lw=1)
    return {"lines": lines, "marker": marker}


def move_step_marker(marker: Line2D, step: int) -> None:
    """Move a marker drawn by :func:`draw_loss_curves` to ``step``."""
    marker.set_xdata([step, step])


def draw_gram(
    ax: Axes,
    gram,
    *,
    title: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = "magma",
) -> AxesImage:
    """A ``(C, C)`` Gram matrix as an image; give two plots the same vmin/vmax to compare them.

    Args:
        ax: the axis to draw on.
        gram: ``(C, C)`` array or tensor (``G = F F^T / (C*H*W)``).
        title: axis title.
        vmin: the lower colour limit; None uses the matrix's own minimum.
        vmax: the upper colour limit; None uses the matrix's own maximum.
        cmap: matplotlib colour map.
    """
    gram = gram.detach().cpu().numpy() if isinstance(gram, torch.Tensor) else np.asarray(gram)
    if gram.ndim != 2 or gram.shape[0] != gram.shape[1]:
        raise ValueError(f"expected a square (C, C) Gram matrix, got shape {gram.shape}.")
    artist = ax.imshow(gram, vmin=vmin, vmax=vmax, cmap=cmap, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return artist
