"""``Scores.tolerance_curve``: a boundary score at each rung of ``catalog.TOLERANCES``, from the summed ladder
counts (``tolerance.ladder_counts``), with its interval from the same resamples as ``Scores.bootstrap``.

No torch here: the report draws the curves from records alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bootstrap import _check_settings, percentile_interval, require_image_stats, unit_attrs
from .catalog import TOLERANCE_CURVES, TOLERANCES, ladder_names
from .region import nanmean, safe_divide
from .resampling import resampling


def curve_values(totals, key: str, tolerances=TOLERANCES) -> np.ndarray:
    """``(..., R)``: the dataset score ``key`` at each rung from summed counts (``ImageStats.weighted_totals``)."""
    kind = TOLERANCE_CURVES[key]
    values = []
    for t in tolerances:
        names = ladder_names(t)
        if kind == "boundary":
            values.append(nanmean(safe_divide(totals[names["inter"]], totals[names["union"]])))
        else:
            values.append(safe_divide(totals[f"{names[kind]}_image_sum"], totals[f"{names[kind]}_image_count"]))
    return np.stack(values, axis=-1)


def tolerance_curve(
    scores,
    key: str,
    *,
    intervals: bool = True,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    groups=None,
    block: int | None = None,
) -> pd.DataFrame:
    """``Scores.tolerance_curve``: the score ``key`` at each tolerance, with bootstrap intervals."""
    if key not in TOLERANCE_CURVES:
        raise ValueError(f"tolerance_curve: key must be one of {list(TOLERANCE_CURVES)}, got {key!r}.")
    stats = require_image_stats(scores, "tolerance_curve")
    if any(name not in stats.counts for t in TOLERANCES for name in ladder_names(t).values()):
        raise ValueError(
            "tolerance_curve: the tolerance ladder was not counted; evaluate with tolerances=True "
            "(evaluate(..., tolerances=True) or SegmentationEvaluator(..., tolerances=True))."
        )
    table = pd.DataFrame({"value": curve_values(stats.totals(), key)}, index=pd.Index(TOLERANCES, name="tolerance"))
    unit_name = "band width d" if key == "boundary_miou" else "tolerance tau"
    table.attrs.update(key=key, unit="pixels", tolerance=unit_name, num_images=len(stats))
    if intervals:
        _check_settings(resamples, level)
        unit = resampling(len(stats), groups, block)
        samples = curve_values(stats.weighted_totals(unit.counts(resamples, seed)), key)  # (resamples, R)
        bounds = [percentile_interval(samples[:, r], level) for r in range(len(TOLERANCES))]
        table["low"], table["high"] = [b[0] for b in bounds], [b[1] for b in bounds]
        table.attrs.update(unit_attrs(unit, resamples, level, seed))
    return table
