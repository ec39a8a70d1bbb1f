"""Figures of the teaching ops: labelled grids for transposed convolution (three views) and unpooling.

Each ``draw_*(axes, ..., grids=None)`` draws its view on axes the caller owns and returns the ``Grid``
artists; called again with those ``grids`` it updates them in place. Widgets redraw on every slider move,
and rebuilding an axis costs about 5 ms where updating its cells costs well under one. For the same reason
the numbers in the cells are one ``PathCollection`` per panel (cached glyph outlines, one draw call)
instead of one ``Text`` per cell, which Agg draws at about 0.3 ms each.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D, Bbox

from workbench.ops.walkthrough import INPUT_PIXEL, TransposedConvWalkthrough
from workbench.viz.encode import array_to_png
from workbench.viz.figure_fonts import png_metadata

LABEL_POINTS = 10.0  # glyph size the label paths are built at; scaled to the cells on each update
TITLE_POINTS = 11.0  # 11 px tall at 72 dpi, about 15 px at the widgets' 96: readable at 100% zoom
MIN_CELL_PIXELS = 9.0  # below this, cells are too small to carry a readable number
MIN_DIGIT_PIXELS = 6.0  # ... and numbers shrunk below this height are noise, not text
STEP_COLOR, CROP_COLOR = "#d62728", "#2ca02c"
FONT = FontProperties(family="DejaVu Sans", size=10)
ROLE_COLORS = ListedColormap(["#d9d9d9", "#ffffff", "#9ecae1"])  # padding, inserted zero, input pixel


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


def new_figure(width: float, height: float, *, dpi: float = 72) -> Figure:
    """A figure with its own Agg canvas: no pyplot state, works headless, never shown by accident."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def render_png(fig: Figure) -> bytes:
    """Draw ``fig`` on its Agg canvas and encode it as PNG (fixed layout, no tight bbox search: fast), with its
    smallest font recorded as ``figure_to_png`` does."""
    fig.canvas.draw()
    return array_to_png(np.asarray(fig.canvas.buffer_rgba())[..., :3], text=png_metadata(fig, fig.dpi))


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
        title, cmap, vmin, vmax: as for ``imshow``; vmin/vmax default to the values' range (cmap is
            fixed when the grid is first drawn).
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


def draw_scatter_step(
    axes: Sequence[Axes], walk: TransposedConvWalkthrough, step: int, grids: list[Grid] | None = None
) -> list[Grid]:
    """Scatter-add at ``step`` (0-based index; titles count from 1): input, kernel, partial sum.

    The input's current pixel is boxed. The third panel is the uncropped canvas: the window the current
    pixel writes is boxed red, the part kept as output (what remains after padding crops) green. Its colours
    span this step's own range, so that the first stamps are as visible as the last.
    """
    grids = grids or [None] * 3
    i, j = walk.steps.positions[step].tolist()
    value = float(walk.input[i, j])
    canvas = walk.steps.canvases[step]
    x_grid = draw_grid(
        axes[0], walk.input, title=f"input {_size(walk.input)}: x[{i},{j}] = {value:g}", num_boxes=1, grid=grids[0]
    )
    k_grid = draw_grid(
        axes[1], walk.kernel, title=f"kernel {_size(walk.kernel)}, times {value:g}", cmap="Oranges", grid=grids[1]
    )
    c_grid = draw_grid(
        axes[2],
        canvas,
        vmin=min(0.0, float(canvas.min())),
        num_boxes=2,
        grid=grids[2],
        title=f"step {step + 1} of {len(walk.steps)}: partial sum, {_size(canvas)} canvas",
    )
    set_box(x_grid.boxes[0], (i, i + 1), (j, j + 1))
    set_box(c_grid.boxes[0], *walk.steps.windows[step].tolist())
    set_box(c_grid.boxes[1], *walk.steps.crop.tolist())
    return [x_grid, k_grid, c_grid]


def draw_matrix_view(
    axes: Sequence[Axes], walk: TransposedConvWalkthrough, step: int, grids: list[Grid] | None = None
) -> list[Grid]:
    """``Y' = V^T X'``: the matrix (column ``step`` boxed), the flattened input, the partial output.

    Step t (0-based index; titles count from 1) adds column t of ``V^T`` times ``x'_t``: the same partial
    sum as the scatter-add view. ``Y'`` is coloured on this step's own range (0 to its largest value).
    """
    grids = grids or [None] * 3
    vt = walk.matrix.T
    nonzero = (vt != 0).numpy()
    x_col, y_col = walk.input.reshape(-1, 1), walk.steps.outputs[step].reshape(-1, 1)
    # aspect "auto": V^T is tall and thin (H'W' x HW) and would be a sliver with square cells
    v_grid = draw_grid(
        axes[0],
        vt,
        title=f"V^T {_size(vt)}",
        cmap="Purples",
        label_mask=nonzero,
        aspect="auto",
        num_boxes=1,
        grid=grids[0],
    )
    x_grid = draw_grid(axes[1], x_col, title="X'", aspect="auto", num_boxes=1, grid=grids[1])
    y_grid = draw_grid(
        axes[2],
        y_col,
        title=f"Y' after step {step + 1} of {len(walk.steps)}",
        vmin=min(0.0, float(y_col.min())),
        aspect="auto",
        grid=grids[2],
    )
    set_box(v_grid.boxes[0], (0, vt.shape[0]), (step, step + 1))
    set_box(x_grid.boxes[0], (step, step + 1), (0, 1))
    return [v_grid, x_grid, y_grid]


