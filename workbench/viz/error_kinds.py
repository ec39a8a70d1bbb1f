"""Each pixel's kind of error for one class (Bernhard et al., WACV 2024), as codes and colours: the picture
of ``Scores.error_breakdown()``, drawn from the same classification (``metrics.error_kinds``).

===========  ====  =========================  ===============================================
code         int   colour (Okabe-Ito)         meaning, for class c
===========  ====  =========================  ===============================================
TRUE_NEG     0     (the photograph)           neither target nor pred is c
CORRECT      1     bluish green (0,158,115)   target c, pred c
BOUNDARY_FP  2     yellow (240,228,66)        pred c, target not: near both TP and TN edges
BOUNDARY_FN  3     sky blue (86,180,233)      target c, pred not: near both TP and TN edges
EXTENT_FP    4     orange (230,159,0)         in a predicted segment of c that has a TP pixel
EXTENT_FN    5     blue (0,114,178)           in a target segment of c that has a TP pixel
SEGMENT_FP   6     vermillion (213,94,0)      in a predicted segment of c with no TP: a false object
SEGMENT_FN   7     reddish purple (204,121,167)  in a target segment of c with no TP: a missed object
IGNORED      8     grey (150,150,150)         target is ignore_index
===========  ====  =========================  ===============================================

False positives are warm, false negatives cool, and each darkens from boundary to segment. No torch here:
the report draws its bars in these colours.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class KindCode(IntEnum):
    """Pixel codes of ``class_error_kinds``; index ``KIND_COLORS`` and ``KIND_LABELS`` with them."""

    TRUE_NEG = 0
    CORRECT = 1
    BOUNDARY_FP = 2
    BOUNDARY_FN = 3
    EXTENT_FP = 4
    EXTENT_FN = 5
    SEGMENT_FP = 6
    SEGMENT_FN = 7
    IGNORED = 8


KIND_COLORS = np.array(
    [
        (0, 0, 0),
        (0, 158, 115),
        (240, 228, 66),
        (86, 180, 233),
        (230, 159, 0),
        (0, 114, 178),
        (213, 94, 0),
        (204, 121, 167),
        (150, 150, 150),
    ],
    dtype=np.uint8,
)
KIND_LABELS = (
    "true negative",
    "correct",
    "boundary FP",
    "boundary FN",
    "extent FP",
    "extent FN",
    "segment FP",
    "segment FN",
    "ignored",
)
KIND_OPAQUE = np.arange(len(KIND_COLORS)) != KindCode.TRUE_NEG  # true negatives show the photograph


def class_error_kinds(
    pred: np.ndarray, target: np.ndarray, packed: np.ndarray, class_id: int, ignore_index: int = 255
) -> np.ndarray:
    """``KindCode`` per pixel for one class: uint8 ``(H, W)``.

    Args:
        pred: predicted class ids ``(H, W)``.
        target: target class ids ``(H, W)`` (``ignore_index`` for void).
        packed: ``fp_kind | fn_kind << 2`` of ``metrics.error_kinds.pixel_error_kinds`` (``viz.mask_panels``
            keeps it per image and model), so that the picture shows what the counts count.
        class_id: the class shown.
    """
    in_pred, in_target = pred == class_id, target == class_id
    codes = np.full(target.shape, np.uint8(KindCode.TRUE_NEG))
    fp, fn = in_pred & ~in_target, in_target & ~in_pred
    codes[fp] = 2 * (packed[fp] & 3)  # BOUNDARY_FP = 2, EXTENT_FP = 4, SEGMENT_FP = 6
    codes[fn] = 2 * (packed[fn] >> 2) + 1
    codes[in_pred & in_target] = KindCode.CORRECT
    codes[target == ignore_index] = KindCode.IGNORED
    return codes
