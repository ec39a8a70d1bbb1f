"""Percentile bootstrap intervals (Efron) of every score, and the paired comparison of two prediction sets.

The resamples draw the units in which the images were sampled: single images, whole groups (a cluster
bootstrap) or moving blocks of frames within each video sequence; ``resampling`` states the exact draws.
Each resample is a count per image, so all R resamples are one ``(R, N)`` count matrix and every score of
every resample comes out of a few matrix products with the per-image statistics
(``ImageStats.weighted_totals``), with no loop over resamples. A seed, with the same groups and block, gives
the same resamples for any two prediction sets of the same images, which is what makes the comparison paired.
With ``groups=None, block=None`` the draws are ``numpy.random.default_rng(seed).integers(0, N, (R, N))``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .catalog import LOWER_IS_BETTER
from .derivation import score_values
from .image_stats import ImageStats
from .resampling import Resampling, resampling

if TYPE_CHECKING:  # annotations only: Scores sits above this module (Scores.bootstrap calls it)
    from .scores import Scores


def resample_counts(num_images: int, resamples: int, seed: int, groups=None, block: int | None = None) -> np.ndarray:
    """``(R, N)`` float64: how often each image is in each resample; ``groups`` and ``block`` as for
    ``Scores.bootstrap`` (the draws are stated in ``workbench.metrics.resampling``)."""
    return resampling(num_images, groups, block).counts(resamples, seed)


def resampled_scores(stats: ImageStats, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Every scalar score of each resample: ``{key: (R,)}``, in the order of ``SCORE_KEYS``."""
    values = score_values(stats.weighted_totals(counts))
    return {key: value for key, value in values.items() if value.ndim == 1}


def percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of ``samples`` (numpy's linear percentiles), NaN resamples left out."""
    tail = (1.0 - level) / 2.0
    with warnings.catch_warnings():  # all-NaN (a score that is undefined on every resample) gives NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(samples, [tail, 1.0 - tail])
    return float(low), float(high)


def bootstrap(
    scores: Scores, resamples: int = 2000, level: float = 0.95, seed: int = 0, groups=None, block: int | None = None
) -> pd.DataFrame:
    """Percentile intervals of every scalar score (``Scores.bootstrap``).

    Returns:
        DataFrame indexed by score key (``score``) with ``value`` (the score of all images), ``low`` and
        ``high``; ``attrs`` as ``unit_attrs`` gives them, then ``num_images``.
    """
    stats = require_image_stats(scores, "bootstrap")
    _check_settings(resamples, level)
    unit = resampling(len(stats), groups, block)
    samples = resampled_scores(stats, unit.counts(resamples, seed))
    values = scores.as_dict()
    rows = {key: (float(values[key]), *percentile_interval(samples[key], level)) for key in samples}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "low", "high"])
    table.index.name = "score"
    table.attrs.update(unit_attrs(unit, resamples, level, seed), num_images=len(stats))
    return table


UNIT_ATTRS = ("unit", "num_groups", "block", "few_groups")  # beyond the image level: what was resampled


def unit_attrs(unit: Resampling, resamples: int, level: float, seed: int) -> dict:
    """How the intervals were drawn: ``method`` (the bootstrap and its unit, e.g. ``cluster percentile bootstrap
    over 3 cities``), ``resamples``, ``level``, ``seed``; beyond the image-level bootstrap also ``unit``
    (``city``, ``block of 10 frames``), ``num_groups``, ``block`` (frames, or None) and ``few_groups`` (True
    for fewer than 5 groups, clusters or sequences: the interval cannot show the variation between groups;
    show the scores per group beside it) (``UNIT_ATTRS``). The image-level attrs are those of earlier versions, unchanged."""
    attrs = {"method": unit.method, "resamples": int(resamples), "level": float(level), "seed": int(seed)}
    if not unit.image_level:
        attrs.update({key: getattr(unit, key) for key in UNIT_ATTRS})
    return attrs


