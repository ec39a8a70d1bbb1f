"""Pictures of upsampling: overlap counts and outputs of random upsamplers (checkerboards), and the bins
of a pyramid pooling module over an image."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from workbench.viz.convert import to_numpy


def plot_maps(axes: Sequence[Axes], maps: Mapping[str, object], *, cmap: str = "gray", subtitles=None) -> list:
    """One grey map per axis, each on its own colour range, titled by its key (and ``subtitles[key]``)."""
    artists = []
    for ax, (title, values) in zip(axes, maps.items()):
        values = to_numpy(values)
        artists.append(ax.imshow(values, cmap=cmap, interpolation="nearest"))
        text = title if not subtitles or title not in subtitles else f"{title}\n{subtitles[title]}"
        ax.set_title(text, fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    return artists


def plot_bins(
    ax: Axes,
    rgb: np.ndarray,
    row_edges: Sequence[tuple[int, int]],
    col_edges: Sequence[tuple[int, int]],
    *,
    title: str | None = None,
    color: str = "yellow",
) -> list:
    """``rgb`` with the pyramid pooling bins drawn; edges are ``(start, end)`` image pixels of each bin.

    Bins of adaptive pooling overlap when the map does not divide evenly; each bin's edges are drawn
    where its pixels start and end, so an overlap shows as two lines close together.
    """
    artists = [ax.imshow(rgb)]
    height, width = rgb.shape[:2]
    for edges, line, limit in ((row_edges, ax.axhline, height), (col_edges, ax.axvline, width)):
        for at in sorted({min(a, limit) for edge in edges for a in edge}):
            artists.append(line(at - 0.5, color=color, linewidth=1.2))
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return artists
