"""The error breakdown table (Bernhard et al., WACV 2024): each class's union split into its IoU and six error
shares, from the counts of ``error_kinds`` summed over the images. No torch: it reads records."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .catalog import ERROR_KINDS
from .region import safe_divide

BREAKDOWN_COLUMNS = ("iou", *ERROR_KINDS)


def breakdown_table(totals: Mapping[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    """Per class: IoU and each kind of error pixels over the class's union (TP + FP + FN), a row summing to 1.

    Args:
        totals: ``tp``, ``fp``, ``fn`` and the ``ERROR_KINDS`` counts, each ``(C,)`` summed over the images.
        names: one name per class.

    Returns:
        DataFrame indexed by class name plus a final ``"mean"`` row, columns ``BREAKDOWN_COLUMNS``; a class
        with an empty union is NaN, and the mean row is the mean over the other classes (so it sums to 1
        too).
    """
    union = totals["tp"] + totals["fp"] + totals["fn"]
    columns = {"iou": safe_divide(totals["tp"], union)}
    columns.update({kind: safe_divide(totals[kind], union) for kind in ERROR_KINDS})
    table = pd.DataFrame(columns, index=pd.Index(names, name="class"))
    defined = union > 0
    table.loc["mean"] = table[defined].mean() if defined.any() else np.nan
    return table
