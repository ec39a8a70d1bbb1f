"""Every score from counts summed over a set of images: the one derivation behind ``Scores``, subsets, per-image
scores and bootstrap resamples, looping over the catalogue (``catalog.METRICS``, ``catalog.COUNTS``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .catalog import COUNT_ARRAYS, METRICS, total_keys
from .region import nanmean


def score_values(totals: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every score of ``catalog.METRICS`` whose counts ``totals`` hold, for any leading axes.

    The one derivation behind ``Scores``, subsets and bootstrap resamples (a leading resample axis R).

    Args:
        totals: ``tp``, ``fp``, ``fn`` and the totals of each array of ``catalog.COUNTS`` that was counted
            (``array_totals``), each ``(..., C)``, or ``(...)`` for the per-image means of a ``"mean"`` array.

    Returns:
        ``{key: array}`` in the order of ``catalog.METRICS``, the scores whose counts are missing left out
        (HD95 without distances); per-class keys ``(..., C)``, the others ``(...)``.
    """
    return {
        metric.key: metric.derive(totals)
        for metric in METRICS
        if all(key in totals for need in metric.needs for key in total_keys(need))
    }


def array_totals(name: str, array: np.ndarray, weigh: Callable[[np.ndarray], np.ndarray]) -> dict[str, np.ndarray]:
    """The totals of one array of ``catalog.COUNTS`` (``CountArray.total_keys``) over weighted image sets.

    Args:
        name: the array's name in ``catalog.COUNTS``.
        array: ``(N, C)`` per-image values.
        weigh: sums an ``(N, ...)`` array over each image set: ``weights @ a`` for ``(R, N)`` weights, or the
            identity for each image on its own.
    """
    if COUNT_ARRAYS[name].kind == "sum":
        return {name: weigh(array)}
    defined = ~np.isnan(array)
    image_mean = nanmean(array)
    image_defined = ~np.isnan(image_mean)
    return {
        f"{name}_sum": weigh(np.where(defined, array, 0.0)), f"{name}_count": weigh(defined),
        f"{name}_image_sum": weigh(np.where(image_defined, image_mean, 0.0)),
        f"{name}_image_count": weigh(image_defined),
    }  # fmt: skip
