"""``Scores``: every dataset-level score, derived from summed counts, and its per-class table."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import region

SCORE_KEYS = (
    "pixel_accuracy", "accuracy", "mean_accuracy", "iou", "miou", "fwiou", "dice", "mean_dice",
    "class_boundary_iou", "boundary_miou", "class_boundary_f1", "boundary_f1",
)  # fmt: skip

BOUNDARY_IOU_RULE = "d = max(1, round(0.02 x image diagonal)) px per image (Boundary IoU, Cheng et al. 2021)"
BF_THETA_RULE = "theta = 0.0075 x image diagonal, Euclidean, not rounded (BF score, Csurka et al. 2013)"
AVERAGING = (
    "one confusion matrix over the dataset; means over defined classes; NaN = undefined; "
    "BF: per-class mean over images where defined, boundary_f1 = mean over images of per-image class means"
)


@dataclass(frozen=True, eq=False)  # arrays inside: compare ``as_dict()`` values instead
class Scores:
    """Dataset-level segmentation scores (definitions in DESIGN.md, "Metrics").

    Per-class arrays have length ``num_classes`` with NaN where a class is undefined (zero denominator over
    the dataset); means skip NaN and are NaN when no class is defined.

    Attributes:
        confusion: ``(C, C)`` int64 counts of non-void pixels, rows target class, columns predicted class.
        ignore_index: the target value left out.
        num_images: images scored.
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

    @classmethod
    def from_counts(cls, confusion, boundary_inter, boundary_union, bf_sum, bf_count, bf_image_sum, bf_image_count,
                    *, ignore_index: int = 255, num_images: int = 0) -> "Scores":
        """Derive every score from counts summed over the dataset (and over ranks).

        Args:
            confusion: ``(C, C)`` int counts.
            boundary_inter, boundary_union: ``(C,)`` Boundary IoU band intersections and unions.
            bf_sum, bf_count: ``(C,)`` sum of per-image BF scores and number of images where defined.
            bf_image_sum, bf_image_count: sum of per-image mean BF scores, and number of such images.
        """
        confusion = np.asarray(confusion, dtype=np.int64)
        accuracy, iou = region.class_accuracy(confusion), region.class_iou(confusion)
        dice = region.class_dice(confusion)
        class_boundary_iou = region.safe_divide(boundary_inter, boundary_union)
        class_boundary_f1 = region.safe_divide(bf_sum, bf_count)
        return cls(
            pixel_accuracy=float(region.pixel_accuracy(confusion)),
            accuracy=accuracy, mean_accuracy=float(region.nanmean(accuracy)),
            iou=iou, miou=float(region.nanmean(iou)), fwiou=float(region.fw_iou(confusion)),
            dice=dice, mean_dice=float(region.nanmean(dice)),
            class_boundary_iou=class_boundary_iou, boundary_miou=float(region.nanmean(class_boundary_iou)),
            class_boundary_f1=class_boundary_f1, boundary_f1=float(region.safe_divide(bf_image_sum, bf_image_count)),
            confusion=confusion, ignore_index=int(ignore_index), num_images=int(num_images),
        )  # fmt: skip

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
        caption = (
            f"Per-class scores over {self.num_images} images: pixel accuracy {self.pixel_accuracy:.4f}, "
            f"fwIoU {self.fwiou:.4f}. Pixels with target {self.ignore_index} (ignore_index) are left out. "
            f"Boundary IoU band {BOUNDARY_IOU_RULE}; BF tolerance {BF_THETA_RULE}. Averaging: {AVERAGING}."
        )
        return {
            "ignore_index": self.ignore_index, "boundary_iou_d": BOUNDARY_IOU_RULE, "bf_theta": BF_THETA_RULE,
            "averaging": AVERAGING, "pixel_accuracy": self.pixel_accuracy, "fwiou": self.fwiou,
            "num_images": self.num_images, "caption": caption,
        }  # fmt: skip


def _class_names(class_names, num_classes: int) -> list[str]:
    if class_names is None:
        return [f"class {i}" for i in range(num_classes)]
    class_names = getattr(class_names, "names", class_names)  # a dataset's ``Classes`` works too
    names = [str(name) for name in class_names]
    if len(names) != num_classes:
        raise ValueError(f"table: {len(names)} class names for {num_classes} classes; pass one name per class.")
    return names
