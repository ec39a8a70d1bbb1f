"""A convolution's first-layer filters as one picture: what ImageNet pretraining changes at a glance.

Each ``(3, k, k)`` filter of a first layer (ResNet's ``conv1``: 64 filters of 7 x 7 over RGB) is shown as a
small colour patch, grey for 0, scaled on its own largest weight so that weak and strong filters both show
their pattern. Trained on ImageNet they are smooth oriented edges and colour blobs; randomly initialised
they are noise, and a few minutes of training from scratch hardly changes that.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from workbench.viz.convert import to_numpy


def filters_rgb(weight, *, columns: int = 8, gap: int = 1) -> np.ndarray:
    """Tile the filters of a convolution over RGB into one uint8 picture.

    Args:
        weight: ``(C_out, 3, k, k)`` tensor or array, e.g. ``model.encoder.conv1.weight``.
        columns: filters per row.
        gap: white pixels between filters.

    Returns:
        uint8 ``(rows * (k + gap) - gap, columns * (k + gap) - gap, 3)``; each filter mapped to
        ``0.5 + w / (2 max|w|)``, so grey is 0.
    """
    weight = np.asarray(to_numpy(weight), dtype=np.float64)
    if weight.ndim != 4 or weight.shape[1] != 3:
        raise ValueError(f"filters_rgb: expected (C_out, 3, k, k) RGB filters, got shape {weight.shape}.")
    count, _, height, width = weight.shape
    rows = -(-count // columns)
    scale = np.abs(weight).reshape(count, -1).max(1).clip(min=1e-12)[:, None, None, None]
    patches = (0.5 + weight / (2 * scale)).transpose(0, 2, 3, 1)  # (C_out, k, k, 3) in [0, 1]
    sheet = np.ones((rows * (height + gap) - gap, columns * (width + gap) - gap, 3))
    for index, patch in enumerate(patches):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        sheet[top : top + height, left : left + width] = patch
    return np.rint(sheet * 255).astype(np.uint8)


def plot_filters(ax: Axes, weight, *, title: str | None = None, columns: int = 8) -> AxesImage:
    """Draw ``filters_rgb(weight)`` on ``ax`` without smoothing, axes off."""
    shown = ax.imshow(filters_rgb(weight, columns=columns), interpolation="nearest")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return shown
