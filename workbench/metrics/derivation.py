"""Every score from counts summed over a set of images: the one derivation behind ``Scores``, subsets and
bootstrap resamples."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import region

SCORE_KEYS = (
    "pixel_accuracy", "accuracy", "mean_accuracy", "iou", "miou", "fwiou", "dice", "mean_dice",
    "class_boundary_iou", "boundary_miou", "class_boundary_f1", "boundary_f1",
)  # fmt: skip
DISTANCE_KEYS = ("class_hd95", "hd95")  # with ``evaluate(..., distances=True)`` only


def score_values(totals: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every score of ``SCORE_KEYS`` from counts summed over a set of images, for any leading axes.

    The one derivation behind ``Scores``, subsets and bootstrap resamples (a leading resample axis R).

    Args:
        totals: ``tp``, ``fp``, ``fn``, ``boundary_inter``, ``boundary_union``, ``bf_sum`` (sum of per-image BF
            where defined), ``bf_count`` (images where defined), each ``(..., C)``; ``bf_image_sum`` (sum of
            per-image mean BF) and ``bf_image_count`` (images with a defined class), each ``(...)``; and
            the same four for ``hd95`` when distances were computed.

    Returns:
        ``{key: array}`` in the order of ``SCORE_KEYS`` (then ``DISTANCE_KEYS`` when the totals hold HD95);
        per-class keys ``(..., C)``, the others ``(...)``.
    """
    counts = totals["tp"], totals["fp"], totals["fn"]
    accuracy, iou, dice = region.count_accuracy(*counts), region.count_iou(*counts), region.count_dice(*counts)
    class_boundary_iou = region.safe_divide(totals["boundary_inter"], totals["boundary_union"])
    class_boundary_f1 = region.safe_divide(totals["bf_sum"], totals["bf_count"])
    values = {
        "pixel_accuracy": region.count_pixel_accuracy(*counts),
        "accuracy": accuracy, "mean_accuracy": region.nanmean(accuracy),
        "iou": iou, "miou": region.nanmean(iou), "fwiou": region.count_fw_iou(*counts),
        "dice": dice, "mean_dice": region.nanmean(dice),
        "class_boundary_iou": class_boundary_iou, "boundary_miou": region.nanmean(class_boundary_iou),
        "class_boundary_f1": class_boundary_f1,
        "boundary_f1": region.safe_divide(totals["bf_image_sum"], totals["bf_image_count"]),
    }  # fmt: skip
    if "hd95_sum" in totals:
        values["class_hd95"] = region.safe_divide(totals["hd95_sum"], totals["hd95_count"])
        values["hd95"] = region.safe_divide(totals["hd95_image_sum"], totals["hd95_image_count"])
    return values
