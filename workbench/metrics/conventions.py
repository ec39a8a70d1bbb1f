"""Why other tools give other numbers: their averaging conventions, computed from the same per-image counts.

Every tool below counts the same true positives, false positives and false negatives; they differ in
where they sum and how they treat a class that is absent:

- MMSegmentation's ``IoUMetric`` (and the workbench) sums the counts over the dataset (one confusion
  matrix), then averages IoU over the classes whose union is non-empty (NaN ones skipped).
- torchmetrics ``MeanIoU`` (``torchmetrics.segmentation``) computes IoU per image and class and averages
  over all (image, class) pairs whose union in that image is non-empty: small and rare objects weigh as
  much as large ones, and an image where a class is missed entirely counts that class as 0.
- segmentation-models-pytorch ``iou_score(tp, fp, fn, tn, reduction="macro")`` sums the counts over the
  dataset but counts a class absent from targets and predictions as IoU 1 (its default ``zero_division=1``),
  and averages over all C classes.
- torchmetrics ``MulticlassAccuracy(average="macro")`` averages per-class recall over the classes with any
  target or predicted pixel, a class predicted but never in a target counting as 0; the workbench leaves
  that class out of ``mean_accuracy`` (its recall is undefined).
- MONAI ``HausdorffDistanceMetric(percentile=95, include_background=True)`` takes 4-neighbour edges with the
  image frame as an edge and gives NaN where one side is empty (the workbench: 8-neighbour edges, no frame,
  the image diagonal); its ``reduction="mean"`` averages each image's non-NaN classes, then the images with
  any, as ``hd95`` does. Its cells come from ``hd95.monai_hd95`` when distances are scored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .region import count_accuracy, count_iou, nanmean, safe_divide


def image_mean_iou(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
    """torchmetrics ``MeanIoU``: mean IoU over the (image, class) pairs with a non-empty union in that image."""
    iou = count_iou(tp, fp, fn)  # (N, C), NaN where the union is empty
    defined = ~np.isnan(iou)
    return float(safe_divide(np.where(defined, iou, 0.0).sum(), defined.sum()))


def absent_as_one_iou(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
    """segmentation-models-pytorch macro ``iou_score``: dataset IoU per class, absent classes as 1, mean of C."""
    iou = count_iou(tp.sum(0), fp.sum(0), fn.sum(0))
    return float(np.where(np.isnan(iou), 1.0, iou).mean())


def predicted_only_as_zero_accuracy(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
    """torchmetrics macro ``MulticlassAccuracy``: recall per class, 0 for predicted-only classes, mean over
    the classes with any target or predicted pixel."""
    tp, fp, fn = tp.sum(0), fp.sum(0), fn.sum(0)
    seen = (tp + fp + fn) > 0
    recall = np.nan_to_num(count_accuracy(tp, fp, fn), nan=0.0)
    return float(safe_divide(recall[seen].sum(), seen.sum()))


def image_class_mean(cells: np.ndarray) -> float:
    """The mean over images of each image's mean over its non-NaN classes (images with none left out): the
    workbench's ``hd95`` of its cells, and MONAI's ``reduction="mean"`` of its own."""
    return float(nanmean(nanmean(cells)))


def conventions_table(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, counts: Mapping[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """One row per convention (``Scores.conventions``).

    Args:
        tp: ``(N, C)`` per-image true positives (``ImageStats.tp``).
        fp: ``(N, C)`` per-image false positives (``ImageStats.fp``).
        fn: ``(N, C)`` per-image false negatives (``ImageStats.fn``).
        counts: ``ImageStats.counts``; with the distance cells ``hd95`` and ``hd95_monai`` MONAI's HD95 row
            is added.

    Returns:
        DataFrame indexed by ``convention`` with ``tool``, ``value``, ``workbench_key`` (the workbench score
        that measures the same thing), ``workbench_value`` and ``difference`` (value minus workbench value).
    """
    totals = tp.sum(0), fp.sum(0), fn.sum(0)
    miou, mean_accuracy = float(nanmean(count_iou(*totals))), float(nanmean(count_accuracy(*totals)))
    rows = [
        ("one confusion matrix, mean over defined classes", "workbench miou = MMSegmentation IoUMetric mIoU",
         miou, "miou", miou),
        ("mean of per-image IoU over (image, class) pairs present", "torchmetrics MeanIoU",
         image_mean_iou(tp, fp, fn), "miou", miou),
        ("one confusion matrix, absent class counted as 1", "segmentation-models-pytorch iou_score(reduction='macro')",
         absent_as_one_iou(tp, fp, fn), "miou", miou),
        ("one confusion matrix, mean recall over classes with targets", "workbench mean_accuracy",
         mean_accuracy, "mean_accuracy", mean_accuracy),
        ("predicted-but-absent class counted as 0", "torchmetrics MulticlassAccuracy(average='macro')",
         predicted_only_as_zero_accuracy(tp, fp, fn), "mean_accuracy", mean_accuracy),
    ]  # fmt: skip
    if counts is not None and "hd95_monai" in counts:
        rows.append(
            (
                "4-neighbour edges, the frame an edge, one empty side NaN",
                "MONAI HausdorffDistanceMetric(percentile=95, include_background=True)",
                image_class_mean(counts["hd95_monai"]),
                "hd95",
                image_class_mean(counts["hd95"]),
            )
        )
    table = pd.DataFrame(rows, columns=["convention", "tool", "value", "workbench_key", "workbench_value"])
    table["difference"] = table["value"] - table["workbench_value"]
    return table.set_index("convention")
