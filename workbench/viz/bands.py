"""The boundary bands that Boundary IoU compares (Cheng et al., CVPR 2021), as masks and colours.

Boundary IoU scores only a band of width ``d`` inside each region's contour. Showing the target's band,
the prediction's band and where they agree explains that score better than the number alone. The bands
come from ``workbench.metrics`` (``inner_band``, ``boundary_width``), so the picture is exactly what the
metric counts: ``d = max(1, round(0.02 x image diagonal))``, the image frame counting as outside a region,
pixels whose target is ``ignore_index`` left out.

================  ====  ==================  ====================================
code              int   colour (RGB)        meaning
================  ====  ==================  ====================================
NONE              0     black (0, 0, 0)     in neither band
TARGET_ONLY       1     blue (0, 114, 178)  target boundary the prediction missed
PRED_ONLY         2     vermillion          predicted boundary not in the target
BOTH              3     green (0, 158, 115) boundary in both
================  ====  ==================  ====================================
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from workbench.data.classes import IGNORE_INDEX
from workbench.metrics import boundary_width, inner_band
from workbench.viz.convert import as_mask


class BandCode(IntEnum):
    """Pixel codes of ``boundary_band_codes``; index ``BAND_COLORS`` and ``BAND_LABELS`` with them."""

    NONE = 0
    TARGET_ONLY = 1
    PRED_ONLY = 2
    BOTH = 3


BAND_COLORS = np.array([(0, 0, 0), (0, 114, 178), (213, 94, 0), (0, 158, 115)], dtype=np.uint8)
"""uint8 ``(4, 3)``: row ``k`` is the colour of ``BandCode(k)``."""

BAND_LABELS = ("no boundary", "target only", "prediction only", "both")
"""Legend text of each ``BandCode``, in code order."""


def class_band(masks, class_id: int, width: int) -> np.ndarray:
    """The inner band of width ``width`` of one class's region: bool, the shape of ``masks`` (``(H, W)`` or
    ``(N, H, W)``)."""
    region = as_mask(masks) == class_id
    return inner_band(region, width) & region


def mask_band(masks, valid, *, width: int) -> np.ndarray:
    """Every pixel's band of its own class region, i.e. the union of all class bands, kept where ``valid``.

    ``masks`` is ``(H, W)`` or ``(N, H, W)``; ``valid`` (bool ``(H, W)`` or the same shape) broadcasts.

    One pass for all classes: a pixel lies only in its own class's band (``metrics.inner_band``).
    """
    return inner_band(as_mask(masks), width) & np.asarray(valid, dtype=bool)


def boundary_bands(
    pred, target, *, ignore_index: int = IGNORE_INDEX, class_id: int | None = None, width: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The target's and the prediction's boundary bands, as Boundary IoU sees them.

    Args:
        pred: predicted class ids ``(H, W)`` or ``(N, H, W)``.
        target: target class ids of the same shape; ``ignore_index`` marks void.
        ignore_index: the void value (255).
        class_id: one class's bands, or ``None`` for the bands of every class present.
        width: band width ``d``; ``None`` means the metric's ``boundary_width(H, W)``.

    Returns:
        ``(target_band, pred_band)``, bool arrays of the shape of ``target``, False on void pixels.
    """
    pred, target = as_mask(pred, name="pred"), as_mask(target, name="target")
    if pred.shape != target.shape:
        raise ValueError(f"boundary_bands: pred is {pred.shape} but target is {target.shape}; they must match.")
    if width is None:
        width = boundary_width(*target.shape[-2:])
    valid = target != ignore_index
    if class_id is not None:
        return class_band(target, class_id, width) & valid, class_band(pred, class_id, width) & valid
    return mask_band(target, valid, width=width), mask_band(pred, valid, width=width)


def boundary_band_codes(target_band, pred_band) -> np.ndarray:
    """``BandCode`` per pixel (uint8) from two bool bands of one shape."""
    target_band, pred_band = np.asarray(target_band, dtype=bool), np.asarray(pred_band, dtype=bool)
    if target_band.shape != pred_band.shape:
        raise ValueError(f"bands differ in shape: {target_band.shape} and {pred_band.shape}.")
    return (target_band.astype(np.uint8) * BandCode.TARGET_ONLY) | (pred_band.astype(np.uint8) * BandCode.PRED_ONLY)


def boundary_band_rgb(target_band, pred_band) -> np.ndarray:
    """Bands painted with ``BAND_COLORS`` (target only / prediction only / both): uint8 ``(H, W, 3)``."""
    return BAND_COLORS[boundary_band_codes(target_band, pred_band)]
