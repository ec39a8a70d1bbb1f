"""Per-image scores, to sort and browse the worst images of a split."""

from __future__ import annotations

import pandas as pd

from .evaluator import evaluate


def per_image_scores(
    preds, targets, num_classes: int, ignore_index: int = 255, *, boundary: bool = True
) -> pd.DataFrame:
    """The dataset definitions applied to each image on its own.

    Per image: ``pixel_accuracy`` = trace / sum of its confusion matrix; ``miou`` = mean IoU over the classes
    present in its target or prediction; ``boundary_iou`` = mean Boundary IoU over the classes whose bands
    are non-empty in it; ``boundary_f1`` and ``nsd`` = mean BF score and NSD over its defined classes. NaN where
    undefined (an all-void image, or no boundary at all). The table is ``ImageStats.per_image`` of
    ``evaluate(preds, targets, ...)``: any ``Scores`` with per-image statistics gives it as
    ``scores.image_stats.per_image()``.

    Args:
        preds: predicted class maps: ``(N, H, W)``, ``(H, W)`` or a list of ``(H, W)`` maps of any sizes.
        targets: target maps in the same layout, class ids or ``ignore_index``.
        num_classes: C.
        ignore_index: target value left out.
        boundary: False skips the boundary columns (NaN).

    Returns:
        DataFrame indexed by image position (``image``) with columns ``pixel_accuracy``, ``miou``,
        ``boundary_iou``, ``boundary_f1``, ``nsd``; ``table.sort_values("miou").head()`` lists the worst images.
    """
    return evaluate(preds, targets, num_classes, ignore_index, boundary=boundary).image_stats.per_image()
