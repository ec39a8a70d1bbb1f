"""``ImageStats``: the per-image counts that every dataset-level score sums, so any subset can be rescored.

Region scores need only each image's per-class tp, fp and fn; the confusion matrix itself is kept as sparse
``(image, target, pred, count)`` rows (a dense ``(N, C, C)`` array would hold 45 million numbers for 2000
images of 150 classes, nearly all zero). The other scores need the named ``(N, C)`` arrays of
``catalog.COUNTS`` (Boundary IoU each image's band intersections and unions, BF each image's per-class score,
HD95 when asked for its distances), kept under those names in ``counts``. A subset, or a bootstrap
resample, is a weight per image: the weighted sums of these cells are the dataset counts of that subset
(``weighted_totals``), and ``score_values`` turns them into scores, exactly as for the whole dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .catalog import COUNTS, METRICS, OPTIONAL_COUNTS, REQUIRED_COUNTS
from .derivation import array_totals, score_values

ROW_COLUMNS = ("image", "target", "pred", "count")  # the columns of ``confusion_rows``


@dataclass(frozen=True, eq=False)  # arrays inside: compare ``to_arrays()`` instead
class ImageStats:
    """Per-image statistics of N scored images and C classes (definitions in DESIGN.md, "Metrics").

    Attributes:
        confusion_rows: ``(K, 4)`` int64 rows ``(image, target, pred, count)``, one per non-zero entry of an
            image's confusion matrix, sorted by image, target, pred.
        counts: name -> ``(N, C)`` array, one per array of ``catalog.COUNTS`` that was counted: every
            ``REQUIRED_COUNTS`` one (Boundary IoU band intersections and unions, int64; BF per image and class,
            float64, NaN where undefined), and the ``OPTIONAL_COUNTS`` of opt-in scores (``hd95`` when
            distances were scored).
        ignore_index: the target value left out.
    """

    confusion_rows: np.ndarray
    counts: Mapping[str, np.ndarray]
    ignore_index: int = 255

    def __len__(self) -> int:
        return len(self.counts[REQUIRED_COUNTS[0]])

    @property
    def num_classes(self) -> int:
        return self.counts[REQUIRED_COUNTS[0]].shape[1]

    @cached_property
    def tp(self) -> np.ndarray:
        """``(N, C)`` int64: pixels of target c predicted c, per image."""
        hit = self.confusion_rows[:, 1] == self.confusion_rows[:, 2]
        return self._scatter(self.confusion_rows[hit], column=1)

    @cached_property
    def fp(self) -> np.ndarray:
        """``(N, C)`` int64: non-void pixels predicted c whose target is another class, per image."""
        miss = self.confusion_rows[:, 1] != self.confusion_rows[:, 2]
        return self._scatter(self.confusion_rows[miss], column=2)

    @cached_property
    def fn(self) -> np.ndarray:
        """``(N, C)`` int64: pixels of target c predicted as another class, per image."""
        miss = self.confusion_rows[:, 1] != self.confusion_rows[:, 2]
        return self._scatter(self.confusion_rows[miss], column=1)

    def _scatter(self, rows: np.ndarray, column: int) -> np.ndarray:
        n, c = len(self), self.num_classes
        key = rows[:, 0] * c + rows[:, column]
        return np.bincount(key, weights=rows[:, 3], minlength=n * c).round().astype(np.int64).reshape(n, c)

    def confusion(self) -> np.ndarray:
        """``(C, C)`` int64 confusion matrix summed over the images (rows target, columns prediction)."""
        rows, c = self.confusion_rows, self.num_classes
        cm = np.bincount(rows[:, 1] * c + rows[:, 2], weights=rows[:, 3], minlength=c * c)  # float64: exact below 2**53
        return cm.round().astype(np.int64).reshape(c, c)

    def weighted_totals(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Dataset counts of resampled image sets, for ``score_values``.

        Args:
            weights: ``(R, N)``: how often each image is in each of R image sets (a subset is 0/1, a bootstrap
                resample any count).

        Returns:
            ``tp, fp, fn`` as ``(R, C)``, then the totals of each array of ``counts``
            (``catalog.CountArray.total_keys``): ``(R, C)``, or ``(R,)`` for sums of per-image means. Integer
            counts go through float64 matrix products, exact while every sum stays below 2**53.
        """
        weights = np.asarray(weights, dtype=np.float64)
        return self._totals(lambda array: weights @ array)

    def _totals(self, weigh: Callable[[np.ndarray], np.ndarray]) -> dict[str, np.ndarray]:
        totals = {name: weigh(getattr(self, name)) for name in ("tp", "fp", "fn")}
        for name, array in self.counts.items():
            totals.update(array_totals(name, array, weigh))
        return totals

    def totals(self) -> dict[str, np.ndarray]:
        """The counts of all images together (``weighted_totals`` of one set of every image, without its axis)."""
        return {key: value[0] for key, value in self.weighted_totals(np.ones((1, len(self)))).items()}

    def subset(self, indices) -> ImageStats:
        """The statistics of the images at ``indices``, in that order; an index may repeat (a resample)."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        if indices.size and (indices.min() < -len(self) or indices.max() >= len(self)):
            raise IndexError(
                f"ImageStats.subset: indices must lie in 0..{len(self) - 1}, got {indices.min()}..{indices.max()}."
            )
        indices = indices % max(len(self), 1)
        rows = self.confusion_rows
        starts = np.searchsorted(rows[:, 0], np.arange(len(self) + 1))
        lengths = (starts[1:] - starts[:-1])[indices]
        position = np.repeat(np.arange(len(indices)), lengths)
        offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        picked = rows[np.repeat(starts[:-1][indices], lengths) + offset]
        picked[:, 0] = position
        return ImageStats(
            picked, {name: array[indices] for name, array in self.counts.items()}, ignore_index=self.ignore_index
        )

    @classmethod
    def concat(cls, parts: list[ImageStats]) -> ImageStats:
        """The statistics of several image sets one after another (batches, ranks, folders)."""
        if not parts:
            raise ValueError("ImageStats.concat: got no statistics; pass at least one ImageStats.")
        first = parts[0]
        for part in parts[1:]:
            if (part.num_classes, part.ignore_index, sorted(part.counts)) != (
                first.num_classes,
                first.ignore_index,
                sorted(first.counts),
            ):
                raise ValueError(
                    f"ImageStats.concat: cannot join {part.num_classes} classes (ignore_index {part.ignore_index}, "
                    f"counts {list(part.counts)}) to {first.num_classes} classes (ignore_index "
                    f"{first.ignore_index}, counts {list(first.counts)}); score both the same way."
                )
        offsets = np.cumsum([0] + [len(part) for part in parts[:-1]])
        rows = np.concatenate([part.confusion_rows + [offset, 0, 0, 0] for part, offset in zip(parts, offsets)])
        joined = {name: np.concatenate([part.counts[name] for part in parts]) for name in first.counts}
        return cls(rows.astype(np.int64), joined, ignore_index=first.ignore_index)

    def per_image(self, stems=None) -> pd.DataFrame:
        """One row per image: DESIGN.md's definitions applied to each image on its own.

        The one per-image table of the workbench: ``per_image_scores``, ``SegmentationEvaluator.per_image`` and
        a record's ``per_image`` (and its ``per_image.csv``) are this table.

        Each score of ``catalog.METRICS`` with a ``per_image`` column, derived from one image's counts:
        ``pixel_accuracy``; ``miou`` over the classes present in the image's target or prediction;
        ``boundary_iou`` over the classes whose bands are non-empty; ``boundary_f1`` and ``nsd`` over the defined
        classes.
        NaN where undefined (an all-void image, no boundary at all).

        Args:
            stems: one name per image, in order, to index the rows by (``stem``); None: image positions.

        Returns:
            DataFrame indexed by image position (``image``) or stem (``stem``) with ``PER_IMAGE_COLUMNS``, then
            ``hd95`` (mean over the defined classes) when distances were scored.
        """
        if stems is not None and len(stems) != len(self):
            raise ValueError(f"per_image: {len(stems)} stems for {len(self)} images; give one stem per image.")
        values = score_values(self._totals(lambda array: array))
        columns = {
            metric.per_image: values[metric.key] for metric in METRICS if metric.per_image and metric.key in values
        }
        index = pd.RangeIndex(len(self), name="image") if stems is None else pd.Index(list(stems), name="stem")
        return pd.DataFrame(columns, index=index)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain int64 / float64 arrays (``confusion_rows`` and ``counts`` under their names), for safetensors or
        ``np.savez`` without pickle."""
        arrays = {"confusion_rows": self.confusion_rows, **self.counts}
        return {name: np.ascontiguousarray(array) for name, array in arrays.items()}

    @classmethod
    def from_arrays(cls, arrays, *, ignore_index: int) -> ImageStats:
        """Rebuild from ``to_arrays()``, checking names, dtypes and shapes.

        Raises:
            ValueError: a missing or unknown array, a wrong shape or dtype, a count or class id out of range.
        """
        checked = check_arrays(arrays)
        return cls(checked.pop("confusion_rows"), checked, ignore_index=int(ignore_index))


