"""The metric catalogue: every score of ``Scores.as_dict()`` declared once, with the per-image counts it needs.

``METRICS`` lists each score with its key, its label, whether it is a headline score, which way is better,
its per-image column and how it derives from counts summed over a set of images; ``COUNTS`` lists the
``(N, C)`` per-image count arrays of ``ImageStats`` (besides the confusion rows) under the names they carry in
``image_stats.npz``. The command line, the comparison tables, the report and the widgets read labels and
headline lists from here; ``ImageStats``, the derivation and the record checks loop over ``COUNTS``.

Adding a score: declare its count arrays in ``COUNTS`` and the score in ``METRICS``, and fill the arrays in
``evaluator.batch_stats``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .notes import bf_tolerance, boundary_width
from .region import count_accuracy, count_dice, count_fw_iou, count_iou, count_pixel_accuracy, nanmean, safe_divide

CONFUSION = "confusion"  # the per-image tp, fp, fn that ``ImageStats.confusion_rows`` hold (totals tp, fp, fn)


@dataclass(frozen=True)
class CountArray:
    """One ``(N, C)`` per-image, per-class array of ``ImageStats.counts`` (and of ``image_stats.npz``).

    Attributes:
        name: its key in ``ImageStats.counts`` and its array name on disk.
        kind: ``"sum"``: int64 counts, summed over the images of a set (total ``name``); ``"mean"``: float64
            per-image scores, NaN where undefined, averaged over the images where defined (totals
            ``name_sum``, ``name_count`` per class and ``name_image_sum``, ``name_image_count`` of each
            image's mean over its defined classes).
        what: the values in words, for error messages ("BF scores").
        low, high: the range a record may hold (checked when a record is read).
        optional: a record may lack it (one written before it was counted), and then reads without its
            scores; every evaluation counts it all the same.
    """

    name: str
    kind: str
    what: str
    low: float = 0.0
    high: float = np.inf
    optional: bool = False

    @property
    def total_keys(self) -> tuple[str, ...]:
        """The keys this array contributes to the summed counts that ``Metric.derive`` reads."""
        if self.kind == "sum":
            return (self.name,)
        return tuple(f"{self.name}_{part}" for part in ("sum", "count", "image_sum", "image_count"))


TOLERANCES = (1, 2, 3, 5, 8, 13, 21)  # pixels: the ladder of BF's and NSD's tau and Boundary IoU's d (tolerance.py)


def ladder_names(tolerance: int) -> dict[str, str]:
    """The count arrays of one rung of the tolerance ladder: BF and NSD cells at tau, Boundary IoU at d."""
    return {
        "bf": f"bf_tau{tolerance}",
        "nsd": f"nsd_tau{tolerance}",
        "inter": f"boundary_inter_d{tolerance}",
        "union": f"boundary_union_d{tolerance}",
    }


TOLERANCE_CURVES = {"boundary_f1": "bf", "nsd": "nsd", "boundary_miou": "boundary"}  # key -> its rung arrays
TOLERANCE_RULES = {
    "boundary_f1": "0.0075 x image diagonal",
    "nsd": "0.0075 x image diagonal (BF's theta)",
    "boundary_miou": "round(0.02 x image diagonal)",
}  # each curve's default tolerance in words


def default_tolerance(key: str, height: int, width: int) -> float:
    """DESIGN.md's default tolerance of a curve's score for an image size: BF's and NSD's theta, Boundary IoU's d."""
    return float(boundary_width(height, width)) if TOLERANCE_CURVES[key] == "boundary" else bf_tolerance(height, width)


ERROR_KINDS = ("boundary_fp", "boundary_fn", "extent_fp", "extent_fn", "segment_fp", "segment_fn")  # error_kinds.py

COUNTS = (
    CountArray("boundary_inter", "sum", "boundary intersections"),
    CountArray("boundary_union", "sum", "boundary unions"),
    CountArray("bf", "mean", "BF scores", high=1.0),
    CountArray("nsd", "mean", "NSD scores", high=1.0, optional=True),  # records before NSD lack it
    CountArray("hd95", "mean", "HD95 distances"),
    CountArray("hd95_monai", "mean", "MONAI HD95 distances", optional=True),  # for Scores.conventions() only
    *(CountArray(name, "sum", f"{name.replace('_', ' ')} error pixels") for name in ERROR_KINDS),
    *(
        array
        for t in TOLERANCES
        for array in (
            CountArray(ladder_names(t)["bf"], "mean", f"BF scores at tau {t}", high=1.0, optional=True),
            CountArray(ladder_names(t)["nsd"], "mean", f"NSD scores at tau {t}", high=1.0, optional=True),
            CountArray(ladder_names(t)["inter"], "sum", f"boundary intersections at d {t}", optional=True),
            CountArray(ladder_names(t)["union"], "sum", f"boundary unions at d {t}", optional=True),
        )
    ),  # with tolerances=True only: Scores.tolerance_curve
)
COUNT_ARRAYS = {array.name: array for array in COUNTS}


@dataclass(frozen=True)
class Metric:
    """One score of ``Scores.as_dict()``.

    Attributes:
        key: its key in ``Scores.as_dict()`` (and attribute of ``Scores``).
        label: the readable name in tables, the report and the widgets.
        design: the DESIGN.md "Metrics" entry it implements.
        derive: the score from counts summed over a set of images (``ImageStats.weighted_totals``), for any
            leading axes: per-class ``(..., C)`` or scalar ``(...)``.
        needs: ``CONFUSION`` and the names of ``COUNTS`` it derives from; the score is in ``as_dict()`` exactly
            when all of them were counted.
        mean: for a per-class score, the key of its mean (the mean row of ``Scores.table()``, whose column
            is ``key`` without ``class_``); None for a scalar score.
        headline: its place among the headline scores (1 first), None when it is not one.
        higher_is_better: False for distances.
        per_image: its column in ``ImageStats.per_image()`` (``derive`` applied to one image), or None.
        opt_in: scored only on request (its arrays are optional in a record).
    """

    key: str
    label: str
    design: str
    derive: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    needs: tuple[str, ...] = (CONFUSION,)
    mean: str | None = None
    headline: int | None = None
    higher_is_better: bool = True
    per_image: str | None = None
    opt_in: bool = False


def _region(count: Callable) -> Callable:
    return lambda t: count(t["tp"], t["fp"], t["fn"])


def _class_mean(count: Callable) -> Callable:
    return lambda t: nanmean(count(t["tp"], t["fp"], t["fn"]))


def _ratio(numerator: str, denominator: str, mean: bool = False) -> Callable:
    if mean:
        return lambda t: nanmean(safe_divide(t[numerator], t[denominator]))
    return lambda t: safe_divide(t[numerator], t[denominator])


BOUNDARY_IOU = ("boundary_inter", "boundary_union")

METRICS = (
    Metric(
        "pixel_accuracy",
        "pixel accuracy",
        "pixel_accuracy: trace(CM) / sum(CM)",
        _region(count_pixel_accuracy),
        headline=2,
        per_image="pixel_accuracy",
    ),
    Metric("accuracy", "accuracy", "accuracy: CM[c,c] / row_c", _region(count_accuracy), mean="mean_accuracy"),
    Metric(
        "mean_accuracy",
        "mean accuracy",
        "mean_accuracy: mean accuracy over defined classes",
        _class_mean(count_accuracy),
    ),
    Metric("iou", "IoU", "iou: CM[c,c] / (row_c + col_c - CM[c,c])", _region(count_iou), mean="miou"),
    Metric("miou", "mIoU", "miou: mean IoU over defined classes", _class_mean(count_iou), headline=1, per_image="miou"),
    Metric("fwiou", "fwIoU", "fwiou: sum of (row_c / sum(CM)) x iou_c", _region(count_fw_iou)),
    Metric("dice", "Dice", "dice: 2 CM[c,c] / (row_c + col_c)", _region(count_dice), mean="mean_dice"),
    Metric("mean_dice", "mean Dice", "mean_dice: mean Dice over defined classes", _class_mean(count_dice)),
    Metric(
        "class_boundary_iou",
        "class Boundary IoU",
        "Boundary IoU: I_c / U_c of the inner bands",
        _ratio(*BOUNDARY_IOU),
        BOUNDARY_IOU,
        mean="boundary_miou",
    ),
    Metric(
        "boundary_miou",
        "Boundary IoU",
        "Boundary IoU: boundary_miou, mean over defined classes",
        _ratio(*BOUNDARY_IOU, mean=True),
        BOUNDARY_IOU,
        headline=3,
        per_image="boundary_iou",
    ),
    Metric(
        "class_boundary_f1",
        "class BF score",
        "BF score: class_boundary_f1, mean over images where defined",
        _ratio("bf_sum", "bf_count"),
        ("bf",),
        mean="boundary_f1",
    ),
    Metric(
        "boundary_f1",
        "BF score",
        "BF score: boundary_f1, mean over images of per-image class means",
        _ratio("bf_image_sum", "bf_image_count"),
        ("bf",),
        headline=4,
        per_image="boundary_f1",
    ),
    Metric(
        "class_nsd",
        "class NSD",
        "NSD: class_nsd, mean over images where defined",
        _ratio("nsd_sum", "nsd_count"),
        ("nsd",),
        mean="nsd",
    ),
    Metric(
        "nsd",
        "NSD",
        "NSD: nsd, mean over images of per-image class means",
        _ratio("nsd_image_sum", "nsd_image_count"),
        ("nsd",),
        per_image="nsd",
    ),
    Metric(
        "class_hd95",
        "class HD95 (px)",
        "Hausdorff distance HD95: class_hd95, mean over images where defined",
        _ratio("hd95_sum", "hd95_count"),
        ("hd95",),
        mean="hd95",
        higher_is_better=False,
        opt_in=True,
    ),
    Metric(
        "hd95",
        "HD95 (px)",
        "Hausdorff distance HD95: hd95, mean over images of per-image class means",
        _ratio("hd95_image_sum", "hd95_image_count"),
        ("hd95",),
        higher_is_better=False,
        per_image="hd95",
        opt_in=True,
    ),
)  # the order of ``as_dict()`` (DESIGN.md's) and of the columns of ``Scores.table()``
METRIC = {metric.key: metric for metric in METRICS}

SCORE_KEYS = tuple(metric.key for metric in METRICS if not metric.opt_in)  # in every evaluation's ``as_dict()``
SCALAR_KEYS = tuple(metric.key for metric in METRICS if metric.mean is None)
HEADLINE = tuple(metric.key for metric in sorted((m for m in METRICS if m.headline), key=lambda m: m.headline))
LABELS = {metric.key: metric.label for metric in METRICS}
PER_IMAGE_LABELS = {metric.per_image: metric.label for metric in METRICS if metric.per_image}
PER_IMAGE_COLUMNS = tuple(metric.per_image for metric in METRICS if metric.per_image and not metric.opt_in)
LOWER_IS_BETTER = frozenset(metric.key for metric in METRICS if not metric.higher_is_better)
COUNTED = tuple(a.name for a in COUNTS if any(a.name in m.needs for m in METRICS if not m.opt_in))  # always counted
REQUIRED_COUNTS = tuple(name for name in COUNTED if not COUNT_ARRAYS[name].optional)  # in every record
OPTIONAL_COUNTS = tuple(a.name for a in COUNTS if a.name not in REQUIRED_COUNTS)  # opt-in scores', newer arrays
LADDER_COUNTS = tuple(name for t in TOLERANCES for name in ladder_names(t).values())  # with tolerances=True only
DISTANCE_COUNTS = tuple(a.name for a in COUNTS if a.name not in COUNTED + ERROR_KINDS + LADDER_COUNTS)  # distances=True


def score_label(key: str) -> str:
    """The readable name of a score key or per-image column (the key itself when it names no score)."""
    return LABELS.get(key) or PER_IMAGE_LABELS.get(key) or key


def total_keys(need: str) -> tuple[str, ...]:
    """The keys of the summed counts that ``need`` (``CONFUSION`` or a name of ``COUNTS``) contributes."""
    return ("tp", "fp", "fn") if need == CONFUSION else COUNT_ARRAYS[need].total_keys
