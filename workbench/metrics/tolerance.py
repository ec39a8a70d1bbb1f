"""Scores over the tolerance: BF and NSD at each tau, Boundary IoU at each d of ``catalog.TOLERANCES``, from one pass.

Each rung equals a fresh evaluation at that tolerance (DESIGN.md "Metrics", "Scores over the tolerance"):

- BF and NSD: every edge pixel of Bp and Bg (``boundary.label_edge_pair``, non-void targets) gets its exact
  squared Euclidean distance to the nearest edge pixel of the same class on the other side, searched only as
  far as the largest tau (``hd95``'s row index, rings of rows). It is matched at tau exactly when that squared
  distance is ``<= tau**2``, as ``boundary.edge_matches`` decides with the disc of offsets ``<= tau``. One
  ``bincount`` of (image, class, first rung that matches) and a cumulative sum give the matched counts of
  every rung; ``bf_scores`` and ``surface_dice`` turn them into the cells, as at the default tolerance.
- Boundary IoU: a pixel is in the inner band of width d of its mask when it lies within chessboard distance
  d - 1 of an edge pixel, the frame included (``morphology``); the bands nest as d grows, so each pixel's first
  rung is the number of rungs whose band misses it. One ``bincount`` of (image, target, prediction, first
  target rung, first predicted rung) over the non-void pixels gives |G|, |P| and |G and P| at every d.

``tolerance_curve`` (its own module, no torch) derives each rung's dataset score from the summed counts.
"""

from __future__ import annotations

import numpy as np
import torch

from .boundary import EdgeMatches, _with_frame, bf_scores, surface_dice
from .catalog import TOLERANCES, ladder_names
from .confusion import MAX_BINS
from .hd95 import _edge_labels, _pair_counts, _RowIndex
from .inputs import LabelBatch
from .morphology import dilate


def ladder_counts(
    batch: LabelBatch, num_classes: int, edges: tuple[torch.Tensor, torch.Tensor], tolerances=TOLERANCES
) -> dict[str, np.ndarray]:
    """The count arrays of every rung (``catalog.ladder_names``), each ``(N, C)``.

    Args:
        batch: the label maps.
        num_classes: C.
        edges: ``boundary.label_edge_pair(batch)`` (frame no edge).
        tolerances: increasing integer tolerances in pixels.
    """
    matches = edge_match_ladder(batch, num_classes, edges, tolerances)
    inter, union = band_ladder(batch, num_classes, edges, tolerances)
    counts = {}
    for r, t in enumerate(tolerances):
        names, at_tau = ladder_names(t), matches[r]
        counts.update(
            {
                names["bf"]: bf_scores(at_tau),
                names["nsd"]: surface_dice(at_tau),
                names["inter"]: inter[..., r],
                names["union"]: union[..., r],
            }
        )
    return counts


def edge_match_ladder(
    batch: LabelBatch, num_classes: int, edges: tuple[torch.Tensor, torch.Tensor], tolerances=TOLERANCES
) -> list[EdgeMatches]:
    """``boundary.edge_matches`` at each tolerance, from one nearest-edge search up to the largest."""
    valid = batch.valid
    target_map = _edge_labels(batch.targets, edges[0] & valid, num_classes)
    pred_map = _edge_labels(batch.preds, edges[1] & valid, num_classes)
    target_total, pred_total = (_pair_counts(m, num_classes).cpu().numpy() for m in (target_map, pred_map))
    squares = torch.tensor([t * t for t in tolerances], dtype=torch.int64, device=batch.preds.device)
    pred_hits = _hits_by_rung(pred_map, target_map, num_classes, squares)
    target_hits = _hits_by_rung(target_map, pred_map, num_classes, squares)
    return [
        EdgeMatches(pred_total, pred_hits[..., r], target_total, target_hits[..., r]) for r in range(len(tolerances))
    ]


def _hits_by_rung(source: torch.Tensor, other: torch.Tensor, num_classes: int, squares: torch.Tensor) -> np.ndarray:
    """``(N, C, R)`` int64: edge pixels of ``source`` with an edge pixel of the same class in ``other`` within
    Euclidean distance ``sqrt(squares[r])``."""
    n, height, _ = source.shape
    rungs, limit = len(squares), int(squares[-1])
    image, y, x = torch.nonzero(source < num_classes, as_tuple=True)
    group = image * num_classes + source[image, y, x]
    best = torch.full_like(y, limit + 1)  # beyond the largest tolerance until found nearer
    rows, reach = _RowIndex(other, num_classes), int(limit**0.5)
    active = torch.arange(len(y), device=y.device)
    done, radius = -1, 0  # rows with |dy| <= done are searched; this ring adds done < |dy| <= radius
    while len(active) and done < min(reach, height - 1):
        ring = torch.arange(done + 1, radius + 1, device=y.device)
        offsets = torch.cat([ring, -ring[ring > 0]])
        found = rows.nearest_squared(group[active], y[active, None] + offsets, x[active, None], offsets)
        best[active] = torch.minimum(best[active], found)
        done, radius = radius, min(2 * radius + 1, reach, height - 1)
        active = active[best[active] > (done + 1) ** 2]  # a farther row could still be nearer
    first = torch.searchsorted(squares, best)  # the first rung whose tau**2 >= the squared distance (R: none)
    key = group * (rungs + 1) + first
    per_rung = torch.bincount(key, minlength=n * num_classes * (rungs + 1)).view(n, num_classes, rungs + 1)
    return per_rung[..., :rungs].cumsum(-1).cpu().numpy()


def band_ladder(
    batch: LabelBatch, num_classes: int, edges: tuple[torch.Tensor, torch.Tensor], tolerances=TOLERANCES
) -> tuple[np.ndarray, np.ndarray]:
    """Boundary IoU's ``(intersection, union)`` per image, class and band width d, each ``(N, C, R)`` int64."""
    n, c, rungs = len(batch.preds), num_classes, len(tolerances)
    firsts = []
    for side in edges:  # target, then pred' (void already "not in the mask" in both edge maps)
        framed, missed = _with_frame(side), torch.zeros(side.shape, dtype=torch.uint8, device=side.device)
        for d in tolerances:
            missed += ~dilate(framed, d - 1)
        firsts.append(missed.long())  # the first rung whose band holds the pixel (R: none)
    side = rungs + 1
    key = ((batch.targets.long() * c + batch.preds.long()) * side + firsts[0]) * side + firsts[1]
    bins = c * c * side * side
    step = max(1, MAX_BINS // bins)  # a few images per bincount with many classes, to bound its memory
    counts = np.concatenate(
        [
            torch.bincount(
                (key[i : i + step] + torch.arange(len(key[i : i + step]), device=key.device).view(-1, 1, 1) * bins)[
                    batch.valid[i : i + step]
                ],
                minlength=len(key[i : i + step]) * bins,
            )
            .cpu()
            .numpy()
            for i in range(0, n, step)
        ]
    ).reshape(n, c, c, side, side)
    in_target = counts.sum((2, 4)).cumsum(-1)[..., :rungs]  # (N, C, R): target c, first target rung <= r
    in_pred = counts.sum((1, 3)).cumsum(-1)[..., :rungs]
    same = np.diagonal(counts, axis1=1, axis2=2)  # (N, side, side, C): target == prediction == c
    both = np.maximum.outer(np.arange(side), np.arange(side))  # a pixel is in both bands from this rung on
    inter = np.stack([same[:, both <= r].sum(1) for r in range(rungs)], axis=-1)
    return inter, in_target + in_pred - inter
