"""``ImageStats``: the per-image counts that every dataset-level score sums, so any subset can be rescored.

Region scores need only each image's per-class tp, fp and fn; the confusion matrix itself is kept as sparse
``(image, target, pred, count)`` rows (a dense ``(N, C, C)`` array would hold 45 million numbers for 2000
images of 150 classes, nearly all zero). Boundary IoU needs each image's band intersections and unions, BF
each image's per-class score. A subset, or a bootstrap resample, is a weight per image: the weighted sums
of these cells are the dataset counts of that subset (``weighted_totals``), and ``score_values`` turns them
into scores, exactly as for the whole dataset.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .region import count_iou, count_pixel_accuracy, nanmean, safe_divide
from .scores import Scores

PER_IMAGE_COLUMNS = ("pixel_accuracy", "miou", "boundary_iou", "boundary_f1")
ROW_COLUMNS = ("image", "target", "pred", "count")  # the columns of ``confusion_rows``
ARRAY_NAMES = ("confusion_rows", "boundary_inter", "boundary_union", "bf")


@dataclass(frozen=True, eq=False)  # arrays inside: compare ``to_arrays()`` instead
class ImageStats:
    """Per-image statistics of N scored images and C classes (definitions in DESIGN.md, "Metrics").

    Attributes:
        confusion_rows: ``(K, 4)`` int64 rows ``(image, target, pred, count)``, one per non-zero entry of an
            image's confusion matrix, sorted by image, target, pred.
        boundary_inter, boundary_union: ``(N, C)`` int64 Boundary IoU band intersections and unions.
        bf: ``(N, C)`` float64 BF score per image and class, NaN where undefined (both boundaries empty).
        ignore_index: the target value left out.
    """

    confusion_rows: np.ndarray
    boundary_inter: np.ndarray
    boundary_union: np.ndarray
    bf: np.ndarray
    ignore_index: int = 255

    def __len__(self) -> int:
        return len(self.boundary_inter)

    @property
    def num_classes(self) -> int:
        return self.boundary_inter.shape[1]

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

    def confusion(self, weights: np.ndarray | None = None) -> np.ndarray:
        """``(C, C)`` int64 confusion matrix summed over the images, each counted ``weights[i]`` times."""
        rows, c = self.confusion_rows, self.num_classes
        counts = rows[:, 3] if weights is None else rows[:, 3] * np.asarray(weights, dtype=np.int64)[rows[:, 0]]
        cm = np.zeros(c * c, dtype=np.int64)
        np.add.at(cm, rows[:, 1] * c + rows[:, 2], counts)
        return cm.reshape(c, c)

    def weighted_totals(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Dataset counts of resampled image sets, for ``score_values``.

        Args:
            weights: ``(R, N)``: how often each image is in each of R image sets (a subset is 0/1, a bootstrap
                resample any count).

        Returns:
            ``tp, fp, fn, boundary_inter, boundary_union, bf_sum, bf_count`` as ``(R, C)`` and
            ``bf_image_sum, bf_image_count`` as ``(R,)``. Integer counts go through float64 matrix products,
            exact while every sum stays below 2**53.
        """
        weights = np.asarray(weights, dtype=np.float64)
        totals = {name: weights @ getattr(self, name) for name in ("tp", "fp", "fn", "boundary_inter", "boundary_union")}
        totals.update(mean_cell_totals(weights, self.bf, "bf"))
        return totals

    def scores(self) -> Scores:
        """Every dataset-level score of these images (equal to ``evaluate`` on them)."""
        totals = {key: value[0] for key, value in self.weighted_totals(np.ones((1, len(self)))).items()}
        return Scores.from_totals(totals, self.confusion(), ignore_index=self.ignore_index, num_images=len(self),
                                  image_stats=self)

    def subset(self, indices) -> "ImageStats":
        """The statistics of the images at ``indices``, in that order; an index may repeat (a resample)."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        if indices.size and (indices.min() < -len(self) or indices.max() >= len(self)):
            raise IndexError(f"ImageStats.subset: indices must lie in 0..{len(self) - 1}, got {indices.min()}..{indices.max()}.")
        indices = indices % max(len(self), 1)
        rows = self.confusion_rows
        starts = np.searchsorted(rows[:, 0], np.arange(len(self) + 1))
        lengths = (starts[1:] - starts[:-1])[indices]
        position = np.repeat(np.arange(len(indices)), lengths)
        offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        picked = rows[np.repeat(starts[:-1][indices], lengths) + offset]
        picked[:, 0] = position
        return ImageStats(picked, self.boundary_inter[indices], self.boundary_union[indices], self.bf[indices],
                          ignore_index=self.ignore_index)

    @classmethod
    def concat(cls, parts: list["ImageStats"]) -> "ImageStats":
        """The statistics of several image sets one after another (batches, ranks, folders)."""
        if not parts:
            raise ValueError("ImageStats.concat: got no statistics; pass at least one ImageStats.")
        first = parts[0]
        for part in parts[1:]:
            if part.num_classes != first.num_classes or part.ignore_index != first.ignore_index:
                raise ValueError(
                    f"ImageStats.concat: cannot join {part.num_classes} classes (ignore_index {part.ignore_index}) "
                    f"to {first.num_classes} classes (ignore_index {first.ignore_index}); score both the same way."
                )
        offsets = np.cumsum([0] + [len(part) for part in parts[:-1]])
        rows = np.concatenate([part.confusion_rows + [offset, 0, 0, 0] for part, offset in zip(parts, offsets)])
        joined = {name: np.concatenate([getattr(part, name) for part in parts]) for name in ARRAY_NAMES[1:]}
        return cls(rows.astype(np.int64), **joined, ignore_index=first.ignore_index)

    def per_image(self) -> pd.DataFrame:
        """One row per image: DESIGN.md's definitions applied to each image on its own.

        ``pixel_accuracy``; ``miou`` over the classes present in the image's target or prediction;
        ``boundary_iou`` over the classes whose bands are non-empty; ``boundary_f1`` over the defined classes.
        NaN where undefined (an all-void image, no boundary at all).

        Returns:
            DataFrame indexed by image position (``image``) with ``PER_IMAGE_COLUMNS``.
        """
        tp, fp, fn = self.tp, self.fp, self.fn
        table = pd.DataFrame({
            "pixel_accuracy": count_pixel_accuracy(tp, fp, fn),
            "miou": nanmean(count_iou(tp, fp, fn)),
            "boundary_iou": nanmean(safe_divide(self.boundary_inter, self.boundary_union)),
            "boundary_f1": nanmean(self.bf),
        }, index=pd.RangeIndex(len(self), name="image"))  # fmt: skip
        return table[list(PER_IMAGE_COLUMNS)]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain int64 / float64 arrays (``ARRAY_NAMES``), for safetensors or ``np.savez`` without pickle."""
        return {name: np.ascontiguousarray(getattr(self, name)) for name in ARRAY_NAMES}

    @classmethod
    def from_arrays(cls, arrays, *, ignore_index: int) -> "ImageStats":
        """Rebuild from ``to_arrays()``, checking names, dtypes and shapes.

        Raises:
            ValueError: a missing or unknown array, a wrong shape or dtype, a count or class id out of range.
        """
        return cls(**check_arrays(arrays), ignore_index=int(ignore_index))


