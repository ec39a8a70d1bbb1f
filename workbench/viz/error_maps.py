"""Where a prediction is right and wrong, as integer codes and as colours.

Two readings of one pair ``(pred, target)``:

- all classes at once (``class_id=None``): each pixel is ``CORRECT``, ``WRONG`` or ``IGNORED``;
- one class ``c``: each pixel is a true positive (target c, pred c), false positive (pred c, target another
  class), false negative (target c, pred another class), true negative (neither) or ``IGNORED``.

Pixels whose target is ``ignore_index`` are ``IGNORED`` in both readings, as the metrics leave them out.

===============  ====  =================  ==================
code             int   colour (RGB)       meaning
===============  ====  =================  ==================
TRUE_NEGATIVE    0     black (0, 0, 0)    neither target nor pred is c
TRUE_POSITIVE    1     green (0,158,115)  target c, pred c
FALSE_POSITIVE   2     vermillion         pred c, target another class
FALSE_NEGATIVE   3     blue (0,114,178)   target c, pred another class
IGNORED          4     grey (150,150,150) target is ignore_index
CORRECT          5     green (0,158,115)  pred equals target
WRONG            6     vermillion         pred differs from target
===============  ====  =================  ==================

The colours are from the Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from workbench.data.classes import IGNORE_INDEX
from workbench.viz.convert import as_mask


class ErrorCode(IntEnum):
    """Pixel codes returned by ``error_map``; index ``ERROR_COLORS`` and ``ERROR_LABELS`` with them."""

    TRUE_NEGATIVE = 0
    TRUE_POSITIVE = 1
    FALSE_POSITIVE = 2
    FALSE_NEGATIVE = 3
    IGNORED = 4
    CORRECT = 5
    WRONG = 6


_GREEN, _VERMILLION, _BLUE, _GREY = (0, 158, 115), (213, 94, 0), (0, 114, 178), (150, 150, 150)

ERROR_COLORS = np.array([(0, 0, 0), _GREEN, _VERMILLION, _BLUE, _GREY, _GREEN, _VERMILLION], dtype=np.uint8)
"""uint8 ``(7, 3)``: row ``k`` is the colour of ``ErrorCode(k)``."""

ERROR_LABELS = (
    "true negative",
    "true positive",
    "false positive",
    "false negative",
    "ignored",
    "correct",
    "wrong",
)
"""Legend text of each ``ErrorCode``, in code order."""

CLASS_CODES = (
    ErrorCode.TRUE_POSITIVE,
    ErrorCode.FALSE_POSITIVE,
    ErrorCode.FALSE_NEGATIVE,
    ErrorCode.TRUE_NEGATIVE,
    ErrorCode.IGNORED,
)
"""The codes ``error_map`` can return for one class (legend order)."""

OVERALL_CODES = (ErrorCode.CORRECT, ErrorCode.WRONG, ErrorCode.IGNORED)
"""The codes ``error_map`` can return without a class (legend order)."""


def error_map(pred, target, ignore_index: int = IGNORE_INDEX, class_id: int | None = None) -> np.ndarray:
    """Code every pixel as right or wrong (or, for one class, as TP / FP / FN / TN), void as ``IGNORED``.

    Args:
        pred: predicted class ids ``(H, W)`` or ``(N, H, W)``.
        target: target class ids of the same shape; ``ignore_index`` marks void.
        ignore_index: the void value (255).
        class_id: ``None`` for correct / wrong over all classes, or one class id for its TP/FP/FN/TN.

    Returns:
        uint8 codes (``ErrorCode`` values, table in the module docstring), the shape of ``target``.
    """
    pred, target = as_mask(pred, name="pred"), as_mask(target, name="target")
    if pred.shape != target.shape:
        raise ValueError(f"error_map: pred is {pred.shape} but target is {target.shape}; they must match.")
    if class_id is None:
        codes = np.where(pred == target, ErrorCode.CORRECT, ErrorCode.WRONG)
    else:
        in_pred, in_target = pred == class_id, target == class_id
        codes = np.select(
            [in_pred & in_target, in_pred, in_target],
            [ErrorCode.TRUE_POSITIVE, ErrorCode.FALSE_POSITIVE, ErrorCode.FALSE_NEGATIVE],
            default=ErrorCode.TRUE_NEGATIVE,
        )
    codes[target == ignore_index] = ErrorCode.IGNORED
    return codes.astype(np.uint8)


def error_rgb(pred, target, ignore_index: int = IGNORE_INDEX, class_id: int | None = None) -> np.ndarray:
    """``error_map`` painted with ``ERROR_COLORS``: uint8 ``(H, W, 3)`` (or ``(N, H, W, 3)``)."""
    return ERROR_COLORS[error_map(pred, target, ignore_index=ignore_index, class_id=class_id)]
