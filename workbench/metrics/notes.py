"""The metric conventions in words: one source for every caption, table attribute and report section.

Users compare numbers across tools, so every table of scores states ``ignore_index``, the boundary
tolerances and the averaging; they are written here once and read by ``Scores.table()``, the comparison
tables and the review report.
"""

from __future__ import annotations

import math


def boundary_width(height: int, width: int) -> int:
    """Band width d of Boundary IoU (Cheng et al. 2021): ``max(1, round(0.02 * image diagonal))`` pixels.

    Python's ``round`` (half to even), as in the authors' ``int(round(dilation_ratio * img_diag))``.
    """
    return max(1, int(round(0.02 * math.sqrt(height * height + width * width))))


def bf_tolerance(height: int, width: int) -> float:
    """Distance tolerance theta of the BF score (Csurka et al. 2013, MATLAB bfscore): 0.75% of the diagonal.

    Not rounded; a boundary pixel matches when a pixel of the other boundary lies within Euclidean distance
    ``<= theta``.
    """
    return 0.0075 * math.sqrt(height * height + width * width)


BOUNDARY_IOU_RULE = "d = max(1, round(0.02 x image diagonal)) px per image (Boundary IoU, Cheng et al. 2021)"
BF_THETA_RULE = "theta = 0.0075 x image diagonal, Euclidean, <= theta, not rounded (BF score, Csurka et al. 2013)"
VOID_RULE = "void is don't care: boundary scores use pred' = pred with the target's void pixels set to void"
AVERAGING = (
    "one confusion matrix over the dataset; means over defined classes; NaN = undefined; "
    "BF: per-class mean over images where defined, boundary_f1 = mean over images of per-image class means"
)


def metric_notes(ignore_index: int) -> dict[str, object]:
    """The conventions behind every score, as table attributes plus a caption sentence.

    Args:
        ignore_index: the target value of void pixels.

    Returns:
        ``{"ignore_index", "boundary_iou_d", "bf_theta", "void", "averaging", "caption"}``; ``caption`` is one
        paragraph stating all of them, to append to a table's own caption.
    """
    caption = (
        f"Pixels with target {ignore_index} (ignore_index) are left out; {VOID_RULE}. Boundary IoU band "
        f"{BOUNDARY_IOU_RULE}; BF tolerance {BF_THETA_RULE}. Averaging: {AVERAGING}."
    )
    return {
        "ignore_index": int(ignore_index), "boundary_iou_d": BOUNDARY_IOU_RULE, "bf_theta": BF_THETA_RULE,
        "void": VOID_RULE, "averaging": AVERAGING, "caption": caption,
    }  # fmt: skip
