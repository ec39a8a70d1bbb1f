"""Labelled grids: a 2D array drawn as coloured cells with its numbers written in, updated in place.

``draw_grid(ax, values, ..., grid=None)`` draws on an axis the caller owns and returns the ``Grid`` artists;
called again with that ``grid`` it updates them. Widgets redraw on every slider move, and rebuilding an axis
costs about 5 ms where updating its cells costs well under one. The numbers and the title are glyph outlines
(:mod:`.glyphs`), not ``Text`` artists.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from workbench.viz.glyphs import LABEL_POINTS, TITLE_POINTS, GlyphTitle, glyph_width, glyphs

MIN_CELL_PIXELS = 9.0  # below this, cells are too small to carry a readable number
MIN_DIGIT_PIXELS = 6.0  # ... and numbers shrunk below this height are noise, not text
STEP_COLOR, CROP_COLOR = "#d62728", "#2ca02c"


@dataclass
class Grid:
    """The artists of one grid panel: coloured cells, their numbers, outline boxes, block lines, a title."""

    ax: Axes
    cells: QuadMesh | None  # a mesh, not imshow: no resampling on every draw, ~2x faster for small grids
    labels: PathCollection
    boxes: list[Rectangle]
    title: GlyphTitle  # glyph outlines, like the labels: a Text title costs ~3 ms per draw in Agg
    blocks: LineCollection  # block boundaries, e.g. pooling windows
    marks: PathCollection  # outlined cells, any number, drawn in one call (a Rectangle each is ~0.1 ms)
    cmap: object = "Blues"
    title_text: str = ""


def draw_grid(
    ax: Axes,
    values,
    *,
    title: str = "",
    cmap="Blues",
    vmin=None,
    vmax=None,
    labels=None,
    label_mask=None,
    aspect: str = "equal",
    num_boxes: int = 0,
    block: int | None = None,
    marks=(),
    grid: Grid | None = None,
) -> Grid:
    """Draw a 2D array as coloured cells with their values written in, or update ``grid`` in place.

    Args:
        ax: the axis to draw on (ignored when ``grid`` is given).
        values: ``(H, W)`` array (numpy or torch).
        title: the axis title.
        cmap: as for ``imshow``; fixed when the grid is first drawn.
        vmin: as for ``imshow``; default: the values' minimum.
        vmax: as for ``imshow``; default: the values' maximum.
        labels: ``(H, W)`` numbers to write in the cells (default: ``values``).
        label_mask: ``(H, W)`` bool, which cells get a number (default: all).
        aspect: ``"equal"`` (square cells) or ``"auto"`` (fill the axis).
        num_boxes: outline rectangles to create, hidden until placed with :func:`set_box`.
        block: draw lines between blocks of ``block x block`` cells (e.g. pooling windows).
        marks: ``(row, col)`` cells to outline (any number; for one or two moving boxes use num_boxes).
        grid: artists from an earlier call, updated instead of drawing anew.

    Returns:
        The :class:`Grid`.
    """
    values = np.asarray(values, dtype=float)
    if grid is None:
        grid = _new_grid(ax, cmap, num_boxes)
    _set_cells(grid, values, Normalize(*_limits(values, vmin, vmax)))
    h, w = values.shape
    grid.ax.set_xlim(-0.5, w - 0.5)
    grid.ax.set_ylim(h - 0.5, -0.5)
    _set_title(grid, title)
    grid.blocks.set_segments(_block_lines(values.shape, block))
    grid.marks.set_paths([_cell_outline(int(r), int(c)) for r, c in marks])
    grid.ax.set_aspect(aspect)
    _set_labels(grid, values, values if labels is None else np.asarray(labels, dtype=float), label_mask)
    return grid


def set_box(box: Rectangle, rows: Sequence[int] | None, cols: Sequence[int] | None = None) -> None:
    """Outline cells ``[rows[0], rows[1]) x [cols[0], cols[1])``; ``rows=None`` hides the box."""
    box.set_visible(rows is not None)
    if rows is not None:
        box.set_xy((cols[0] - 0.5, rows[0] - 0.5))
        box.set_width(cols[1] - cols[0])
        box.set_height(rows[1] - rows[0])


def _new_grid(ax: Axes, cmap, num_boxes: int) -> Grid:
    ax.clear()  # a grid may replace an earlier one (more boxes needed): start from an empty axis
    ax.set_axis_off()
    labels = PathCollection([], offsets=np.zeros((0, 2)), offset_transform=ax.transData, edgecolors="none", zorder=3)
    ax.add_collection(labels, autolim=False)
    styles = [(STEP_COLOR, "-"), (CROP_COLOR, "--")] if num_boxes == 2 else [(STEP_COLOR, "-")] * num_boxes
    boxes = [
        ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, lw=2, ec=color, ls=style, visible=False, zorder=4))
        for color, style in styles
    ]
    title = GlyphTitle(
        [],
        offsets=np.zeros((0, 2)),
        offset_transform=ax.transAxes,
        edgecolors="none",
        facecolors="black",
        transform=Affine2D().scale(ax.figure.dpi / 72),
        clip_on=False,
    )
    ax.add_collection(title, autolim=False)
    blocks = ax.add_collection(LineCollection([], colors="black", linewidths=1.5, zorder=2), autolim=False)
    marks = ax.add_collection(
        PathCollection([], facecolors="none", edgecolors=STEP_COLOR, linewidths=2, transform=ax.transData, zorder=4),
        autolim=False,
    )
    return Grid(ax=ax, cells=None, labels=labels, boxes=boxes, title=title, blocks=blocks, marks=marks, cmap=cmap)


@functools.lru_cache(maxsize=4096)
def _cell_outline(row: int, col: int) -> Path:
    """The square around cell ``(row, col)`` in data coordinates."""
    x, y = col - 0.5, row - 0.5
    return Path([(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)], closed=True)


def _set_cells(grid: Grid, values: np.ndarray, norm: Normalize) -> None:
    """Colour the cells; a new shape needs a new mesh, the same shape only new values."""
    h, w = values.shape
    if grid.cells is not None and grid.cells.get_coordinates().shape[:2] == (h + 1, w + 1):
        grid.cells.set_array(values)
        grid.cells.set_norm(norm)
        return
    if grid.cells is not None:
        grid.cells.remove()
    # cell (i, j) spans [j - 0.5, j + 0.5] x [i - 0.5, i + 0.5], as imshow would place it
    grid.cells = grid.ax.pcolormesh(
        np.arange(w + 1) - 0.5, np.arange(h + 1) - 0.5, values, cmap=grid.cmap, norm=norm, zorder=1
    )


def _block_lines(shape: tuple[int, int], block: int | None) -> list:
    """Segments between ``block x block`` groups of cells, in data coordinates."""
    if not block:
        return []
    h, w = shape
    rows = [[(-0.5, r - 0.5), (w - 0.5, r - 0.5)] for r in range(block, h, block)]
    cols = [[(c - 0.5, -0.5), (c - 0.5, h - 0.5)] for c in range(block, w, block)]
    return rows + cols


def _set_title(grid: Grid, title: str) -> None:
    """Centre ``title`` just above the axis (``grid.title_text`` keeps the string, for tests and readers)."""
    grid.title_text = title
    grid.title.set_paths([glyphs(title, TITLE_POINTS, "bottom")] if title else [])
    grid.title.set_offsets([(0.5, 1.02)] if title else np.zeros((0, 2)))


def _set_labels(grid: Grid, values: np.ndarray, labels: np.ndarray, mask=None) -> None:
    """Write ``labels`` into the cells where ``mask`` holds, sized to fit the current cell size."""
    mask = np.ones(values.shape, bool) if mask is None else np.asarray(mask, bool)
    rows, cols = np.nonzero(mask)
    texts = [_format(v) for v in labels[rows, cols]]
    scale = _label_scale(grid.ax, values.shape, texts)
    grid.labels.set_visible(scale > 0 and len(texts) > 0)
    if not grid.labels.get_visible():
        return
    grid.labels.set_paths([glyphs(t) for t in texts])
    grid.labels.set_offsets(np.column_stack([cols, rows]))
    grid.labels.set_transform(Affine2D().scale(scale))
    grid.labels.set_facecolors(_text_colors(grid.cells, values[rows, cols]))


def _label_scale(ax: Axes, shape: tuple[int, int], texts: list[str]) -> float:
    """Pixels per label point so the longest label fits its cell; 0 when cells are too small to read."""
    if not texts:
        return 0.0
    box = ax.get_position()
    cell_w = ax.figure.bbox.width * box.width / shape[1]
    cell_h = ax.figure.bbox.height * box.height / shape[0]
    if ax.get_aspect() != "auto":  # square cells: the axis shrinks to the smaller side
        cell_w = cell_h = min(cell_w, cell_h)
    if min(cell_w, cell_h) < MIN_CELL_PIXELS:
        return 0.0
    widest = max(glyph_width(t) for t in set(texts)) or 1.0
    digit_height = 0.73 * LABEL_POINTS  # DejaVu Sans digits are about 0.73 em tall
    scale = min(0.8 * cell_w / widest, 0.6 * cell_h / digit_height, 1.2)
    return scale if scale * digit_height >= MIN_DIGIT_PIXELS else 0.0


def _text_colors(cells: QuadMesh, values: np.ndarray) -> np.ndarray:
    """Black on light cells, white on dark ones (``values``: what the cells show, in their colour scale)."""
    rgba = cells.cmap(cells.norm(values))
    luminance = rgba[:, :3] @ np.array([0.299, 0.587, 0.114])
    return np.where(luminance[:, None] < 0.5, [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0])


def _format(value: float) -> str:
    return f"{value:.3g}" if value != int(value) else str(int(value))


def _limits(values: np.ndarray, vmin, vmax) -> tuple[float, float]:
    lo = float(values.min()) if vmin is None else float(vmin)
    hi = float(values.max()) if vmax is None else float(vmax)
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)
