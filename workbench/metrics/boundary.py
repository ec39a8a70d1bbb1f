"""Boundary scores of a batch of equal-size label maps: Boundary IoU counts, per-image BF and NSD scores.

- Boundary IoU (Cheng et al., "Boundary IoU: Improving Object-Centric Image Segmentation Evaluation",
  CVPR 2021): per class, the inner bands of width d of the target and predicted masks, compared by IoU.
- BF score (Csurka et al., "What is a good evaluation measure for semantic segmentation?", BMVC 2013, as in
  MATLAB's ``bfscore``): per image and class, precision and recall of boundary pixels matched within a
  distance tolerance theta, combined as F1.
- NSD, normalised surface Dice (Nikolov et al., "Clinically applicable segmentation of head and neck anatomy
  for radiotherapy", JMIR 2021): per image and class, the share of both boundaries' pixels matched within a
  tolerance tau; at tau = theta it reads the very counts of the BF matching.

All classes are handled at once on label maps (see ``morphology``). BF matching gathers, for the boundary pixels
only, the other map's boundary labels around them; the only Python loop runs over the rows (or, with 63
classes or more, the integer offsets) of the tolerance disc, never over pixels, images or classes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from .inputs import LabelBatch
from .morphology import dilate, disc_offsets, doubling_levels, label_edges
from .notes import bf_tolerance, boundary_width
from .region import safe_divide

NUM_BAND_FLAGS = 4  # flag = 2 * (in target band) + (in predicted band)


def label_edge_pair(batch: LabelBatch, **options) -> tuple[torch.Tensor, torch.Tensor]:
    """``(target_edges, pred_edges)``: ``label_edges`` of the target and of pred' (frame not counted).

    pred' is the prediction with the target's void pixels set to void (DESIGN.md, "Metrics"): void is
    "don't care", so a prediction right on every non-void pixel has exactly the target's edges and bands,
    around void holes and along void outlines too. Both scores use these edges.

    Args:
        batch: the label maps.
        options: for ``label_edges`` (``frame_is_edge``, ``connectivity``), for another tool's edges.
    """
    pred = _where(batch.valid, batch.preds, batch.void)
    return label_edges(batch.targets, **options), label_edges(pred, **options)


def _where(mask: torch.Tensor, labels: torch.Tensor, fill: int) -> torch.Tensor:
    """``torch.where(mask, labels, fill)`` for integer maps, by arithmetic (wrapping in uint8).

    On the CPU, ``torch.where`` and comparisons with a scalar take a slow path for uint8 maps, 10-40 times
    slower than this whole-array arithmetic.
    """
    return (labels - fill) * mask.view(torch.uint8) + fill


def band_flags(batch: LabelBatch, edges: tuple[torch.Tensor, torch.Tensor], d: int | None = None) -> torch.Tensor:
    """Per-pixel Boundary IoU band membership, to split a confusion count.

    In each image, with d = ``boundary_width(H, W)`` (or as given), pixel p is in G (target band) when it lies in
    the inner band of the target mask of its own target class, and in P (predicted band) likewise for its class in
    pred'; void pixels count as "not in the mask" of every class in both maps, and the frame as outside.

    Args:
        batch: the label maps.
        edges: ``label_edge_pair(batch)``.
        d: the band width in pixels (an integer >= 1); None: Boundary IoU's ``boundary_width(H, W)``.

    Returns:
        ``(N, H, W)`` uint8 flags ``2 * G + P``, for ``confusion_counts(..., num_flags=4)``.
    """
    height, width = batch.preds.shape[-2:]
    d = boundary_width(height, width) if d is None else int(d)
    radius = d - 1  # band of width d = edge (frame included) dilated by d - 1
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


class EdgeMatches(NamedTuple):
    """The BF matching of a batch, per image and class: each ``(N, C)`` int64.

    Attributes:
        pred_total, target_total: edge pixels of pred' (|Bp|) and of the target (|Bg|).
        pred_hit, target_hit: those within Euclidean distance ``<=`` the tolerance of the other boundary.
    """

    pred_total: np.ndarray
    pred_hit: np.ndarray
    target_total: np.ndarray
    target_hit: np.ndarray


def edge_matches(
    batch: LabelBatch,
    num_classes: int,
    edges: tuple[torch.Tensor, torch.Tensor] | None = None,
    tolerance: float | None = None,
) -> EdgeMatches:
    """Match the boundary pixels of target and pred' within a tolerance, per image and class.

    Bg = edge(target == c), Bp = edge(pred' == c) (pred' = pred with the target's void pixels set to void):
    pixels of the mask with a pixel outside it among their 8 neighbours, the image frame being no edge; both
    restricted to non-void targets. A pixel of one boundary matches when a pixel of the other lies within
    Euclidean distance ``<= tolerance``.

    Args:
        batch: the label maps.
        num_classes: C.
        edges: ``label_edge_pair(batch)`` when already computed.
        tolerance: in pixels; None: BF's theta = 0.0075 x image diagonal (``bf_tolerance``), not rounded.
    """
    height, width = batch.preds.shape[-2:]
    theta = bf_tolerance(height, width) if tolerance is None else float(tolerance)
    reach, valid = int(math.floor(theta)), batch.valid
    target_edges, pred_edges = edges or label_edge_pair(batch)
    # The margin lets a shift by any offset of the tolerance disc stay inside the same image's padded plane.
    target_mask, pred_mask = (F.pad(e & valid, (reach, reach, reach, reach)) for e in (target_edges, pred_edges))
    target_map = _edge_label_map(batch.targets, target_mask, reach, num_classes)
    pred_map = _edge_label_map(batch.preds, pred_mask, reach, num_classes)
    offsets = disc_offsets(theta)
    pred_total, pred_hit = _match_counts(pred_map, pred_mask, target_map, offsets, reach, num_classes)
    target_total, target_hit = _match_counts(target_map, target_mask, pred_map, offsets, reach, num_classes)
    return EdgeMatches(pred_total, pred_hit, target_total, target_hit)


def boundary_f1(batch: LabelBatch, num_classes: int, edges: tuple[torch.Tensor, torch.Tensor] | None = None):
    """BF score per image and class (``bf_scores`` of ``edge_matches`` at theta = 0.0075 x image diagonal).

    Returns:
        ``(N, C)`` float64, NaN where both Bg and Bp are empty (undefined for that image).
    """
    return bf_scores(edge_matches(batch, num_classes, edges))


def bf_scores(matches: EdgeMatches) -> np.ndarray:
    """BF score per image and class from the matching at theta: precision = share of Bp matched, recall =
    share of Bg matched, F1 = 2PR / (P + R) (0 when P + R = 0); 0 when exactly one of Bg, Bp is empty.

    Returns:
        ``(N, C)`` float64, NaN where both Bg and Bp are empty (undefined for that image).
    """
    pred_total, pred_hit, target_total, target_hit = matches
    precision, recall = safe_divide(pred_hit, pred_total), safe_divide(target_hit, target_total)
    f1 = safe_divide(2 * precision * recall, precision + recall)
    f1[(precision + recall) == 0] = 0.0
    f1[(pred_total == 0) | (target_total == 0)] = 0.0  # one boundary empty: nothing matched
    f1[(pred_total == 0) & (target_total == 0)] = np.nan  # both empty: undefined for this image
    return f1


def surface_dice(matches: EdgeMatches) -> np.ndarray:
    """NSD per image and class (Nikolov et al. 2021): ``(|Bp matched| + |Bg matched|) / (|Bp| + |Bg|)``.

    Args:
        matches: ``edge_matches`` at the tolerance tau (the evaluator's default: BF's theta, whose matching
            the BF score already did).

    Returns:
        ``(N, C)`` float64, NaN where both Bg and Bp are empty (undefined for that image), 0 where exactly
        one is (nothing can match).
    """
    return safe_divide(matches.pred_hit + matches.target_hit, matches.pred_total + matches.target_total)


def _edge_label_map(labels: torch.Tensor, edges: torch.Tensor, reach: int, fill: int) -> torch.Tensor:
    """``(N, H + 2 reach, W + 2 reach)``: the label on edge pixels, ``fill`` elsewhere and in the margin.

    Args:
        labels: ``(N, H, W)``.
        edges: ``(N, H + 2 reach, W + 2 reach)`` bool, the edge pixels in the padded plane.
    """
    return _where(edges, F.pad(labels, (reach, reach, reach, reach), value=fill), fill)


def _match_counts(
    source: torch.Tensor, source_edges: torch.Tensor, other: torch.Tensor, offsets, reach: int, num_classes: int
):
    """For the edge pixels of ``source``: how many per image and class, and how many lie within the disc of an
    edge pixel of the same class in ``other``.

    Args:
        source, other: ``(N, H', W')`` edge-label maps from ``_edge_label_map`` (same size and fill).
        source_edges: ``(N, H', W')`` bool, where ``source`` holds a label.
        offsets: ``(dy, dx)`` of the tolerance disc, each within ``reach``.

    Returns:
        ``(total, matched)``, each ``(N, C)`` int64 numpy.
    """
    n, plane_h, plane_w = source.shape
    flat_source = source.flatten()
    where = torch.nonzero(source_edges.flatten()).squeeze(1)
    labels = torch.index_select(flat_source, 0, where)
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
    """Two gathers per row of the disc and group of 8 classes, for fewer than 63 classes.

    For the classes ``g .. g + 7`` of a group, each pixel of ``other`` becomes the byte ``1 << (label - g)``
    (0 for other labels; the fill label ``num_classes`` is a bit no source pixel asks for). The row segment
    ``[x - r, x + r]`` of the disc at row offset dy is covered by two runs of ``2**k <= 2 r + 1`` pixels
    (van Herk / Gil-Werman), so the bitwise OR of two gathered run bytes answers "an edge pixel of class c
    within the segment" for the group's classes at once. The runs are ORs over the whole plane, in bytes (a
    small working set), the gathers only at the group's source pixels; the margin of ``other``
    (``reach >= r``) keeps every segment inside its own row.
    """
    flat, plane_w = other.flatten().to(torch.uint8), other.shape[-1]
    one = torch.ones((), dtype=torch.uint8, device=other.device)
    rows = sorted(_row_half_widths(offsets).items(), key=lambda row: abs(row[0]))
    matched = torch.zeros_like(labels, dtype=torch.bool)
    for group in range(0, num_classes, 8):
        mine = torch.nonzero((labels >= group) & (labels < group + 8)).squeeze(1)
        if len(mine):
            bits = torch.bitwise_left_shift(one, flat - group)  # labels below the group wrap round: no bit
            wanted = torch.bitwise_left_shift(one, labels[mine].to(torch.uint8) - group)
            matched[mine] = _match_rows(bits, _Unmatched(index[mine], wanted), rows, start, plane_w)
    return matched


def _match_rows(bits: torch.Tensor, unmatched: _Unmatched, rows, start: int, plane_w: int) -> torch.Tensor:
    """Gather the disc's rows ``(dy, r)`` of ``bits`` for the unmatched pixels; which of them matched.

    Most edge pixels of a fair prediction match within a few rows of the centre, so the widest rows (those
    of the centre's run length) come first, from the centre out, and matched pixels are dropped as they are
    found; the other rows, in a second pass over the runs, see only the pixels still unmatched.
    """
    level_of = {dy: (2 * r + 1).bit_length() - 1 for dy, r in rows}
    top = level_of[rows[0][0]]
    widest, others = ([row for row in rows if (level_of[row[0]] == top) == first] for first in (True, False))
    for pass_rows in (widest, others):
        if not pass_rows or not unmatched.count():
            continue
        for level, run in enumerate(doubling_levels(bits, 1 << max(level_of[dy] for dy, _ in pass_rows), step=1)):
            for dy, r in (row for row in pass_rows if level_of[row[0]] == level):
                first = start + dy * plane_w - r
                unmatched.gather(run, first)  # the run starting at the segment's first pixel ...
                unmatched.gather(run, first + 2 * r + 1 - (1 << level))  # ... and the one ending at its last
    return unmatched.matched()


class _Unmatched:
    """The source pixels not matched yet: gather positions, wanted class bits and the bits found so far.

    Matched pixels are dropped after 1, 3, 7, 15, ... rows, so the cost of dropping stays below that of the
    gathers it saves.
    """

    def __init__(self, index: torch.Tensor, wanted: torch.Tensor):
        self.index, self.wanted, self.found = index, wanted, torch.zeros_like(wanted)
        self.positions = torch.arange(len(index), device=index.device)
        self.hits = torch.zeros(len(index), dtype=torch.bool, device=index.device)
        self.gathers = 0

    def count(self) -> int:
        return len(self.index)

    def gather(self, run: torch.Tensor, first: int) -> None:
        self.found |= torch.index_select(run[first:], 0, self.index)
        self.gathers += 1
        rows = self.gathers // 2  # two gathers per row
        if self.gathers % 2 == 0 and rows & (rows + 1) == 0:
            self.drop_matched()

    def drop_matched(self) -> None:
        hit = (self.found & self.wanted) != 0
        self.hits[self.positions[hit]] = True
        keep = torch.nonzero(~hit).squeeze(1)
        self.index, self.wanted, self.found, self.positions = (
            torch.index_select(t, 0, keep) for t in (self.index, self.wanted, self.found, self.positions)
        )

    def matched(self) -> torch.Tensor:
        """``(M,)`` bool, one per source pixel in the order given."""
        self.drop_matched()
        return self.hits


def _row_half_widths(offsets) -> dict[int, int]:
    """``{dy: r}``: the disc's row at offset dy spans ``dx`` in ``[-r, r]``."""
    half_widths: dict[int, int] = {}
    for dy, dx in offsets:
        half_widths[dy] = max(half_widths.get(dy, 0), abs(dx))
    return half_widths
