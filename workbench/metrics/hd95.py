"""HD95: the 95th-percentile Hausdorff distance between target and predicted boundaries, per image and class.

Bg and Bp are the BF edges (``boundary.label_edge_pair``, restricted to non-void targets). For each image and
class with both non-empty, the exact Euclidean distance from every pixel of Bp to the nearest pixel of Bg,
and from every pixel of Bg to the nearest of Bp, is found without a distance map:

1. The other map's edge pixels, sorted by (image, class, row, column), answer "nearest edge pixel of this
   class along row y'" for a whole batch of questions with one ``searchsorted``.
2. For a query pixel (y, x) the distance is ``min over rows y'`` of ``dx(y')**2 + (y - y')**2`` (the
   separable form of Felzenszwalb and Huttenlocher's distance transform). Rows are searched in rings
   ``|y - y'| <= 0, 1, 3, 7, ...``; a query leaves once its best squared distance is at most the next ring's
   ``dy**2``, since no farther row can beat it. Most boundary pixels lie a few pixels from the other
   boundary, so most queries finish within a few rows; a far-away spurious blob costs rows in proportion
   to its distance. Only the two ranks around the 95th percentile need exact values: a query still open is
   at least as far as every settled one, so a pair stops searching once its settled queries reach those
   ranks (its far 5% keep an upper bound). (Comparing far queries with every pixel of the other boundary
   instead was slower on CamVid, whose boundaries hold thousands of pixels.)

``monai_hd95`` gives the same cells with MONAI's conventions (``compute_hausdorff_distance(percentile=95)``),
for ``Scores.conventions()``: its edges, and NaN where one side is empty.

Squared distances are integers, so the per-pair 95th percentiles come from one integer sort of
``(pair, squared distance)`` keys, with numpy's default linear interpolation. Every step is a whole-batch
tensor operation on the batch's device; the only Python loop runs over the rings (at most log2(H) + 1).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .boundary import label_edge_pair
from .inputs import LabelBatch

PERCENTILE = 0.95
_FAR = 1 << 40  # farther than any squared distance in an image (the row index's "none")


def boundary_hd95(
    batch: LabelBatch, num_classes: int, edges: tuple[torch.Tensor, torch.Tensor], *, one_empty: float | None = None
) -> np.ndarray:
    """HD95 per image and class, in pixels.

    Args:
        batch: the label maps.
        num_classes: C.
        edges: ``label_edge_pair(batch)`` (target edges, pred' edges; the frame is no edge).
        one_empty: the cell where exactly one of Bg, Bp is empty; None: the image diagonal (DESIGN.md).

    Returns:
        ``(N, C)`` float64: NaN where Bg and Bp are both empty, ``one_empty`` where exactly one is, else
        ``max(p95(d(Bp -> Bg)), p95(d(Bg -> Bp)))``.
    """
    n, height, width = batch.preds.shape
    valid = batch.valid
    target_map = _edge_labels(batch.targets, edges[0] & valid, num_classes)
    pred_map = _edge_labels(batch.preds, edges[1] & valid, num_classes)
    count_g, count_p = _pair_counts(target_map, num_classes), _pair_counts(pred_map, num_classes)
    both = (count_g > 0) & (count_p > 0)
    out = torch.full((n, num_classes), math.nan, dtype=torch.float64, device=batch.preds.device)
    out[(count_g > 0) ^ (count_p > 0)] = math.hypot(height, width) if one_empty is None else one_empty
    pairs = torch.nonzero(both.flatten()).squeeze(1)  # active (image, class) pairs, as n * C + c
    if len(pairs):
        slot = torch.full((n * num_classes,), -1, dtype=torch.int64, device=pairs.device)
        slot[pairs] = torch.arange(len(pairs), device=pairs.device)
        pred_to_target = _directed_p95(pred_map, target_map, pairs, slot, num_classes)
        target_to_pred = _directed_p95(target_map, pred_map, pairs, slot, num_classes)
        out.view(-1)[pairs] = torch.maximum(pred_to_target, target_to_pred)
    return out.cpu().numpy()


def monai_hd95(batch: LabelBatch, num_classes: int) -> np.ndarray:
    """HD95 per image and class as MONAI's ``compute_hausdorff_distance(percentile=95)`` computes it.

    MONAI takes a mask's edge from scipy's default (cross-shaped) erosion, with the image frame outside the
    mask: 4-neighbour edges, the frame an edge. Where exactly one of Bg, Bp is empty it gives NaN. Void is
    handled as by MONAI's ``ignore_index`` (void pixels in no class's mask, in target and prediction alike),
    which is pred'.

    Returns:
        ``(N, C)`` float64, NaN where either edge is empty.
    """
    edges = label_edge_pair(batch, frame_is_edge=True, connectivity=4)
    return boundary_hd95(batch, num_classes, edges, one_empty=math.nan)


def _edge_labels(labels: torch.Tensor, edges: torch.Tensor, fill: int) -> torch.Tensor:
    """``(N, H, W)`` int64: the class on edge pixels, ``fill`` (= C) elsewhere."""
    return torch.where(edges, labels.long(), torch.full((), fill, dtype=torch.int64, device=labels.device))


def _pair_counts(label_map: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``(N, C)`` edge pixels per image and class."""
    n = len(label_map)
    key = label_map + torch.arange(n, device=label_map.device).view(n, 1, 1) * (num_classes + 1)
    return torch.bincount(key.flatten(), minlength=n * (num_classes + 1)).view(n, num_classes + 1)[:, :num_classes]


