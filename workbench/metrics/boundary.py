"""Boundary scores of a batch of equal-size label maps: Boundary IoU counts and per-image BF scores.

- Boundary IoU (Cheng et al., "Boundary IoU: Improving Object-Centric Image Segmentation Evaluation",
  CVPR 2021): per class, the inner bands of width d of the target and predicted masks, compared by IoU.
- BF score (Csurka et al., "What is a good evaluation measure for semantic segmentation?", BMVC 2013, as in
  MATLAB's ``bfscore``): per image and class, precision and recall of boundary pixels matched within a
  distance tolerance theta, combined as F1.

All classes are handled at once on label maps (see ``bands``). BF matching gathers, for the boundary pixels
only, the other map's boundary labels around them; the only Python loop runs over the rows (or, with 63
classes or more, the integer offsets) of the tolerance disc, never over pixels, images or classes.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .bands import bf_tolerance, boundary_width, dilate, disc_offsets, doubling_runs, label_edges, window_or_flat
from .inputs import LabelBatch
from .region import safe_divide

NUM_BAND_FLAGS = 4  # flag = 2 * (in target band) + (in predicted band)


def label_edge_pair(batch: LabelBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """``(target_edges, pred_edges)``: ``label_edges`` of the target and of pred' (frame not counted).

    pred' is the prediction with the target's void pixels set to void (DESIGN.md, "Metrics"): void is
    "don't care", so a prediction right on every non-void pixel has exactly the target's edges and bands,
    around void holes and along void outlines too. Both scores use these edges.
    """
    void = torch.full((), batch.void, dtype=batch.preds.dtype, device=batch.preds.device)
    return label_edges(batch.targets), label_edges(torch.where(batch.valid, batch.preds, void))


def band_flags(batch: LabelBatch, edges: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Per-pixel Boundary IoU band membership, to split a confusion count.

    In each image, with d = ``boundary_width(H, W)``, pixel p is in G (target band) when it lies in the inner
    band of the target mask of its own target class, and in P (predicted band) likewise for its class in
    pred'; void pixels count as "not in the mask" of every class in both maps, and the frame as outside.

    Args:
        batch: the label maps.
        edges: ``label_edge_pair(batch)``.

    Returns:
        ``(N, H, W)`` uint8 flags ``2 * G + P``, for ``confusion_counts(..., num_flags=4)``.
    """
    height, width = batch.preds.shape[-2:]
    radius = boundary_width(height, width) - 1  # band of width d = edge (frame included) dilated by d - 1
    in_target, in_pred = (dilate(_with_frame(e), radius).view(torch.uint8) for e in edges)
    return in_target * 2 + in_pred


def _with_frame(edges: torch.Tensor) -> torch.Tensor:
    """Edges with the frame counted as another label: the outermost ring of every image added."""
    edges = edges.clone()
    edges[:, [0, -1], :] = True
    edges[:, :, [0, -1]] = True
    return edges