def mean_cell_totals(weights: np.ndarray, cells: np.ndarray, name: str) -> dict[str, np.ndarray]:
    """Weighted sums for a score that is a mean over images of per-image cells (BF, HD95).

    Args:
        weights: ``(R, N)`` image weights.
        cells: ``(N, C)`` float64 per-image, per-class values, NaN where undefined.
        name: prefix of the keys.

    Returns:
        ``{name}_sum``, ``{name}_count`` ``(R, C)`` (per-class sums and counts where defined) and
        ``{name}_image_sum``, ``{name}_image_count`` ``(R,)`` (of each image's mean over its defined classes).
    """
    defined = ~np.isnan(cells)
    image_mean = nanmean(cells)
    image_defined = ~np.isnan(image_mean)
    return {
        f"{name}_sum": weights @ np.where(defined, cells, 0.0), f"{name}_count": weights @ defined,
        f"{name}_image_sum": weights @ np.where(image_defined, image_mean, 0.0),
        f"{name}_image_count": weights @ image_defined,
    }


def check_arrays(arrays) -> dict[str, np.ndarray]:
    """The arrays of ``ImageStats.from_arrays``, validated and converted to int64 / float64."""
    names = set(arrays)
    if names != set(ARRAY_NAMES):
        missing, extra = sorted(set(ARRAY_NAMES) - names), sorted(names - set(ARRAY_NAMES))
        raise ValueError(f"ImageStats.from_arrays: expected arrays {list(ARRAY_NAMES)}; missing {missing}, unexpected "
                         f"{extra}. Pass the dict that ImageStats.to_arrays() returned.")
    out = {name: np.asarray(arrays[name]) for name in ARRAY_NAMES}
    for name, kind in (("confusion_rows", "i"), ("boundary_inter", "i"), ("boundary_union", "i"), ("bf", "f")):
        if out[name].dtype.kind not in ("iu" if kind == "i" else "f"):
            raise ValueError(f"ImageStats.from_arrays: {name} must be {'integer' if kind == 'i' else 'float'}, "
                             f"got {out[name].dtype}; pass the arrays of ImageStats.to_arrays() unchanged.")
        out[name] = out[name].astype(np.int64 if kind == "i" else np.float64)
    shape = out["boundary_inter"].shape
    if len(shape) != 2 or any(out[name].shape != shape for name in ARRAY_NAMES[2:]):
        got = ", ".join(f"{name} {out[name].shape}" for name in ARRAY_NAMES[1:])
        raise ValueError(f"ImageStats.from_arrays: boundary_inter, boundary_union and bf must share one (N, C) shape; got {got}.")
    rows, (n, c) = out["confusion_rows"], shape
    if rows.ndim != 2 or rows.shape[1] != 4:
        raise ValueError(f"ImageStats.from_arrays: confusion_rows must be (K, 4) {ROW_COLUMNS}, got {rows.shape}.")
    for column, (name, top) in enumerate(zip(ROW_COLUMNS[:3], (n, c, c))):
        if rows.size and (rows[:, column].min() < 0 or rows[:, column].max() >= top):
            raise ValueError(f"ImageStats.from_arrays: confusion_rows column {name} must lie in 0..{top - 1} "
                             f"(N = {n} images, C = {c} classes), got {rows[:, column].min()}..{rows[:, column].max()}.")
    if rows.size and (rows[:, 3].min() < 1 or np.any(np.diff(rows[:, 0]) < 0)):
        raise ValueError("ImageStats.from_arrays: confusion_rows must hold positive counts sorted by image; "
                         "pass the arrays of ImageStats.to_arrays() unchanged.")
    return out
