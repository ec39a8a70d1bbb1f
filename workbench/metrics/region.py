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


def pixel_accuracy(cm) -> np.ndarray:
    """trace(CM) / sum(CM): share of non-void pixels predicted right. Shape ``(...)``."""
    cm = np.asarray(cm, dtype=np.float64)
    return safe_divide(np.trace(cm, axis1=-2, axis2=-1), cm.sum((-2, -1)))


def class_accuracy(cm) -> np.ndarray:
    """CM[c, c] / row_c: recall of each class. Shape ``(..., C)``."""
    cm = np.asarray(cm, dtype=np.float64)
    return safe_divide(np.diagonal(cm, axis1=-2, axis2=-1), cm.sum(-1))


def class_iou(cm) -> np.ndarray:
    """CM[c, c] / (row_c + col_c - CM[c, c]): Jaccard index of each class. Shape ``(..., C)``."""
    cm = np.asarray(cm, dtype=np.float64)
    hits = np.diagonal(cm, axis1=-2, axis2=-1)
    return safe_divide(hits, cm.sum(-1) + cm.sum(-2) - hits)


def class_dice(cm) -> np.ndarray:
    """2 CM[c, c] / (row_c + col_c): Dice coefficient (F1) of each class. Shape ``(..., C)``."""
    cm = np.asarray(cm, dtype=np.float64)
    return safe_divide(2 * np.diagonal(cm, axis1=-2, axis2=-1), cm.sum(-1) + cm.sum(-2))


def fw_iou(cm) -> np.ndarray:
    """Frequency-weighted IoU: sum over defined classes of (row_c / sum(CM)) * iou_c (Long et al. 2015).

    NaN when the matrix is empty (no non-void pixel), where no class is defined.
    """
    cm = np.asarray(cm, dtype=np.float64)
    frequency = safe_divide(cm.sum(-1), cm.sum((-2, -1))[..., None])
    weighted = frequency * class_iou(cm)
    any_defined = ~np.all(np.isnan(weighted), axis=-1)
    return np.where(any_defined, np.where(np.isnan(weighted), 0.0, weighted).sum(-1), np.nan)