def draw_equivalent_conv(
    axes: Sequence[Axes], walk: TransposedConvWalkthrough, step: int = 0, grids: list[Grid] | None = None
) -> list[Grid]:
    """The equivalent convolution: stuffed and padded input (roles coloured), flipped kernel, output.

    The input pixel of ``step`` (0-based) is boxed red where it sits in the stuffed, padded input, and so
    is the window of output pixels whose ``K x K`` convolution windows cover it: the same output pixels
    that the scatter-add view's red window writes to (``conv_window``).
    """
    grids = grids or [None] * 3
    roles = walk.conv_input_roles.numpy()
    q, op = walk.shapes["conv_padding"][0], walk.output_padding
    title = f"S-1={walk.stride - 1} zeros in, K-P-1={q} {'crop' if q < 0 else 'pad'}" + (f" +{op}" if op else "")
    z_grid = draw_grid(
        axes[0],
        roles,
        cmap=ROLE_COLORS,
        vmin=-0.5,
        vmax=2.5,
        labels=walk.conv_input,
        label_mask=roles == INPUT_PIXEL,
        grid=grids[0],
        title=title,
        num_boxes=1,
    )
    k_grid = draw_grid(axes[1], walk.conv_kernel, title="kernel flipped", cmap="Oranges", grid=grids[1])
    o_grid = draw_grid(
        axes[2],
        walk.output,
        title=f"conv2d, stride 1: {_size(walk.output)}, step {step + 1} boxed",
        grid=grids[2],
        num_boxes=1,
    )
    pixel, window = conv_window(walk, step)
    set_box(z_grid.boxes[0], *(pixel or (None,)))  # None hides a box whose cells were cropped away
    set_box(o_grid.boxes[0], *(window or (None,)))
    return [z_grid, k_grid, o_grid]


def conv_window(walk: TransposedConvWalkthrough, step: int):
    """Where input pixel ``step`` sits in the equivalent convolution, and the output pixels it reaches.

    Returns ``(pixel, window)``: each ``((row_start, row_stop), (col_start, col_stop))`` or ``None`` when
    cropping removed it. Pixel ``(i, j)`` sits at ``(q + S i, q + S j)`` of the stuffed input padded by
    ``q = K - P - 1``; output pixel ``o`` sees input rows ``o .. o + K - 1``, so the pixel reaches
    outputs ``q + S i - K + 1 .. q + S i``, which is the scatter window ``S i .. S i + K - 1`` of the
    canvas shifted by the crop ``P``.
    """
    (i, j), (k, _), q = walk.steps.positions[step].tolist(), walk.shapes["kernel"], walk.shapes["conv_padding"][0]
    size, out = walk.shapes["conv_input"], walk.shapes["output"]
    centre = [q + walk.stride * i, q + walk.stride * j]
    pixel = None if not all(0 <= c < n for c, n in zip(centre, size)) else tuple((c, c + 1) for c in centre)
    spans = [(max(0, c - k + 1), min(n, c + 1)) for c, n in zip(centre, out)]
    window = tuple(spans) if all(a < b for a, b in spans) else None
    return pixel, window


def draw_unpooling(
    axes: Sequence[Axes],
    input,
    pooled,
    output,
    *,
    scale: int,
    method: str,
    sources=None,
    grids: list[Grid] | None = None,
) -> list[Grid]:
    """Input (pooling windows outlined), the pooled map, and the unpooled output.

    Args:
        axes: three axes. input: ``(H, W)``. pooled: ``(h, w)``. output: ``(H_out, W_out)``.
        scale: the pooling window (and unpooling factor). method: named in the output's title.
        sources: ``(h * w, 2)`` input positions of the maxima (max-unpooling), outlined in the input
            and the output; ``None`` for the other methods.
        grids: artists from an earlier call, updated in place.
    """
    grids = grids or [None] * 3
    lo, hi = float(np.min(input)), float(np.max(input))
    marks = [] if sources is None else sources
    in_grid = draw_grid(
        axes[0],
        input,
        title=f"input {_size(input)}, {scale}x{scale} windows",
        vmin=lo,
        vmax=hi,
        block=scale,
        marks=marks,
        grid=grids[0],
    )
    p_grid = draw_grid(axes[1], pooled, title=f"max-pooled {_size(pooled)}", vmin=lo, vmax=hi, grid=grids[1])
    out = np.asarray(output)
    # unlabelled zeros show what bed of nails and max-unpooling leave empty
    o_grid = draw_grid(
        axes[2],
        out,
        title=f"{method} {_size(out)}",
        vmin=lo,
        vmax=hi,
        block=scale,
        marks=marks,
        label_mask=None if method == "nearest" else out != 0,
        grid=grids[2],
    )
    return [in_grid, p_grid, o_grid]


