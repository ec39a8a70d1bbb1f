"""Streaming evaluation: ``SegmentationEvaluator.update`` per batch, ``compute`` at the end; ``evaluate`` at once.

The state is a handful of count tensors that sum across batches and across ranks, so ``all_reduce`` is one
``dist.all_reduce`` per tensor and the result equals a single pass over the whole dataset.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist

from .boundary import NUM_BAND_FLAGS, band_flags, boundary_f1, boundary_iou_counts, label_edge_pair
from .confusion import confusion_counts
from .inputs import LabelBatch, check_num_classes, label_batches
from .region import class_iou, nanmean, pixel_accuracy, safe_divide
from .scores import Scores
from .threads import single_threaded

PER_IMAGE_COLUMNS = ("pixel_accuracy", "miou", "boundary_iou", "boundary_f1")


@dataclass(frozen=True)
class ImageCounts:
    """Counts of a batch, per image (numpy, on the CPU; they are small).

    Attributes:
        confusion: ``(N, C, C)`` int64.
        boundary_inter, boundary_union: ``(N, C)`` int64 Boundary IoU band counts (zeros without boundary).
        boundary_f1: ``(N, C)`` float64 BF scores, NaN where undefined (all NaN without boundary).
    """

    confusion: np.ndarray
    boundary_inter: np.ndarray
    boundary_union: np.ndarray
    boundary_f1: np.ndarray

    def per_image(self) -> dict[str, np.ndarray]:
        """One value per image for each of ``PER_IMAGE_COLUMNS`` (the dataset definitions applied per image)."""
        return {
            "pixel_accuracy": pixel_accuracy(self.confusion),
            "miou": nanmean(class_iou(self.confusion)),
            "boundary_iou": nanmean(safe_divide(self.boundary_inter, self.boundary_union)),
            "boundary_f1": nanmean(self.boundary_f1),
        }


def batch_counts(batch: LabelBatch, num_classes: int, *, boundary: bool = True) -> ImageCounts:
    """All counts of one batch of equal-size images, in one ``bincount`` plus the BF matching.

    Args:
        batch: checked label maps from ``label_batches``.
        num_classes: C.
        boundary: False skips the boundary scores (region scores only, faster).
    """
    n, c = len(batch.preds), num_classes
    if not boundary:
        confusion = confusion_counts(batch.preds, batch.targets, c).cpu().numpy()
        empty = np.zeros((n, c), dtype=np.int64)
        return ImageCounts(confusion, empty, empty, np.full((n, c), np.nan))
    edges = label_edge_pair(batch)
    flags = band_flags(batch, edges)
    split = confusion_counts(batch.preds, batch.targets, c, flags=flags, num_flags=NUM_BAND_FLAGS).cpu().numpy()
    inter, union = boundary_iou_counts(split)
    return ImageCounts(split.sum(-1), inter, union, boundary_f1(batch, c, edges))


class SegmentationEvaluator:
    """Accumulates region and boundary scores over batches (definitions in DESIGN.md, "Metrics").

    Args:
        num_classes: C; class ids are ``0..C-1``.
        ignore_index: target value of void pixels, left out of every score.
        device: where the summed state lives (for ``all_reduce`` with NCCL pass the rank's CUDA device);
            None: the device of the first batch. Each batch is scored on its own device.
        boundary: False skips Boundary IoU and BF (their scores come out NaN), for fast validation loops.
        per_image: True also keeps one row of scores per image, returned by ``per_image()``.

    Example:
        >>> evaluator = SegmentationEvaluator(num_classes=11)
        >>> for images, masks in loader:
        ...     evaluator.update(model(images).argmax(1), masks)
        >>> scores = evaluator.compute()
    """

    def __init__(self, num_classes: int, ignore_index: int = 255, *, device=None, boundary: bool = True,
                 per_image: bool = False):
        check_num_classes(num_classes, ignore_index)
        self.num_classes, self.ignore_index = int(num_classes), int(ignore_index)
        self.device = None if device is None else torch.device(device)
        self.boundary, self.keep_per_image = boundary, per_image
        self.reset()

    def reset(self) -> None:
        """Forget every batch seen so far."""
        self._state: dict[str, torch.Tensor] | None = None
        self._rows: list[pd.DataFrame] = []
        self._seen = 0

    @single_threaded
    def update(self, preds, targets) -> None:
        """Add a batch.

        Args:
            preds: predicted class maps (not logits): ``(N, H, W)``, ``(H, W)`` or a list of ``(H, W)``,
                tensors or numpy arrays; sizes may differ between list items.
            targets: target maps in the same layout; class ids or ``ignore_index``.
        """
        batches = label_batches(preds, targets, self.num_classes, self.ignore_index)
        for batch in batches:
            counts = batch_counts(batch, self.num_classes, boundary=self.boundary)
            self._accumulate(counts, batch.preds.device)
            if self.keep_per_image:
                self._rows.append(pd.DataFrame(counts.per_image(), index=self._seen + batch.positions))
        self._seen += sum(len(batch.positions) for batch in batches)

    def _accumulate(self, counts: ImageCounts, batch_device: torch.device) -> None:
        if self._state is None:
            self._state = self._zero_state(self.device or batch_device)
        f1 = counts.boundary_f1
        image_f1 = nanmean(f1)
        defined = ~np.isnan(image_f1)
        self._add("confusion", counts.confusion.sum(0))
        self._add("boundary_inter", counts.boundary_inter.sum(0))
        self._add("boundary_union", counts.boundary_union.sum(0))
        self._add("bf_sum", np.where(np.isnan(f1), 0.0, f1).sum(0))
        self._add("bf_count", (~np.isnan(f1)).sum(0))
        self._add("bf_image_sum", image_f1[defined].sum())
        self._add("bf_image_count", defined.sum())
        self._add("num_images", len(f1))

    def _add(self, name: str, value) -> None:
        state = self._state[name]
        state += torch.as_tensor(np.asarray(value), dtype=state.dtype).to(state.device)

    def _zero_state(self, device: torch.device) -> dict[str, torch.Tensor]:
        if device.type == "mps":
            device = torch.device("cpu")  # MPS has no float64
        c, long, double = self.num_classes, torch.int64, torch.float64
        shapes = {
            "confusion": ((c, c), long), "boundary_inter": ((c,), long), "boundary_union": ((c,), long),
            "bf_sum": ((c,), double), "bf_count": ((c,), long), "bf_image_sum": ((), double),
            "bf_image_count": ((), long), "num_images": ((), long),
        }  # fmt: skip
        return {name: torch.zeros(shape, dtype=dtype, device=device) for name, (shape, dtype) in shapes.items()}

    def all_reduce(self) -> None:
        """Sum the state over ``torch.distributed`` ranks (every rank must call it); no-op when not initialised.

        Per-image rows stay on their rank.
        """
        if not (dist.is_available() and dist.is_initialized()):
            return
        if self._state is None:
            self._state = self._zero_state(self.device or torch.device("cpu"))
        for tensor in self._state.values():
            dist.all_reduce(tensor)

    def compute(self) -> Scores:
        """Scores over every batch seen (NaN everywhere before the first update)."""
        state = self._state or self._zero_state(torch.device("cpu"))
        values = {name: tensor.cpu().numpy() for name, tensor in state.items()}
        return Scores.from_counts(
            values["confusion"], values["boundary_inter"], values["boundary_union"], values["bf_sum"],
            values["bf_count"], values["bf_image_sum"], values["bf_image_count"],
            ignore_index=self.ignore_index, num_images=int(values["num_images"]),
        )

    def per_image(self) -> pd.DataFrame:
        """One row per image seen, in order: ``pixel_accuracy, miou, boundary_iou, boundary_f1`` (NaN = undefined).

        Needs ``per_image=True`` at construction.
        """
        if not self.keep_per_image:
            raise RuntimeError("per_image(): build the evaluator with per_image=True to keep per-image scores.")
        if not self._rows:
            return pd.DataFrame(columns=list(PER_IMAGE_COLUMNS), index=pd.Index([], name="image"), dtype=float)
        table = pd.concat(self._rows).sort_index()
        table.index.name = "image"
        return table[list(PER_IMAGE_COLUMNS)]


def evaluate(preds, targets, num_classes: int, ignore_index: int = 255, *, boundary: bool = True) -> Scores:
    """Score predictions against targets in one call (``SegmentationEvaluator`` over a single batch).

    Args:
        preds: predicted class maps (not logits): ``(N, H, W)``, ``(H, W)`` or a list of ``(H, W)`` maps of
            any sizes, tensors or numpy arrays.
        targets: target maps in the same layout, class ids or ``ignore_index``.
        num_classes: C.
        ignore_index: target value left out of every score.
        boundary: False skips Boundary IoU and BF (NaN).

    Returns:
        ``Scores``; ``scores.as_dict()`` has DESIGN.md's keys, ``scores.confusion`` the raw matrix.
    """
    evaluator = SegmentationEvaluator(num_classes, ignore_index, boundary=boundary)
    evaluator.update(preds, targets)
    return evaluator.compute()