def paired_bootstrap(
    a: Scores,
    b: Scores,
    key: str = "miou",
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    groups=None,
    block: int | None = None,
) -> pd.Series:
    """Is A ahead of B beyond test-set noise? The same image resamples for both prediction sets.

    Args:
        a: ``Scores`` of one prediction set (with ``image_stats``).
        b: ``Scores`` of another prediction set on the same images in the same order.
        key: a scalar score key (``miou``, ``boundary_f1``, ...).
        resamples: as for ``Scores.bootstrap``; both sets get the same resamples.
        level: as for ``Scores.bootstrap``.
        seed: as for ``Scores.bootstrap``.
        groups: as for ``Scores.bootstrap``.
        block: as for ``Scores.bootstrap``.

    Returns:
        Series with ``difference`` (A minus B on all images), ``low`` and ``high`` (its percentile interval)
        and ``share_a_better`` (share of resamples where A is strictly better: higher, or lower for
        distances); ``attrs`` holds ``key`` and the attrs of ``Scores.bootstrap`` but ``num_images``.

    Raises:
        ValueError: the two were not scored on the same images, or a setting is out of range.
    """
    stats_a, stats_b = require_image_stats(a, "paired_bootstrap"), require_image_stats(b, "paired_bootstrap")
    _check_same_images(stats_a, stats_b)
    _check_settings(resamples, level)
    unit = resampling(len(stats_a), groups, block)
    counts = unit.counts(resamples, seed)
    samples_a, samples_b = resampled_scores(stats_a, counts), resampled_scores(stats_b, counts)
    if key not in samples_a:
        raise ValueError(f"paired_bootstrap: key {key!r} is not a scalar score; use one of {list(samples_a)}.")
    delta = samples_a[key] - samples_b[key]
    better = -delta if key in LOWER_IS_BETTER else delta
    low, high = percentile_interval(delta, level)
    result = pd.Series({
        "difference": float(a.as_dict()[key]) - float(b.as_dict()[key]), "low": low, "high": high,
        "share_a_better": float(np.mean(better > 0)),
    }, name=key)  # fmt: skip
    result.attrs.update(key=key, **unit_attrs(unit, resamples, level, seed))
    return result


def require_image_stats(scores: Scores, name: str) -> ImageStats:
    """``scores.image_stats``, or an error saying where per-image statistics come from."""
    if scores.image_stats is None:
        raise ValueError(
            f"{name}: these Scores carry no per-image statistics (image_stats is None); score with "
            "workbench.metrics.evaluate or SegmentationEvaluator, or load a record that stores them."
        )
    return scores.image_stats


def _check_settings(resamples: int, level: float) -> None:
    if int(resamples) != resamples or resamples < 1:
        raise ValueError(f"bootstrap: resamples must be a positive integer, got {resamples!r} (2000 is usual).")
    if not 0.0 < level < 1.0:
        raise ValueError(f"bootstrap: level must lie strictly between 0 and 1, got {level!r} (0.95 for 95%).")


def _check_same_images(a: ImageStats, b: ImageStats) -> None:
    """Refuse two statistics that cannot be of the same images: the targets' class counts must agree."""
    if len(a) != len(b) or a.num_classes != b.num_classes or a.ignore_index != b.ignore_index:
        raise ValueError(
            f"paired_bootstrap: A has {len(a)} images, {a.num_classes} classes, ignore_index {a.ignore_index}; B has "
            f"{len(b)}, {b.num_classes}, {b.ignore_index}. Score both prediction sets on the same images, in one order."
        )
    differs = np.flatnonzero(np.any((a.tp + a.fn) != (b.tp + b.fn), axis=1))
    if differs.size:
        raise ValueError(
            f"paired_bootstrap: A and B have different targets at image {differs[0]} ({differs.size} images in all): "
            "their per-class target pixel counts differ. Score both on the same images, in the same order."
        )