def check_arrays(arrays) -> dict[str, np.ndarray]:
    """The arrays of ``ImageStats.from_arrays``, validated and converted to int64 / float64, ``confusion_rows``
    first, then the arrays of ``catalog.COUNTS`` in its order."""
    names, required = set(arrays), ("confusion_rows", *REQUIRED_COUNTS)
    missing, extra = sorted(set(required) - names), sorted(names - set(required) - set(OPTIONAL_COUNTS))
    if missing or extra:
        raise ValueError(
            f"ImageStats.from_arrays: expected arrays {list(required)} (and optionally "
            f"{list(OPTIONAL_COUNTS)}); missing {missing}, unexpected {extra}. Pass the dict that "
            "ImageStats.to_arrays() returned."
        )
    kinds = {"confusion_rows": "i", **{a.name: "i" if a.kind == "sum" else "f" for a in COUNTS if a.name in names}}
    out = {}
    for name, kind in kinds.items():
        array = np.asarray(arrays[name])
        if array.dtype.kind not in ("iu" if kind == "i" else "f"):
            raise ValueError(
                f"ImageStats.from_arrays: {name} must be {'integer' if kind == 'i' else 'float'}, "
                f"got {array.dtype}; pass the arrays of ImageStats.to_arrays() unchanged."
            )
        out[name] = array.astype(np.int64 if kind == "i" else np.float64)
    cells = [name for name in out if name != "confusion_rows"]
    shape = out[cells[0]].shape
    if len(shape) != 2 or any(out[name].shape != shape for name in cells):
        got = ", ".join(f"{name} {out[name].shape}" for name in cells)
        raise ValueError(f"ImageStats.from_arrays: {', '.join(cells)} must share one (N, C) shape; got {got}.")
    rows, (n, c) = out["confusion_rows"], shape
    if rows.ndim != 2 or rows.shape[1] != 4:
        raise ValueError(f"ImageStats.from_arrays: confusion_rows must be (K, 4) {ROW_COLUMNS}, got {rows.shape}.")
    for column, (name, top) in enumerate(zip(ROW_COLUMNS[:3], (n, c, c))):
        if rows.size and (rows[:, column].min() < 0 or rows[:, column].max() >= top):
            raise ValueError(
                f"ImageStats.from_arrays: confusion_rows column {name} must lie in 0..{top - 1} "
                f"(N = {n} images, C = {c} classes), got {rows[:, column].min()}..{rows[:, column].max()}."
            )
    if rows.size and (rows[:, 3].min() < 1 or np.any(np.diff(rows[:, 0]) < 0)):
        raise ValueError(
            "ImageStats.from_arrays: confusion_rows must hold positive counts sorted by image; "
            "pass the arrays of ImageStats.to_arrays() unchanged."
        )
    return out
