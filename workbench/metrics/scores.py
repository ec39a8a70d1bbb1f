"""``Scores``: every dataset-level score, derived from summed counts, and its per-class table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import bootstrap, region, tolerance_curve
from .breakdown import breakdown_table
from .catalog import ERROR_KINDS, HEADLINE, METRIC, METRICS, SCORE_KEYS, score_label
from .conventions import conventions_table
from .derivation import score_values
from .image_stats import ImageStats
from .notes import AVERAGING, BF_THETA_RULE, BOUNDARY_IOU_RULE, metric_notes

__all__ = ["AVERAGING", "BF_THETA_RULE", "BOUNDARY_IOU_RULE", "SCORE_KEYS", "Scores", "score_values"]


@dataclass(frozen=True, eq=False)  # arrays inside: compare ``as_dict()`` values instead
class Scores:
    """Dataset-level segmentation scores (definitions in DESIGN.md, "Metrics"; keys in ``catalog.METRICS``).

    Every score is an attribute under its key (``scores.miou``, ``scores.class_boundary_f1``). Per-class arrays
    have length ``num_classes`` with NaN where a class is undefined (zero denominator over the dataset); means
    skip NaN and are NaN when no class is defined. An opt-in score that was not scored is None
    (``class_hd95`` and ``hd95``, in pixels and lower is better, unless scored with ``distances=True``).

    Attributes:
        values: key -> score, in the order of ``catalog.METRICS`` (what ``as_dict()`` copies).
        confusion: ``(C, C)`` int64 counts of non-void pixels, rows target class, columns predicted class.
        ignore_index: the target value left out.
        num_images: images scored.
        image_stats: the per-image statistics behind the scores (``ImageStats``), from which any subset or
            bootstrap resample is rescored; None where they were not kept.
    """

    values: Mapping[str, np.ndarray | float]
    confusion: np.ndarray
    ignore_index: int = 255
    num_images: int = 0
    image_stats: ImageStats | None = None

    def __getattr__(self, name: str):
        values = self.__dict__.get("values")  # absent while unpickling or copying
        if values is not None and name in values:
            return values[name]
        if name in METRIC:
            return None  # declared, but its counts were not scored (HD95 without distances)
        raise AttributeError(f"'Scores' object has no attribute {name!r}")

    @classmethod
    def from_totals(
        cls,
        totals: Mapping[str, np.ndarray],
        confusion,
        *,
        ignore_index: int = 255,
        num_images: int = 0,
        image_stats: ImageStats | None = None,
    ) -> Scores:
        """Derive every score from counts summed over the dataset (``score_values``).

        Args:
            totals: see ``score_values``, without leading axes.
            confusion: ``(C, C)`` int counts, rows target class, columns predicted class.
            image_stats: the per-image statistics the totals were summed from, if kept.
        """
        values = {key: float(value) if np.ndim(value) == 0 else value for key, value in score_values(totals).items()}
        return cls(
            values,
            confusion=np.asarray(confusion, dtype=np.int64),
            ignore_index=int(ignore_index),
            num_images=int(num_images),
            image_stats=image_stats,
        )

    @classmethod
    def from_image_stats(cls, stats: ImageStats) -> Scores:
        """Every dataset-level score of the images of ``stats`` (equal to ``evaluate`` on them)."""
        return cls.from_totals(
            stats.totals(), stats.confusion(), ignore_index=stats.ignore_index, num_images=len(stats), image_stats=stats
        )

    @property
    def num_classes(self) -> int:
        return len(self.confusion)

    def __repr__(self) -> str:
        return (
            f"Scores(miou={self.miou:.4f}, pixel_accuracy={self.pixel_accuracy:.4f}, "
            f"boundary_miou={self.boundary_miou:.4f}, boundary_f1={self.boundary_f1:.4f}, "
            f"num_classes={self.num_classes}, num_images={self.num_images})"
        )

    @property
    def score_keys(self) -> tuple[str, ...]:
        """The keys of ``as_dict()``: ``SCORE_KEYS``, plus the opt-in scores that were scored (HD95)."""
        return tuple(self.values)

    def as_dict(self) -> dict:
        """The scores under exactly DESIGN.md's keys: floats, and float64 arrays of length C per class.

        ``class_hd95`` and ``hd95`` are there only when scored with ``distances=True``: without them the
        keys are exactly ``SCORE_KEYS``, so records and tables of runs that did not ask for distances are
        unchanged (no column of NaN).
        """
        return {key: np.copy(value) if isinstance(value, np.ndarray) else value for key, value in self.values.items()}

    def bootstrap(
        self, resamples: int = 2000, level: float = 0.95, seed: int = 0, groups=None, block: int | None = None
    ) -> pd.DataFrame:
        """Confidence intervals of every scalar score by percentile bootstrap over the sampling units.

        The units (images, whole groups, or moving blocks of frames within each sequence) are resampled with
        replacement and every score is recomputed from the resampled per-image statistics (``image_stats``),
        without the model. The exact draws: ``workbench.metrics.resampling``.

        Args:
            resamples: number of bootstrap resamples R.
            level: central coverage of the interval (0.95: the 2.5th to the 97.5th percentile).
            seed: of ``numpy.random.default_rng``; the same seed, groups and block draw the same resamples for
                any scores of the same images (``paired_bootstrap`` relies on it).
            groups: one label per image, in the order of ``image_stats`` (or a ``workbench.data.ImageGroups``,
                whose ``unit`` names the groups): whole groups are drawn (a cluster bootstrap). None: each
                image alone, the image-level bootstrap.
            block: L, for video: moving blocks of L consecutive images (in the order given) within each group,
                groups kept (``groups=None``: all images one sequence). ``ImageGroups.block`` is the default.

        Returns:
            DataFrame indexed by score key (``pixel_accuracy``, ``mean_accuracy``, ``miou``, ...) with columns
            ``value``, ``low``, ``high``; ``attrs``: ``method`` (the bootstrap and its unit, e.g. ``cluster
            percentile bootstrap over 3 cities``), ``resamples``, ``level``, ``seed``, beyond the image level
            ``unit``, ``num_groups``, ``block`` and ``few_groups`` (fewer than 5 groups, which cannot estimate
            the variation between groups: show ``by_group`` beside it), then ``num_images``.

        Raises:
            ValueError: without ``image_stats``, with groups not one per image, or a setting out of range.
        """
        return bootstrap.bootstrap(self, resamples=resamples, level=level, seed=seed, groups=groups, block=block)

    def by_group(self, groups) -> pd.DataFrame:
        """The headline scores of each group of images on its own (a sequence, a city), from ``image_stats``.

        Args:
            groups: one label per image, in the order of ``image_stats`` (or a ``workbench.data.ImageGroups``).

        Returns:
            DataFrame indexed by group (in order of first appearance) with ``images`` and the ``HEADLINE``
            scores; ``attrs["unit"]`` names the groups when ``groups`` is an ``ImageGroups``.
        """
        stats = bootstrap.require_image_stats(self, "by_group")
        labels = np.asarray([str(label) for label in getattr(groups, "labels", groups)])
        if len(labels) != len(stats):
            raise ValueError(f"by_group: {len(labels)} group labels for {len(stats)} images; give one per image.")
        rows = {}
        for label in dict.fromkeys(labels):  # first appearance order
            where = np.flatnonzero(labels == label)
            values = Scores.from_image_stats(stats.subset(where)).as_dict()
            rows[label] = {
                "images": len(where),
                **{key: values[key] for key in HEADLINE if values.get(key) is not None},
            }
        table = pd.DataFrame.from_dict(rows, orient="index").rename_axis(getattr(groups, "unit", "group"))
        table.attrs["unit"] = getattr(groups, "unit", "group")
        return table

    def conventions(self) -> pd.DataFrame:
        """Why other tools give other numbers: their averaging conventions on these images (``conventions``).

        Returns:
            DataFrame indexed by ``convention``, one row each for the workbench's mIoU (= MMSegmentation
            ``IoUMetric``), torchmetrics ``MeanIoU``, segmentation-models-pytorch macro ``iou_score``, the
            workbench's mean accuracy and torchmetrics macro ``MulticlassAccuracy``, and, when distances were
            scored, MONAI's HD95 (``HausdorffDistanceMetric(percentile=95)``); columns ``tool``, ``value``,
            ``workbench_key``, ``workbench_value``, ``difference``.

        Raises:
            ValueError: without ``image_stats`` (torchmetrics' ``MeanIoU`` needs per-image counts).
        """
        stats = bootstrap.require_image_stats(self, "conventions")
        return conventions_table(stats.tp, stats.fp, stats.fn, stats.counts)

    def error_breakdown(self, class_names=None) -> pd.DataFrame:
        """Where each class loses its IoU (Bernhard et al., WACV 2024; definitions in ``error_kinds``).

        Args:
            class_names: one name per class, or a ``Classes``; default ``"class 0"``, ...

        Returns:
            DataFrame indexed by class, plus a ``"mean"`` row (the mean over defined classes), with columns
            ``iou, boundary_fp, boundary_fn, extent_fp, extent_fn, segment_fp, segment_fn``, each over the
            class's union, so every defined row sums to 1; NaN rows for classes absent from target and
            prediction.

        Raises:
            ValueError: when the error kinds were not counted (score with ``errors=True``).
        """
        stats = self.image_stats
        if stats is None or any(kind not in stats.counts for kind in ERROR_KINDS):
            raise ValueError(
                "error_breakdown: the error kinds were not counted; evaluate with errors=True "
                "(evaluate(..., errors=True) or SegmentationEvaluator(..., errors=True))."
            )
        return breakdown_table(stats.totals(), _class_names(class_names, self.num_classes))

    def tolerance_curve(
        self,
        key: str,
        *,
        intervals: bool = True,
        resamples: int = 2000,
        level: float = 0.95,
        seed: int = 0,
        groups=None,
        block: int | None = None,
    ) -> pd.DataFrame:
        """A boundary score at each tolerance of ``catalog.TOLERANCES`` (1, 2, 3, 5, 8, 13, 21 pixels).

        Each rung equals a fresh evaluation at that tolerance: ``boundary_f1`` and ``nsd`` at tau (NSD as
        ``evaluate(..., nsd_tolerance=tau)``), ``boundary_miou`` at band width d (``boundary_iou_d=d``).

        Args:
            key: ``"boundary_f1"``, ``"nsd"`` or ``"boundary_miou"``.
            intervals: False gives the values alone (no resampling).
            resamples: as for ``bootstrap``.
            level: as for ``bootstrap``.
            seed: as for ``bootstrap``; the same seed draws the same resamples, so each rung's interval is
                the one ``bootstrap`` would give at that tolerance.
            groups: as for ``bootstrap``.
            block: as for ``bootstrap``.

        Returns:
            DataFrame indexed by ``tolerance`` (pixels) with ``value`` and, with intervals, ``low``, ``high``;
            ``attrs``: ``key``, ``unit`` (``"pixels"``), ``tolerance`` (``"tolerance tau"`` or ``"band width
            d"``), ``num_images`` and, with intervals, those of ``bootstrap`` (``method``, ...).

        Raises:
            ValueError: an unknown key, or the ladder was not counted (score with ``tolerances=True``).
        """
        return tolerance_curve.tolerance_curve(
            self, key, intervals=intervals, resamples=resamples, level=level, seed=seed, groups=groups, block=block
        )

    def table(self, class_names=None) -> pd.DataFrame:
        """Per-class table plus a final "mean" row, with the conventions in ``df.attrs``.

        Args:
            class_names: one name per class, or a ``Classes`` (``dataset.classes``); default ``"class 0"``, ...

        Returns:
            DataFrame with columns ``class``, one per per-class score of ``catalog.METRICS`` that was scored
            (its key without ``class_``: ``iou, accuracy, dice, boundary_iou, boundary_f1, nsd``, ``hd95`` with
            distances), then ``pixel_share`` (share of the class among non-void target pixels). The mean row
            holds each score's mean (``miou``, ..., ``boundary_f1`` and ``nsd``: image-level means, which are
            not the column means). ``attrs`` holds ``ignore_index``, ``boundary_iou_d``, ``bf_theta``,
            ``averaging``, the dataset-level ``pixel_accuracy`` and ``fwiou``, ``num_images`` and ``caption``.
        """
        names = _class_names(class_names, self.num_classes)
        rows = self.confusion.sum(1)
        table = pd.DataFrame({"class": names + ["mean"]})
        per_class = sorted(
            (m for m in METRICS if m.mean is not None and m.key in self.values), key=lambda m: m.mean != HEADLINE[0]
        )  # the first headline score's column first (IoU)
        for metric in per_class:  # each per-class score, its mean in the mean row
            table[metric.key.removeprefix("class_")] = [*self.values[metric.key], self.values[metric.mean]]
        table["pixel_share"] = [*region.safe_divide(rows, rows.sum()), np.nan]
        table.attrs.update(self._metadata())
        return table

    def _metadata(self) -> dict:
        notes = metric_notes(self.ignore_index)
        means = {metric.mean for metric in METRICS}
        alone = {key: value for key, value in self.values.items() if np.ndim(value) == 0 and key not in means}
        stated = ", ".join(f"{score_label(key)} {value:.4f}" for key, value in alone.items())  # no column of their own
        caption = f"Per-class scores over {self.num_images} images: {stated}. {notes['caption']}"
        return {**notes, **alone, "num_images": self.num_images, "caption": caption}


def _class_names(class_names, num_classes: int) -> list[str]:
    if class_names is None:
        return [f"class {i}" for i in range(num_classes)]
    class_names = getattr(class_names, "names", class_names)  # a dataset's ``Classes`` works too
    names = [str(name) for name in class_names]
    if len(names) != num_classes:
        raise ValueError(f"table: {len(names)} class names for {num_classes} classes; pass one name per class.")
    return names
