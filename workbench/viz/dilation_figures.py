"""Dilated kernels and stacked fields as pictures: tap masks, path counts, holes.

``paths_rgb`` returns a uint8 array (what the widget encodes, well under a millisecond of work);
``plot_paths`` draws the same on an axis the caller owns.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes

HOLE_COLOR = np.array([235, 235, 235], dtype=np.uint8)  # pixels in the field that no path reaches
GRID_COLOR = np.array([255, 255, 255], dtype=np.uint8)


def paths_rgb(paths: np.ndarray, *, cell: int, cmap: str = "viridis", vmax: float | None = None) -> np.ndarray:
    """Path counts as ``cell x cell`` squares with a 1-pixel white grid: holes light grey, counts coloured.

    Args:
        paths: ``(F, F)`` non-negative counts. cell: pixels per square (>= 2).
        vmax: count mapped to the top colour (default: the largest count).
    """
    top = float(vmax if vmax is not None else max(paths.max(), 1))
    colors = (colormaps[cmap](np.clip(paths / top, 0, 1))[..., :3] * 255).astype(np.uint8)
    colors[paths == 0] = HOLE_COLOR
    big = colors.repeat(cell, axis=0).repeat(cell, axis=1)
    if cell >= 4:
        big[::cell, :] = GRID_COLOR
        big[:, ::cell] = GRID_COLOR
    return big


def plot_paths(ax: Axes, paths: np.ndarray, *, title: str | None = None, cmap: str = "viridis"):
    """Path counts of a stack (holes light grey) on ``ax``; returns the image artist."""
    image = ax.imshow(paths_rgb(paths, cell=1, cmap=cmap), interpolation="nearest")
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return image