def _directed_p95(source: torch.Tensor, other: torch.Tensor, pairs, slot, num_classes: int) -> torch.Tensor:
    """For each active pair: the 95th percentile of the distances from its ``source`` edge pixels to the
    nearest ``other`` edge pixel of the same class and image. Returns ``(P,)`` float64."""
    _, height, width = source.shape
    rows = _RowIndex(other, num_classes)
    image, y, x = torch.nonzero(source < num_classes, as_tuple=True)
    group = image * num_classes + source[image, y, x]
    pair = slot[group]
    keep = pair >= 0
    group, pair, y, x = group[keep], pair[keep], y[keep], x[keep]
    span = height * height + width * width
    best = torch.full_like(y, span)
    active = torch.arange(len(y), device=y.device)
    needed = _percentile_ranks(torch.bincount(pair, minlength=len(pairs)))[1]
    done, radius = -1, 0  # rows with |dy| <= done are searched; this ring adds done < |dy| <= radius
    while len(active) and done < height - 1:
        ring = torch.arange(done + 1, radius + 1, device=y.device)
        offsets = torch.cat([ring, -ring[ring > 0]])
        found = rows.nearest_squared(group[active], y[active, None] + offsets, x[active, None], offsets)
        best[active] = torch.minimum(best[active], found)
        done, radius = radius, min(2 * radius + 1, height - 1)
        active = active[best[active] > (done + 1) ** 2]  # a farther row could still be nearer
        # Every open query is at least as far as every settled one of its pair, so a pair whose settled
        # queries already fill the ranks the percentile reads is done; its open ones keep an upper bound.
        open_count = torch.bincount(pair[active], minlength=len(pairs))
        settled = torch.bincount(pair, minlength=len(pairs)) - open_count
        active = active[settled[pair[active]] <= needed[pair[active]]]
    return _grouped_percentile(pair, best, len(pairs), span)


class _RowIndex:
    """The edge pixels of a label map, sorted by (image, class, row, column), to ask for the nearest one of a
    class along given rows: one ``searchsorted`` per batch of questions."""

    def __init__(self, label_map: torch.Tensor, num_classes: int):
        self.height, self.width = label_map.shape[-2:]
        image, y, x = torch.nonzero(label_map < num_classes, as_tuple=True)
        group = image * num_classes + label_map[image, y, x]
        self.keys = torch.sort((group * self.height + y) * self.width + x).values

    def nearest_squared(self, group, rows, columns, offsets) -> torch.Tensor:
        """``(q,)``: the smallest ``dx**2 + dy**2`` to an edge pixel of ``group`` (image * C + class) over
        ``rows`` ``(q, m)``, which lie ``offsets`` ``(m,)`` from the query row; ``_FAR`` where there is none."""
        inside = (rows >= 0) & (rows < self.height)
        row_key = (group[:, None] * self.height + rows.clamp(0, self.height - 1)) * self.width
        query = row_key + columns
        index = torch.searchsorted(self.keys, query)
        last = len(self.keys) - 1
        after, before = self.keys[index.clamp(max=last)], self.keys[(index - 1).clamp(min=0)]
        dx_after = torch.where((index <= last) & (after - row_key < self.width), after - query, _FAR)
        dx_before = torch.where((index > 0) & (before >= row_key), query - before, _FAR)
        dx = torch.minimum(dx_after, dx_before).clamp(max=self.width)  # width: no edge pixel in that row
        return torch.where(inside & (dx < self.width), dx * dx + offsets * offsets, _FAR).amin(1)


def _grouped_percentile(group: torch.Tensor, squared: torch.Tensor, num_groups: int, span: int) -> torch.Tensor:
    """numpy-style linear 95th percentile of ``sqrt(squared)`` within each group; ``(num_groups,)`` float64."""
    order = torch.sort(group * (span + 1) + squared).values
    values = (order % (span + 1)).double().sqrt()
    sizes = torch.bincount(group, minlength=num_groups)
    starts = torch.cumsum(sizes, 0) - sizes
    low, high, fraction = _percentile_ranks(sizes)
    a, b = values[starts + low], values[starts + high]
    return a + (b - a) * fraction


def _percentile_ranks(sizes: torch.Tensor):
    """``(low, high, fraction)``: the sorted ranks numpy's linear percentile interpolates between, per group."""
    position = PERCENTILE * (sizes - 1).double()
    low = position.floor().long()
    return low, torch.minimum(low + 1, sizes - 1), position - low.double()