def boundary_iou_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intersection and union of the Boundary IoU bands per image and class.

    Args:
        counts: ``(N, C, C, 4)`` from ``confusion_counts(..., flags=band_flags(batch), num_flags=4)``.

    Returns:
        ``(intersection, union)``, each ``(N, C)`` int64: ``|G_c and P_c|`` and ``|G_c or P_c|`` over the
        non-void pixels. G_c holds pixels of target c, P_c pixels predicted c, so they meet only where
        target == prediction == c and both bands hold the pixel.
    """
    in_target = counts[..., 2:].sum((-2, -1))  # (N, C): target class c, in G
    in_pred = counts[..., 1::2].sum((-3, -1))  # (N, C): predicted class c, in P
    inter = np.diagonal(counts[..., 3], axis1=-2, axis2=-1)
    return inter, in_target + in_pred - inter


def boundary_f1(batch: LabelBatch, num_classes: int, edges: tuple[torch.Tensor, torch.Tensor] | None = None):
    """BF score per image and class.

    Bg = edge(target == c), Bp = edge(pred' == c) (pred' = pred with the target's void pixels set to void):
    pixels of the mask with a pixel outside it among their 8 neighbours, the image frame being no edge; both
    restricted to non-void targets. theta = 0.0075 x image diagonal. Precision = share of Bp within Euclidean
    distance ``<= theta`` of Bg, recall = share of Bg within theta of Bp, F1 = 2PR / (P + R) (0 when
    P + R = 0); 0 when exactly one of Bg, Bp is empty.

    Args:
        batch: the label maps.
        num_classes: C.
        edges: ``label_edge_pair(batch)`` when already computed.

    Returns:
        ``(N, C)`` float64, NaN where both Bg and Bp are empty (undefined for that image).
    """
    height, width = batch.preds.shape[-2:]
    theta = bf_tolerance(height, width)
    reach, valid = int(math.floor(theta)), batch.valid
    target_edges, pred_edges = edges or label_edge_pair(batch)
    target_map = _edge_label_map(batch.targets, target_edges & valid, reach, num_classes)
    pred_map = _edge_label_map(batch.preds, pred_edges & valid, reach, num_classes)
    offsets = disc_offsets(theta)
    pred_total, pred_hit = _match_counts(pred_map, target_map, offsets, reach, num_classes)
    target_total, target_hit = _match_counts(target_map, pred_map, offsets, reach, num_classes)
    return _f1(pred_total, pred_hit, target_total, target_hit)


def _edge_label_map(labels: torch.Tensor, edges: torch.Tensor, reach: int, fill: int) -> torch.Tensor:
    """``(N, H + 2 reach, W + 2 reach)``: the label on edge pixels, ``fill`` elsewhere and in the margin.

    The margin lets a shift by any offset of the tolerance disc stay inside the same image's padded plane.
    """
    fill_value = torch.full((), fill, dtype=labels.dtype, device=labels.device)
    marked = torch.where(edges, labels, fill_value)
    return F.pad(marked, (reach, reach, reach, reach), value=fill)


def _match_counts(source: torch.Tensor, other: torch.Tensor, offsets, reach: int, num_classes: int):
    """For the edge pixels of ``source``: how many per image and class, and how many lie within the disc of an
    edge pixel of the same class in ``other``.

    Args:
        source, other: ``(N, H', W')`` edge-label maps from ``_edge_label_map`` (same size and fill).
        offsets: ``(dy, dx)`` of the tolerance disc, each within ``reach``.

    Returns:
        ``(total, matched)``, each ``(N, C)`` int64 numpy.
    """
    n, plane_h, plane_w = source.shape
    flat_source = source.flatten()
    where = torch.nonzero(flat_source < num_classes).squeeze(1)
    labels = flat_source[where]
    # Shifting by an offset is a view of a map starting further on; int32 indices gather fastest.
    start = reach * plane_w + reach
    index = (where - start).to(torch.int32 if flat_source.numel() < 2**31 else torch.int64)
    match = _match_by_bits if num_classes < 63 else _match_by_labels
    matched = match(other, index, labels, offsets, start, num_classes)
    image = torch.div(where, plane_h * plane_w, rounding_mode="floor")
    key = (image * num_classes + labels.long()) * 2 + matched.long()
    counts = torch.bincount(key, minlength=n * num_classes * 2).view(n, num_classes, 2).cpu().numpy()
    return counts.sum(-1), counts[..., 1]


def _match_by_labels(other, index, labels, offsets, start, num_classes) -> torch.Tensor:
    """One gather per offset of the disc: is the pixel at that offset an edge pixel of the same class?"""
    flat_other, plane_w = other.flatten(), other.shape[-1]
    matched = torch.zeros_like(labels, dtype=torch.bool)
    for dy, dx in offsets:
        matched |= torch.index_select(flat_other[start + dy * plane_w + dx :], 0, index) == labels
    return matched


def _match_by_bits(other, index, labels, offsets, start, num_classes) -> torch.Tensor:
    """One gather per row of the disc, for fewer than 63 classes.

    Each pixel of ``other`` becomes the bit ``1 << label`` (the fill label ``num_classes`` is a bit no
    source pixel asks for); a bitwise OR over the row segment ``[x - r, x + r]`` of the disc at row offset dy
    then answers "an edge pixel of class c within the disc" for all classes at once. The margin of ``other``
    (``reach >= r``) keeps every segment inside its own row.
    """
    dtype = next(t for t in (torch.uint8, torch.int16, torch.int32, torch.int64) if num_classes < torch.iinfo(t).bits)
    one, plane_w = torch.ones((), dtype=dtype, device=other.device), other.shape[-1]
    bits = torch.bitwise_left_shift(one, other.flatten().to(dtype))
    half_widths: dict[int, int] = {}
    for dy, dx in offsets:
        half_widths[dy] = max(half_widths.get(dy, 0), abs(dx))
    runs = doubling_runs(bits, 2 * max(half_widths.values()) + 1, step=1)  # shared by all row widths
    segments = {r: window_or_flat(bits, r, step=1, runs=runs) for r in set(half_widths.values())}  # centre j + r
    wanted = torch.bitwise_left_shift(one, labels.to(dtype))
    matched = torch.zeros_like(labels, dtype=torch.bool)
    for dy, r in half_widths.items():
        matched |= (torch.index_select(segments[r][start + dy * plane_w - r :], 0, index) & wanted) != 0
    return matched


def _f1(pred_total, pred_hit, target_total, target_hit) -> np.ndarray:
    precision, recall = safe_divide(pred_hit, pred_total), safe_divide(target_hit, target_total)
    f1 = safe_divide(2 * precision * recall, precision + recall)
    f1[(precision + recall) == 0] = 0.0
    f1[(pred_total == 0) | (target_total == 0)] = 0.0  # one boundary empty: nothing matched
    f1[(pred_total == 0) & (target_total == 0)] = np.nan  # both empty: undefined for this image
    return f1
