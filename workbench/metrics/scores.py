"""``Scores``: every dataset-level score, derived from summed counts, and its per-class table."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import region
from .notes import AVERAGING, BF_THETA_RULE, BOUNDARY_IOU_RULE, metric_notes

if TYPE_CHECKING:  # annotation only: ImageStats builds Scores, so it imports this module
    from .image_stats import ImageStats

__all__ = ["AVERAGING", "BF_THETA_RULE", "BOUNDARY_IOU_RULE", "SCORE_KEYS", "Scores", "score_values"]

SCORE_KEYS = (
    "pixel_accuracy", "accuracy", "mean_accuracy", "iou", "miou", "fwiou", "dice", "mean_dice",
    "class_boundary_iou", "boundary_miou", "class_boundary_f1", "boundary_f1",
)  # fmt: skip



def score_values(totals: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every score of ``SCORE_KEYS`` from counts summed over a set of images, for any leading axes.

    The one derivation behind ``Scores``, subsets and bootstrap resamples (a leading resample axis R).

    Args:
        totals: ``tp``, ``fp``, ``fn``, ``boundary_inter``, ``boundary_union``, ``bf_sum`` (sum of per-image BF
            where defined), ``bf_count`` (images where defined), each ``(..., C)``; ``bf_image_sum`` (sum of
            per-image mean BF) and ``bf_image_count`` (images with a defined class), each ``(...)``.

    Returns:
        ``{key: array}`` in the order of ``SCORE_KEYS``; per-class keys ``(..., C)``, the others ``(...)``.
    """
    counts = totals["tp"], totals["fp"], totals["fn"]
    accuracy, iou, dice = region.count_accuracy(*counts), region.count_iou(*counts), region.count_dice(*counts)
    class_boundary_iou = region.safe_divide(totals["boundary_inter"], totals["boundary_union"])
    class_boundary_f1 = region.safe_divide(totals["bf_sum"], totals["bf_count"])
    return {
        "pixel_accuracy": region.count_pixel_accuracy(*counts),
        "accuracy": accuracy, "mean_accuracy": region.nanmean(accuracy),
        "iou": iou, "miou": region.nanmean(iou), "fwiou": region.count_fw_iou(*counts),
        "dice": dice, "mean_dice": region.nanmean(dice),
        "class_boundary_iou": class_boundary_iou, "boundary_miou": region.nanmean(class_boundary_iou),
        "class_boundary_f1": class_boundary_f1,
        "boundary_f1": region.safe_divide(totals["bf_image_sum"], totals["bf_image_count"]),
    }  # fmt: skip


@dataclass(frozen=True, eq=False)  # arrays inside: compare ``as_dict()`` values instead
class Scores:
    """Dataset-level segmentation scores (definitions in DESIGN.md, "Metrics").

    Per-class arrays have length ``num_classes`` with NaN where a class is undefined (zero denominator over
    the dataset); means skip NaN and are NaN when no class is defined.

    Attributes:
        confusion: ``(C, C)`` int64 counts of non-void pixels, rows target class, columns predicted class.
        ignore_index: the target value left out.
        num_images: images scored.
        image_stats: the per-image statistics behind the scores (``ImageStats``), from which any subset or
            bootstrap resample is rescored; None where they were not kept.
        The score attributes carry the names of ``as_dict()``.
    """

    pixel_accuracy: float
    accuracy: np.ndarray
    mean_accuracy: float
    iou: np.ndarray
    miou: float
    fwiou: float
    dice: np.ndarray
    mean_dice: float
    class_boundary_iou: np.ndarray
    boundary_miou: float
    class_boundary_f1: np.ndarray
    boundary_f1: float
    confusion: np.ndarray
    ignore_index: int = 255
    num_images: int = 0
    image_stats: "ImageStats | None" = None

    @classmethod
    def from_totals(cls, totals: Mapping[str, np.ndarray], confusion, *, ignore_index: int = 255, num_images: int = 0,
                    image_stats: "ImageStats | None" = None) -> "Scores":
        """Derive every score from counts summed over the dataset (``score_values``).

        Args:
            totals: see ``score_values``, without leading axes.
            confusion: ``(C, C)`` int counts, rows target class, columns predicted class.
            image_stats: the per-image statistics the totals were summed from, if kept.
        """
        values = score_values(totals)
        scalars = {key: float(value) for key, value in values.items() if np.ndim(value) == 0}
        return cls(
            **{**values, **scalars}, confusion=np.asarray(confusion, dtype=np.int64), ignore_index=int(ignore_index),
            num_images=int(num_images), image_stats=image_stats,
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

    def as_dict(self) -> dict:
        """The scores under exactly DESIGN.md's keys: floats, and float64 arrays of length C per class."""
        return {key: np.copy(value) if isinstance(value, np.ndarray) else value
                for key, value in ((k, getattr(self, k)) for k in SCORE_KEYS)}

    def table(self, class_names=None) -> pd.DataFrame:
        """Per-class table plus a final "mean" row, with the conventions in ``df.attrs``.

        Args:
            class_names: one name per class, or a ``Classes`` (``dataset.classes``); default ``"class 0"``, ...

        Returns:
            DataFrame with columns ``class, iou, accuracy, dice, boundary_iou, boundary_f1, pixel_share``
            (share of the class among non-void target pixels). The mean row holds ``miou``,
            ``mean_accuracy``, ``mean_dice``, ``boundary_miou`` and ``boundary_f1`` (the image-level BF mean,
            which is not the column mean). ``attrs`` holds ``ignore_index``, ``boundary_iou_d``, ``bf_theta``,
            ``averaging``, the dataset-level ``pixel_accuracy`` and ``fwiou``, ``num_images`` and ``caption``.
        """
        names = _class_names(class_names, self.num_classes)
        rows = self.confusion.sum(1)
        table = pd.DataFrame({
            "class": names + ["mean"],
            "iou": [*self.iou, self.miou],
            "accuracy": [*self.accuracy, self.mean_accuracy],
            "dice": [*self.dice, self.mean_dice],
            "boundary_iou": [*self.class_boundary_iou, self.boundary_miou],
            "boundary_f1": [*self.class_boundary_f1, self.boundary_f1],
            "pixel_share": [*region.safe_divide(rows, rows.sum()), np.nan],
        })  # fmt: skip
        table.attrs.update(self._metadata())
        return table

    def _metadata(self) -> dict:
        notes = metric_notes(self.ignore_index)
        caption = (
            f"Per-class scores over {self.num_images} images: pixel accuracy {self.pixel_accuracy:.4f}, "
            f"fwIoU {self.fwiou:.4f}. {notes['caption']}"
        )
        return {**notes, "pixel_accuracy": self.pixel_accuracy, "fwiou": self.fwiou, "num_images": self.num_images,
                "caption": caption}


def _class_names(class_names, num_classes: int) -> list[str]:
    if class_names is None:
        return [f"class {i}" for i in range(num_classes)]
    class_names = getattr(class_names, "names", class_names)  # a dataset's ``Classes`` works too
    names = [str(name) for name in class_names]
    if len(names) != num_classes:
        raise ValueError(f"table: {len(names)} class names for {num_classes} classes; pass one name per class.")
    return names
