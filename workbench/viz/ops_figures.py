"""Figures of the teaching ops: labelled grids for transposed convolution (three views) and unpooling.

Each ``draw_*(axes, ..., grids=None)`` draws its view on axes the caller owns and returns the ``Grid``
artists (:mod:`.cell_grid`); called again with those ``grids`` it updates them in place, so a widget's
slider move costs well under a millisecond per panel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from workbench.ops.walkthrough import INPUT_PIXEL, TransposedConvWalkthrough
from workbench.viz.cell_grid import Grid, draw_grid, set_box

ROLE_COLORS = ListedColormap(["#d9d9d9", "#ffffff", "#9ecae1"])  # padding, inserted zero, input pixel


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


def _size(values) -> str:
    shape = tuple(np.shape(values))
    return "x".join(str(n) for n in shape)
