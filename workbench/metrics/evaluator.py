"""Streaming evaluation: ``SegmentationEvaluator.update`` per batch, ``compute`` at the end; ``evaluate`` at once.

The state is the per-image statistics of every image seen (``ImageStats``, a few numbers per image and
class); ``compute`` sums them, ``all_reduce`` gathers them from every rank, so the result equals a single pass
over the whole dataset, and any subset or bootstrap resample can be rescored afterwards.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from .boundary import (
    NUM_BAND_FLAGS,
    band_flags,
    bf_scores,
    boundary_iou_counts,
    edge_matches,
    label_edge_pair,
    surface_dice,
)
from .catalog import COUNTED, COUNTS, DISTANCE_COUNTS, ERROR_KINDS, LADDER_COUNTS
from .confusion import confusion_counts
from .error_kinds import error_kind_counts
from .gather import all_gather_stats
from .hd95 import boundary_hd95, monai_hd95
from .image_stats import ImageStats
from .inputs import LabelBatch, check_num_classes, label_batches
from .scores import Scores
from .threads import single_threaded
from .tolerance import ladder_counts


def batch_stats(
    batch: LabelBatch,
    num_classes: int,
    ignore_index: int,
    *,
    boundary: bool = True,
    distances: bool = False,
    nsd_tolerance: float | None = None,
    errors: bool = False,
    tolerances: bool = False,
    boundary_iou_d: int | None = None,
) -> ImageStats:
    """Per-image statistics of one batch of equal-size images: one ``bincount`` plus the BF matching.

    Args:
        batch: checked label maps from ``label_batches``.
        num_classes: C.
        ignore_index: recorded in the statistics.
        boundary: False skips the boundary scores (zero band counts, NaN BF and NSD: region scores only, faster).
        distances: True adds HD95 cells, ours and MONAI's (for ``Scores.conventions()``).
        nsd_tolerance: NSD's tau in pixels; None: BF's theta (0.0075 x image diagonal), whose matching the BF
            cells already count; another tau costs a second matching pass.
        errors: True adds the error breakdown's six count arrays (``error_kinds``).
        tolerances: True adds BF, NSD and Boundary IoU at every rung of ``catalog.TOLERANCES`` (``tolerance``).
        boundary_iou_d: Boundary IoU's band width d in pixels; None: ``boundary_width(H, W)`` of each image size.

    Returns:
        ``ImageStats`` of the batch's images, in batch order.
    """
    n, c = len(batch.preds), num_classes
    edges = label_edge_pair(batch) if boundary or distances or tolerances else None
    cells = {"hd95": boundary_hd95(batch, c, edges), "hd95_monai": monai_hd95(batch, c)} if distances else {}
    cells.update(error_kind_counts(batch, c) if errors else {})
    cells.update(ladder_counts(batch, c, edges) if tolerances else {})
    if not boundary:
        confusion = confusion_counts(batch.preds, batch.targets, c).cpu().numpy()
        empty = np.zeros((n, c), dtype=np.int64)
        undefined = np.full((n, c), np.nan)
        counts = {"boundary_inter": empty, "boundary_union": empty, "bf": undefined, "nsd": undefined, **cells}
        return _sparse_stats(confusion, counts, ignore_index)
    flags = band_flags(batch, edges, boundary_iou_d)
    split = confusion_counts(batch.preds, batch.targets, c, flags=flags, num_flags=NUM_BAND_FLAGS).cpu().numpy()
    inter, union = boundary_iou_counts(split)
    matches = edge_matches(batch, c, edges)
    at_tau = matches if nsd_tolerance is None else edge_matches(batch, c, edges, tolerance=nsd_tolerance)
    counts = {
        "boundary_inter": inter,
        "boundary_union": union,
        "bf": bf_scores(matches),
        "nsd": surface_dice(at_tau),
        **cells,
    }
    return _sparse_stats(split.sum(-1), counts, ignore_index)


def _sparse_stats(confusion: np.ndarray, counts: dict[str, np.ndarray], ignore_index: int) -> ImageStats:
    """``ImageStats`` from dense ``(N, C, C)`` per-image confusion matrices (kept as their non-zero rows) and
    the arrays of ``catalog.COUNTS``, cast to their declared dtypes."""
    where = np.nonzero(confusion)  # row-major: sorted by image, target, pred
    rows = np.stack([*where, confusion[where]], axis=1).astype(np.int64).reshape(-1, 4)
    typed = {
        a.name: counts[a.name].astype(np.int64 if a.kind == "sum" else np.float64) for a in COUNTS if a.name in counts
    }
    return ImageStats(rows, typed, ignore_index=ignore_index)


def empty_stats(
    num_classes: int, ignore_index: int, *, distances: bool = False, errors: bool = False, tolerances: bool = False
) -> ImageStats:
    """Statistics of no image."""
    names = (
        COUNTED
        + (DISTANCE_COUNTS if distances else ())
        + (ERROR_KINDS if errors else ())
        + (LADDER_COUNTS if tolerances else ())
    )
    return _sparse_stats(
        np.zeros((0, num_classes, num_classes), dtype=np.int64),
        {name: np.zeros((0, num_classes)) for name in names},
        ignore_index,
    )


class SegmentationEvaluator:
    """Accumulates region and boundary scores over batches (definitions in DESIGN.md, "Metrics").

    Args:
        num_classes: C; class ids are ``0..C-1``.
        ignore_index: target value of void pixels, left out of every score.
        device: the device ``all_reduce`` sends the statistics through (under NCCL the rank's CUDA device);
            None: the device of the first batch. Each batch is scored on its own device; the statistics,
            a few numbers per image and class, are kept in numpy.
        boundary: False skips Boundary IoU, BF and NSD (their scores come out NaN), for fast validation loops.
        per_image: False makes ``per_image()`` refuse, to catch a caller that asks for the table of an
            evaluator meant for running scores only. It saves no memory and no time: the per-image statistics
            are kept either way (every score, the bootstrap included, is summed from them; they are a few
            numbers per image and class), and ``compute().image_stats`` holds them.
        distances: True also scores HD95 (``class_hd95``, ``hd95`` in ``as_dict()``; DESIGN.md "Metrics"),
            which needs unbounded distance searches and so is opt-in.
        nsd_tolerance: NSD's tolerance tau in pixels, the same for every image size. Default None: BF's
            theta = 0.0075 x image diagonal, read from the BF matching at no cost; another tau costs a second
            matching pass.
        errors: True also counts the error breakdown (``Scores.error_breakdown()``; Bernhard et al. 2024),
            opt-in since its connected components cost about 15 times the rest of the evaluation.
        tolerances: True also counts BF, NSD and Boundary IoU at every tolerance of ``catalog.TOLERANCES``
            (``Scores.tolerance_curve``), each rung equal to a fresh evaluation at that tolerance.
        boundary_iou_d: Boundary IoU's band width d in pixels for every image size; None (the default):
            ``max(1, round(0.02 x image diagonal))``.

    Example:
        >>> evaluator = SegmentationEvaluator(num_classes=11)
        >>> for images, masks in loader:
        ...     evaluator.update(model(images).argmax(1), masks)
        >>> scores = evaluator.compute()
    """

    def __init__(
        self,
        num_classes: int,
        ignore_index: int = 255,
        *,
        device=None,
        boundary: bool = True,
        per_image: bool = True,
        distances: bool = False,
        nsd_tolerance: float | None = None,
        errors: bool = False,
        tolerances: bool = False,
        boundary_iou_d: int | None = None,
    ):
        check_num_classes(num_classes, ignore_index)
        if nsd_tolerance is not None and not (math.isfinite(nsd_tolerance) and nsd_tolerance >= 0):
            raise ValueError(
                f"nsd_tolerance must be a finite distance >= 0 in pixels, got {nsd_tolerance}; pass None "
                "for BF's theta (0.0075 x image diagonal)."
            )
        if boundary_iou_d is not None and (int(boundary_iou_d) != boundary_iou_d or boundary_iou_d < 1):
            raise ValueError(
                f"boundary_iou_d must be an integer band width >= 1 in pixels, got {boundary_iou_d!r}; "
                "pass None for max(1, round(0.02 x image diagonal))."
            )
        self.nsd_tolerance, self.boundary_iou_d = nsd_tolerance, boundary_iou_d
        self.num_classes, self.ignore_index = int(num_classes), int(ignore_index)
        self.device = None if device is None else torch.device(device)
        self.boundary, self.keep_per_image, self.distances = boundary, per_image, distances
        self.errors, self.tolerances = errors, tolerances
        self.reset()

    def reset(self) -> None:
        """Forget every batch seen so far."""
        self._parts: list[ImageStats] = []

    @single_threaded
    def update(self, preds, targets) -> None:
        """Add a batch.

        Args:
            preds: predicted class maps (not logits): ``(N, H, W)``, ``(H, W)`` or a list of ``(H, W)``,
                tensors or numpy arrays; sizes may differ between list items.
            targets: target maps in the same layout; class ids or ``ignore_index``.
        """
        batches = label_batches(preds, targets, self.num_classes, self.ignore_index)
        if self.device is None:
            self.device = batches[0].preds.device
        parts = [
            batch_stats(
                batch,
                self.num_classes,
                self.ignore_index,
                boundary=self.boundary,
                distances=self.distances,
                nsd_tolerance=self.nsd_tolerance,
                errors=self.errors,
                tolerances=self.tolerances,
                boundary_iou_d=self.boundary_iou_d,
            )
            for batch in batches
        ]
        order = np.argsort(np.concatenate([batch.positions for batch in batches]), kind="stable")
        self._parts.append(ImageStats.concat(parts).subset(order))  # back in the caller's order

    def image_stats(self) -> ImageStats:
        """The per-image statistics of every image seen, in order (after ``all_reduce``: rank 0's first)."""
        if not self._parts:
            return empty_stats(
                self.num_classes,
                self.ignore_index,
                distances=self.distances,
                errors=self.errors,
                tolerances=self.tolerances,
            )
        if len(self._parts) > 1:
            self._parts = [ImageStats.concat(self._parts)]
        return self._parts[0]

    def all_reduce(self) -> None:
        """Gather the statistics of every ``torch.distributed`` rank onto each (every rank must call it).

        A no-op when not initialised. Under NCCL build the evaluator with ``device=`` the rank's CUDA device
        (or update it with CUDA batches), since NCCL moves CUDA tensors only.
        """
        gathered = all_gather_stats(self.image_stats(), self.device or torch.device("cpu"))
        self._parts = [gathered]

    def compute(self) -> Scores:
        """Scores over every image seen (NaN everywhere before the first update), with ``image_stats``."""
        return Scores.from_image_stats(self.image_stats())

    def per_image(self) -> pd.DataFrame:
        """One row per image seen, in order: ``ImageStats.per_image`` of ``image_stats()``.

        Needs ``per_image=True`` (the default).
        """
        if not self.keep_per_image:
            raise RuntimeError("per_image(): build the evaluator with per_image=True to keep per-image scores.")
        return self.image_stats().per_image()


def evaluate(
    preds,
    targets,
    num_classes: int,
    ignore_index: int = 255,
    *,
    boundary: bool = True,
    distances: bool = False,
    nsd_tolerance: float | None = None,
    errors: bool = False,
    tolerances: bool = False,
    boundary_iou_d: int | None = None,
) -> Scores:
    """Score predictions against targets in one call (``SegmentationEvaluator`` over a single batch).

    Args:
        preds: predicted class maps (not logits): ``(N, H, W)``, ``(H, W)`` or a list of ``(H, W)`` maps of
            any sizes, tensors or numpy arrays.
        targets: target maps in the same layout, class ids or ``ignore_index``.
        num_classes: C.
        ignore_index: target value left out of every score.
        boundary: False skips Boundary IoU, BF and NSD (NaN).
        distances: True adds HD95 (``class_hd95``, ``hd95``: lower is better, in pixels).
        nsd_tolerance: NSD's tau in pixels; None (the default): BF's theta, 0.0075 x image diagonal.
        errors: True counts the error breakdown (``scores.error_breakdown()``).
        tolerances: True counts the tolerance ladder (``scores.tolerance_curve(key)``).
        boundary_iou_d: Boundary IoU's band width d in pixels; None (the default): 0.02 x image diagonal, rounded.

    Returns:
        ``Scores``; ``scores.as_dict()`` has DESIGN.md's keys, ``scores.confusion`` the raw matrix and
        ``scores.image_stats`` the per-image statistics (for subsets, per-image tables and the bootstrap).
    """
    evaluator = SegmentationEvaluator(
        num_classes,
        ignore_index,
        boundary=boundary,
        distances=distances,
        nsd_tolerance=nsd_tolerance,
        errors=errors,
        tolerances=tolerances,
        boundary_iou_d=boundary_iou_d,
    )
    evaluator.update(preds, targets)
    return evaluator.compute()