class GlyphTitle(PathCollection):
    """A title drawn as glyph outlines that reports where it is drawn, so that ``bbox_inches="tight"``
    (Jupyter's inline figures) keeps it: a collection whose offsets are not data coordinates has no extent."""

    def get_window_extent(self, renderer=None) -> Bbox:
        if not len(self.get_paths()) or not len(self.get_offsets()):
            return Bbox.null()
        x, y = self.get_offset_transform().transform(self.get_offsets()[0])
        return Bbox.union([path.get_extents(self.get_transform()) for path in self.get_paths()]).translated(x, y)


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
    grid.title.set_paths([_glyphs(title, TITLE_POINTS, "bottom")] if title else [])
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
    grid.labels.set_paths([_glyphs(t) for t in texts])
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
    widest = max(_glyph_width(t) for t in set(texts)) or 1.0
    digit_height = 0.73 * LABEL_POINTS  # DejaVu Sans digits are about 0.73 em tall
    scale = min(0.8 * cell_w / widest, 0.6 * cell_h / digit_height, 1.2)
    return scale if scale * digit_height >= MIN_DIGIT_PIXELS else 0.0


def _text_colors(cells: QuadMesh, values: np.ndarray) -> np.ndarray:
    """Black on light cells, white on dark ones (``values``: what the cells show, in their colour scale)."""
    rgba = cells.cmap(cells.norm(values))
    luminance = rgba[:, :3] @ np.array([0.299, 0.587, 0.114])
    return np.where(luminance[:, None] < 0.5, [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0])


@functools.lru_cache(maxsize=4096)
def _glyphs(text: str, size: float = LABEL_POINTS, anchor: str = "center") -> Path:
    """The outline of ``text`` in points, centred on (0, 0) or (``anchor="bottom"``) standing on it.

    Built from cached single-character outlines set side by side (no kerning), which is several times
    faster than laying out each new string: every slider move brings new numbers and titles.
    """
    vertices, codes, x = [], [], 0.0
    for char in text:
        char_vertices, char_codes, advance = _char_outline(char, size)
        vertices.append(char_vertices + (x, 0.0))
        codes.append(char_codes)
        x += advance
    vertices, codes = np.concatenate(vertices), np.concatenate(codes)
    if not len(vertices):
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    # the control points' box: close enough to centre by, and far cheaper than the exact Bezier extents
    (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
    dy = -(y0 + y1) / 2 if anchor == "center" else -y0
    return Path(vertices + (-(x0 + x1) / 2, dy), codes)


@functools.cache
def _char_outline(char: str, size: float) -> tuple[np.ndarray, np.ndarray, float]:
    """One character's outline (vertices, codes) at ``size`` points and its advance width in points."""
    width = text_to_path.get_text_width_height_descent(char, FONT, ismath=False)[0]
    if char.isspace():  # TextPath cannot build an empty outline
        return np.zeros((0, 2)), np.zeros(0, np.uint8), width * size / FONT.get_size_in_points()
    path = TextPath((0, 0), char, size=size, prop=FONT)
    codes = path.codes if path.codes is not None else np.full(len(path.vertices), Path.LINETO, np.uint8)
    advance = width * size / FONT.get_size_in_points()
    return np.asarray(path.vertices, float).reshape(-1, 2), np.asarray(codes, np.uint8), advance


@functools.lru_cache(maxsize=4096)
def _glyph_width(text: str) -> float:
    vertices = _glyphs(text).vertices
    return float(vertices[:, 0].max() - vertices[:, 0].min())


def _format(value: float) -> str:
    return f"{value:.3g}" if value != int(value) else str(int(value))


def _limits(values: np.ndarray, vmin, vmax) -> tuple[float, float]:
    lo = float(values.min()) if vmin is None else float(vmin)
    hi = float(values.max()) if vmax is None else float(vmax)
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def _size(values) -> str:
    shape = tuple(np.shape(values))
    return "x".join(str(n) for n in shape)
