"""Region scores: small pure functions of a confusion matrix, in float64.

``cm`` is ``(..., C, C)`` with rows the target class and columns the predicted class; a leading batch axis
gives one score per image. A score whose denominator is zero is NaN ("undefined"), and means skip NaN.
"""

from __future__ import annotations

import numpy as np


def safe_divide(numerator, denominator) -> np.ndarray:
    """``numerator / denominator`` in float64, NaN where the denominator is zero, without a RuntimeWarning."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def nanmean(values, axis: int = -1) -> np.ndarray:
    """Mean over the defined (non-NaN) entries; NaN where none is defined, silently (unlike ``np.nanmean``)."""
    values = np.asarray(values, dtype=np.float64)
    defined = ~np.isnan(values)
    return safe_divide(np.where(defined, values, 0.0).sum(axis), defined.sum(axis))


def _counts(cm) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(tp, fp, fn)`` of each class from ``cm`` ``(..., C, C)``: the diagonal, column and row remainders."""
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    return tp, cm.sum(-2) - tp, cm.sum(-1) - tp


def pixel_accuracy(cm) -> np.ndarray:
    """trace(CM) / sum(CM): share of non-void pixels predicted right. Shape ``(...)``."""
    return count_pixel_accuracy(*_counts(cm))


def class_accuracy(cm) -> np.ndarray:
    """CM[c, c] / row_c: recall of each class. Shape ``(..., C)``."""
    return count_accuracy(*_counts(cm))


def class_iou(cm) -> np.ndarray:
    """CM[c, c] / (row_c + col_c - CM[c, c]): Jaccard index of each class. Shape ``(..., C)``."""
    return count_iou(*_counts(cm))


def class_dice(cm) -> np.ndarray:
    """2 CM[c, c] / (row_c + col_c): Dice coefficient (F1) of each class. Shape ``(..., C)``."""
    return count_dice(*_counts(cm))


def fw_iou(cm) -> np.ndarray:
    """Frequency-weighted IoU: sum over defined classes of (row_c / sum(CM)) * iou_c (Long et al. 2015).

    NaN when the matrix is empty (no non-void pixel), where no class is defined.
    """
    return count_fw_iou(*_counts(cm))


# The same scores from per-class counts: tp = CM[c, c], fp = col_c - tp, fn = row_c - tp, each ``(..., C)``
# (summed over any set of images, or over a bootstrap resample). Integer counts in float64 stay exact.


def count_pixel_accuracy(tp, fp, fn) -> np.ndarray:
    """sum tp / sum (tp + fn) over classes. Shape ``(...)``."""
    tp, fn = np.asarray(tp, dtype=np.float64), np.asarray(fn, dtype=np.float64)
    return safe_divide(tp.sum(-1), (tp + fn).sum(-1))


def count_accuracy(tp, fp, fn) -> np.ndarray:
    """tp / (tp + fn). Shape ``(..., C)``."""
    tp = np.asarray(tp, dtype=np.float64)
    return safe_divide(tp, tp + fn)


def count_iou(tp, fp, fn) -> np.ndarray:
    """tp / (tp + fp + fn). Shape ``(..., C)``."""
    tp = np.asarray(tp, dtype=np.float64)
    return safe_divide(tp, tp + fp + fn)


def count_dice(tp, fp, fn) -> np.ndarray:
    """2 tp / (2 tp + fp + fn). Shape ``(..., C)``."""
    tp = np.asarray(tp, dtype=np.float64)
    return safe_divide(2 * tp, 2 * tp + fp + fn)


def count_fw_iou(tp, fp, fn) -> np.ndarray:
    """sum over defined classes of ((tp + fn) / sum(tp + fn)) * iou_c; NaN when no class is defined."""
    rows = np.asarray(tp, dtype=np.float64) + fn
    weighted = safe_divide(rows, rows.sum(-1, keepdims=True)) * count_iou(tp, fp, fn)
    any_defined = ~np.all(np.isnan(weighted), axis=-1)
    return np.where(any_defined, np.where(np.isnan(weighted), 0.0, weighted).sum(-1), np.nan)
