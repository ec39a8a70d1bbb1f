"""The Euclidean distances between two boundaries, one by one: what the Hausdorff distance and HD95 are made of.

HD95 and NSD (and BF's tolerance test) rest on one quantity: for each boundary pixel of one mask, the
Euclidean distance to the nearest boundary pixel of the other. For one image and class, with Bg and Bp the
BF edges of target and prediction (``boundary.label_edge_pair``, the edges ``evaluate`` scores):

- the **Hausdorff distance** is the largest of those distances, both ways:
  ``max(max d(Bp -> Bg), max d(Bg -> Bp))``, the farthest boundary pixel from the other boundary;
- **HD95** takes the 95th percentile instead of the maximum, per direction, then the larger of the two, so
  that the farthest 5% of boundary pixels (a stray pixel, a small far blob) do not decide it.

``evaluate(..., distances=True)`` finds these distances without pairing every two pixels; the functions
here pair them all (``(K, M)`` distances), which is slow but shows the definition, for small examples.
"""

from __future__ import annotations

import numpy as np
import torch

from .boundary import label_edge_pair
from .inputs import label_batches

MAX_PAIRS = 25_000_000  # K x M distances held at once: 200 MB of float64


def boundary_points(pred, target, class_id: int, *, num_classes: int, ignore_index: int = 255):
    """The boundary pixels of ``class_id`` in one prediction and its target, as ``(row, column)`` points.

    Args:
        pred: ``(H, W)`` class map (an array or a tensor), as for ``evaluate``.
        target: as ``pred``.
        class_id: the class whose boundaries are wanted.
        num_classes: as for ``evaluate``.
        ignore_index: as for ``evaluate`` (void target pixels are nobody's boundary).

    Returns:
        ``(Bp, Bg)``: int64 arrays ``(K, 2)`` and ``(M, 2)``, the BF edge pixels of the prediction (void where
        the target is void) and of the target, row-major.
    """
    if not 0 <= class_id < num_classes:
        raise ValueError(f"boundary_points: class_id {class_id} is not a class of 0..{num_classes - 1}.")
    (batch,) = label_batches(pred, target, num_classes, ignore_index)
    target_edges, pred_edges = label_edge_pair(batch)
    keep = batch.valid[0]
    bp = pred_edges[0] & keep & (batch.preds[0] == class_id)
    bg = target_edges[0] & keep & (batch.targets[0] == class_id)
    return torch.nonzero(bp).numpy(), torch.nonzero(bg).numpy()


def surface_distances(bp: np.ndarray, bg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Euclidean distance from each point of one boundary to the nearest point of the other, both ways.

    Args:
        bp: ``(K, 2)`` points, e.g. from :func:`boundary_points`; non-empty.
        bg: ``(M, 2)`` points, as ``bp``.

    Returns:
        ``(d(Bp -> Bg), d(Bg -> Bp))``: float64 arrays ``(K,)`` and ``(M,)``, in pixels. The Hausdorff
        distance is the larger of their maxima, HD95 the larger of their 95th percentiles.
    """
    bp, bg = np.asarray(bp, dtype=np.float64), np.asarray(bg, dtype=np.float64)
    if len(bp) == 0 or len(bg) == 0:
        raise ValueError(
            f"surface_distances: a boundary is empty ({len(bp)} and {len(bg)} points); a distance to nothing is "
            "undefined (evaluate scores it as the image diagonal). Pick a class present in both masks."
        )
    if len(bp) * len(bg) > MAX_PAIRS:
        raise ValueError(
            f"surface_distances: {len(bp)} x {len(bg)} point pairs is too many for this one-by-one definition; "
            "use evaluate(..., distances=True) for HD95 on large masks."
        )
    pairs = np.sqrt(((bp[:, None, :] - bg[None, :, :]) ** 2).sum(-1))  # (K, M)
    return pairs.min(axis=1), pairs.min(axis=0)
