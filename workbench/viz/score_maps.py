"""Per-class score maps (logits at any stride) as colours, shown at image size with their pixel grid.

A stride-32 score map of a 480 x 360 image is 15 x 12 cells. Drawing each cell as a ``stride x stride``
block (nearest neighbour, never smoothed) shows how coarse a prediction is before upsampling, which is
the point of comparing FCN-32s, 16s and 8s.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from workbench.viz.convert import to_numpy

SCORE_CMAP = "RdBu_r"  # diverging: positive scores red, negative blue, zero white


def upsample_nearest(array: np.ndarray, stride: int, size: tuple[int, int]) -> np.ndarray:
    """Repeat each cell of ``array`` ``(h, w, ...)`` into a ``stride x stride`` block, cropped to ``size``.

    The crop is at the bottom and right, where the FCN padded its input to a multiple of 32.
    """
    height, width = size
    rows = np.minimum(np.arange(height) // stride, array.shape[0] - 1)
    cols = np.minimum(np.arange(width) // stride, array.shape[1] - 1)
    return array[rows[:, None], cols[None, :]]


def score_levels(scores, vmax: float) -> np.ndarray:
    """Scores mapped to 256 colour levels (uint8): ``-vmax`` -> 0, 0 -> 128, ``+vmax`` -> 255, clipped."""
    scores = to_numpy(scores).astype(np.float32)
    scale = 127.5 / max(float(vmax), 1e-12)
    return np.clip(np.rint(scores * scale + 127.5), 0, 255).astype(np.uint8)


def range_levels(values, vmin: float, vmax: float) -> np.ndarray:
    """Values mapped linearly to 256 colour levels (uint8): ``vmin`` -> 0, ``vmax`` -> 255, clipped."""
    values = to_numpy(values).astype(np.float32)
    scale = 255.0 / max(float(vmax) - float(vmin), 1e-12)
    return np.clip(np.rint((values - float(vmin)) * scale), 0, 255).astype(np.uint8)


def score_colors(cmap: str = SCORE_CMAP) -> np.ndarray:
    """The 256 colours of a matplotlib colour map as a uint8 ``(256, 3)`` lookup table for ``score_levels``."""
    return (colormaps[cmap](np.linspace(0.0, 1.0, 256))[:, :3] * 255).round().astype(np.uint8)


def score_rgb(scores, vmax: float | None = None, cmap: str = SCORE_CMAP) -> np.ndarray:
    """One class's score map ``(h, w)`` painted with a diverging colour map centred at 0: uint8 ``(h, w, 3)``.

    Args:
        scores: float ``(h, w)``, e.g. ``logits[0, class_id]``.
        vmax: the score drawn in full colour; ``None`` uses the largest ``|score|``.
        cmap: a diverging matplotlib colour map.
    """
    scores = to_numpy(scores)
    vmax = float(np.abs(scores).max(initial=0.0)) if vmax is None else vmax
    return score_colors(cmap)[score_levels(scores, vmax)]


def plot_score_map(
    ax: Axes,
    scores,
    *,
    vmax: float | None = None,
    cmap: str = SCORE_CMAP,
    title: str | None = None,
    colorbar: bool = False,
) -> AxesImage:
    """Show one class's score map ``(h, w)`` with its cells visible, zero white (``cmap`` diverging).

    Returns:
        The ``AxesImage``; with ``colorbar=True`` a colour bar is added beside ``ax``.
    """
    scores = to_numpy(scores).astype(np.float32)
    if vmax is None:
        vmax = float(np.abs(scores).max(initial=0.0)) or 1.0  # an all-zero map still needs a range
    shown = ax.imshow(scores, cmap=cmap, vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    return shown
