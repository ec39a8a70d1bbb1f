"""Edges, inner bands and tolerance discs of label maps, for all classes at once.

Every pixel belongs to exactly one class's mask (its own label), so one pass over a label map answers
"is this pixel on the edge / in the band of its own mask" for every class together. Two facts make it cheap:

- A pixel is an *edge* pixel of its mask when one of its 8 neighbours holds another label: four
  comparisons of the map with itself shifted by one pixel (horizontal, vertical, two diagonals).
- A pixel is in the *inner band* of width d of its mask (Cheng et al., CVPR 2021: within chessboard distance
  d of a pixel not in the mask, or of the outside) exactly when it is within chessboard distance d - 1 of an
  edge pixel, the frame counting as edge. (If the nearest other label lies at distance k <= d, the step
  before it along a shortest chessboard path is an edge pixel of the same mask at distance k - 1; and any
  edge pixel within d - 1 has an other label within d.) So a band is an edge map dilated by a square,
  which is separable into a row pass and a column pass of logarithmic "shift and or" steps
  (van Herk / Gil-Werman in spirit: O(log d) passes over the whole batch instead of d).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .threads import single_threaded


def disc_offsets(theta: float) -> list[tuple[int, int]]:
    """Integer offsets ``(dy, dx)`` with Euclidean length ``<= theta``, the centre first."""
    reach = int(math.floor(theta))
    offsets = [
        (dy, dx)
        for dy in range(-reach, reach + 1)
        for dx in range(-reach, reach + 1)
        if math.sqrt(dy * dy + dx * dx) <= theta
    ]
    return sorted(offsets, key=lambda o: o[0] * o[0] + o[1] * o[1])


def label_edges(labels: torch.Tensor, *, frame_is_edge: bool = False, connectivity: int = 8) -> torch.Tensor:
    """Pixels with a different label among their 8 neighbours (or 4).

    Args:
        labels: ``(N, H, W)`` integer label map (any values; void is just another label).
        frame_is_edge: True counts pixels outside the image as another label (3x3 erosion with border
            value 0, as the Boundary IoU band); False ignores them (border value 1, as BF edges).
        connectivity: 8 (the 3x3 square, DESIGN.md's edges) or 4 (the cross: scipy's default erosion, as
            MONAI's surface distances).

    Returns:
        ``(N, H, W)`` bool: pixel p is on the edge of the mask ``labels == labels[p]``.
    """
    if connectivity not in (4, 8):
        raise ValueError(f"label_edges: connectivity must be 4 or 8, got {connectivity}.")
    edges = torch.zeros_like(labels, dtype=torch.bool)
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1))[: connectivity // 2]:
        a, b = _shifted_pair(labels, dy, dx)
        differs = a != b
        ea, eb = _shifted_pair(edges, dy, dx)
        ea |= differs  # both pixels of a differing neighbour pair are edge pixels
        eb |= differs
    if frame_is_edge:
        edges[:, [0, -1], :] = True
        edges[:, :, [0, -1]] = True
    return edges


def _shifted_pair(x: torch.Tensor, dy: int, dx: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Views ``a``, ``b`` of ``x`` (N, H, W) such that ``b[i, j] = x[i + dy, j + dx]`` for ``a[i, j] = x[i, j]``."""
    h, w = x.shape[-2:]
    rows_a, rows_b = slice(0, h - dy), slice(dy, h)
    cols_a, cols_b = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    return x[:, rows_a, cols_a], x[:, rows_b, cols_b]


def dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    """Square (chessboard) dilation: pixels within distance ``radius`` of a True pixel of the same image.

    Args:
        mask: ``(N, H, W)`` bool.
        radius: window half-size; 0 returns a copy.

    Returns:
        ``(N, H, W)`` bool; pixels outside the image count as False.
    """
    if radius == 0:
        return mask.clone()
    n, height, width = mask.shape
    # A margin of ``radius`` zeros around every image lets both passes run on the flat buffer: no window
    # centred in an image reaches into the next row or the next image.
    padded = F.pad(mask, (radius, radius, radius, radius)).view(torch.uint8)
    plane_h, plane_w = height + 2 * radius, width + 2 * radius
    rows = window_or_flat(padded.flatten(), radius, step=1)  # rows[j]: window centred at j + radius
    both = window_or_flat(rows, radius, step=plane_w)  # both[j]: square centred at j + radius * (plane_w + 1)
    out = both.as_strided((n, height, width), (plane_h * plane_w, plane_w, 1))
    return out.contiguous().view(torch.bool)


def window_or_flat(flat: torch.Tensor, radius: int, step: int, runs: list | None = None) -> torch.Tensor:
    """``out[j] = flat[j] | flat[j + step] | ... | flat[j + 2 radius step]`` in O(log radius) whole-array steps.

    A bitwise OR: "any" for 0/1 bytes, the union of label bit sets for integer bit masks. With ``step = 1``
    it runs along rows of a flattened map, with ``step = row length`` along columns; the window centred at
    ``j + radius * step`` ends up at ``out[j]``.

    Args:
        flat: 1-D integer tensor.
        radius: half the window length; the window holds ``2 radius + 1`` entries.
        step: distance between neighbouring window entries in ``flat``.
        runs: ``doubling_runs(flat, size, step)`` for some ``size >= 2 radius + 1``, to share between radii.

    Returns:
        1-D tensor of length ``len(flat) - 2 radius step``.
    """
    size = 2 * radius + 1
    runs = runs or doubling_runs(flat, size, step)
    level = size.bit_length() - 1
    run, span = runs[level], 1 << level
    overlap = (size - span) * step  # two runs of span entries, overlapping, cover the window
    return run[: len(run) - overlap] | run[overlap:] if overlap else run


def doubling_runs(flat: torch.Tensor, size: int, step: int) -> list[torch.Tensor]:
    """``runs[k][j]`` = OR of ``flat[j + i step]`` for ``i < 2**k``, for every ``2**k <= size``."""
    runs, span = [flat], 1
    while span * 2 <= size:
        run = runs[-1]
        runs.append(run[: len(run) - span * step] | run[span * step :])
        span *= 2
    return runs


def doubling_levels(flat: torch.Tensor, size: int, step: int):
    """Yield ``runs[k]`` of ``doubling_runs`` for ``k = 0, 1, ...`` while ``2**k <= size``, in two buffers.

    Each yielded run is overwritten two steps later: use it before asking for the next. Two buffers instead
    of one per level keep the working set small (in cache, and no fresh pages to fault in per level).
    """
    yield flat
    buffers, run, span = [torch.empty_like(flat), torch.empty_like(flat)], flat, 1
    while span * 2 <= size:
        out = buffers[span.bit_length() % 2][: len(run) - span * step]
        run = torch.bitwise_or(run[: len(out)], run[span * step :], out=out)
        span *= 2
        yield run


@single_threaded
def inner_band(masks, d: int):
    """Inner band of width d of every pixel's own mask (Cheng et al. 2021, Boundary IoU).

    Pixel p is in the band when a pixel within chessboard distance ``d`` holds a label other than
    ``masks[p]``, or lies outside the image: the mask minus its 3x3 erosion iterated d times, border value 0.
    Pass ``d = boundary_width(H, W)`` for the Boundary IoU band. Void pixels are just another label here;
    drop them from the result yourself when scoring.

    Args:
        masks: integer label map ``(H, W)`` or ``(N, H, W)``, a tensor or a numpy array.
        d: band width in pixels, ``>= 1``.

    Returns:
        bool map of the input's shape and kind (numpy in, numpy out).
    """
    if int(d) != d or d < 1:
        raise ValueError(f"inner_band: d must be an integer >= 1, got {d!r}.")
    as_numpy = isinstance(masks, np.ndarray)
    labels = torch.from_numpy(np.ascontiguousarray(masks)) if as_numpy else masks
    if labels.is_floating_point() or labels.ndim not in (2, 3):
        raise ValueError(
            f"inner_band: expected an integer (H, W) or (N, H, W) label map, got {labels.dtype} {tuple(labels.shape)}."
        )
    batch = labels if labels.ndim == 3 else labels.unsqueeze(0)
    band = dilate(label_edges(batch, frame_is_edge=True), int(d) - 1).reshape(labels.shape)
    return band.numpy() if as_numpy else band
