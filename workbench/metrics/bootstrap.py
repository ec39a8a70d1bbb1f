"""Confidence intervals by image-level bootstrap, and the paired comparison of two prediction sets.

Images are drawn with replacement (Efron's percentile bootstrap); each resample is a count per image, so all
R resamples are one ``(R, N)`` count matrix and every score of every resample comes out of a few matrix
products with the per-image statistics (``ImageStats.weighted_totals``), with no loop over resamples. The
draws are ``numpy.random.default_rng(seed).integers(0, N, (R, N))``: a seed gives the same resamples for
any two prediction sets of the same images, which is what makes the comparison paired.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .catalog import LOWER_IS_BETTER
from .derivation import score_values
from .image_stats import ImageStats

if TYPE_CHECKING:  # annotations only: Scores sits above this module (Scores.bootstrap calls it)
    from .scores import Scores

METHOD = "image-level percentile bootstrap"


def resample_counts(num_images: int, resamples: int, seed: int) -> np.ndarray:
    """``(R, N)`` float64: how often each image is drawn in each resample of N images with replacement."""
    if num_images < 1:
        raise ValueError("bootstrap: no images were scored; a confidence interval needs at least one image.")
    draws = np.random.default_rng(seed).integers(0, num_images, (resamples, num_images))
    flat = draws + np.arange(resamples)[:, None] * num_images
    return np.bincount(flat.ravel(), minlength=resamples * num_images).reshape(resamples, num_images).astype(np.float64)


def resampled_scores(stats: "ImageStats", counts: np.ndarray) -> dict[str, np.ndarray]:
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


def bootstrap(scores: "Scores", resamples: int = 2000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Percentile intervals of every scalar score (``Scores.bootstrap``).

    Returns:
        DataFrame indexed by score key (``score``) with ``value`` (the score of all images), ``low`` and
        ``high``; ``attrs`` holds ``method``, ``resamples``, ``level``, ``seed`` and ``num_images``.
    """
    stats = require_image_stats(scores, "bootstrap")
    _check_settings(resamples, level)
    samples = resampled_scores(stats, resample_counts(len(stats), resamples, seed))
    values = scores.as_dict()
    rows = {key: (float(values[key]), *percentile_interval(samples[key], level)) for key in samples}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "low", "high"])
    table.index.name = "score"
    table.attrs.update(method=METHOD, resamples=int(resamples), level=float(level), seed=int(seed),
                       num_images=len(stats))
    return table


def paired_bootstrap(a: "Scores", b: "Scores", key: str = "miou", resamples: int = 2000, level: float = 0.95,
                     seed: int = 0) -> pd.Series:
    """Is A ahead of B beyond test-set noise? The same image resamples for both prediction sets.

    Args:
        a, b: ``Scores`` of two prediction sets on the same images in the same order (with ``image_stats``).
        key: a scalar score key (``miou``, ``boundary_f1``, ...).
        resamples, level, seed: as for ``Scores.bootstrap``.

    Returns:
        Series with ``difference`` (A minus B on all images), ``low`` and ``high`` (its percentile interval)
        and ``share_a_better`` (share of resamples where A is strictly better: higher, or lower for
        distances); ``attrs`` holds ``key``, ``method``, ``resamples``, ``level``, ``seed``.

    Raises:
        ValueError: the two were not scored on the same images, or a setting is out of range.
    """
    stats_a, stats_b = require_image_stats(a, "paired_bootstrap"), require_image_stats(b, "paired_bootstrap")
    _check_same_images(stats_a, stats_b)
    _check_settings(resamples, level)
    counts = resample_counts(len(stats_a), resamples, seed)
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
    result.attrs.update(key=key, method=METHOD, resamples=int(resamples), level=float(level), seed=int(seed))
    return result


def require_image_stats(scores: "Scores", name: str) -> "ImageStats":
    """``scores.image_stats``, or an error saying where per-image statistics come from."""
    if scores.image_stats is None:
        raise ValueError(f"{name}: these Scores carry no per-image statistics (image_stats is None); score with "
                         "workbench.metrics.evaluate or SegmentationEvaluator, or load a record that stores them.")
    return scores.image_stats


def _check_settings(resamples: int, level: float) -> None:
    if int(resamples) != resamples or resamples < 1:
        raise ValueError(f"bootstrap: resamples must be a positive integer, got {resamples!r} (2000 is usual).")
    if not 0.0 < level < 1.0:
        raise ValueError(f"bootstrap: level must lie strictly between 0 and 1, got {level!r} (0.95 for 95%).")


def _check_same_images(a: "ImageStats", b: "ImageStats") -> None:
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
