"""Trimap mIoU: mIoU restricted to a band around the target's label changes, as a function of its width.

Kohli, Ladicky and Torr, "Robust Higher Order Potentials for Enforcing Label Consistency", IJCV 2009, score
segmentations in a "trimap" band of growing width around object boundaries; the curve shows how much of a
model's error sits near boundaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .confusion import confusion_counts
from .inputs import label_batches
from .morphology import dilate, label_edges
from .region import class_iou, nanmean
from .threads import single_threaded


@single_threaded
def trimap_miou(preds, targets, num_classes: int, widths, ignore_index: int = 255) -> pd.Series:
    """mIoU within chessboard distance w of a target label change, for each width w.

    Pixel p is in the trimap of width w when the ``(2w + 1) x (2w + 1)`` window around it, clipped to the
    image (the frame does not count as a change), holds a target label other than ``targets[p]``; void counts
    as a label there, so the rim of a void region is scored. Void pixels themselves are left out. Per width,
    one confusion matrix over the dataset's trimap pixels gives the mIoU (mean over defined classes).

    Args:
        preds: predicted class maps: ``(N, H, W)``, ``(H, W)`` or a list of ``(H, W)`` maps of any sizes.
        targets: target maps in the same layout, class ids or ``ignore_index``.
        num_classes: C.
        widths: band widths w in pixels, integers ``>= 1``.
        ignore_index: target value left out.

    Returns:
        Series named ``trimap_miou`` indexed by ``w`` (NaN where no pixel of any class lies in the band).
    """
    widths = _check_widths(widths)
    totals = np.zeros((len(widths), num_classes, num_classes), dtype=np.int64)
    for batch in label_batches(preds, targets, num_classes, ignore_index):
        changes = label_edges(batch.targets)  # a pixel next to another label (void included), frame ignored
        for i, w in enumerate(widths):
            # Within distance w of another label <=> within w - 1 of such an edge pixel (see ``morphology``).
            in_band = dilate(changes, w - 1).to(torch.uint8)
            counts = confusion_counts(batch.preds, batch.targets, num_classes, flags=in_band, num_flags=2)
            totals[i] += counts[..., 1].sum(0).cpu().numpy()
    values = [float(nanmean(class_iou(cm))) for cm in totals]
    return pd.Series(values, index=pd.Index(widths, name="w"), name="trimap_miou")


def _check_widths(widths) -> list[int]:
    widths = [widths] if np.isscalar(widths) else list(widths)
    if not widths or any(int(w) != w or w < 1 for w in widths):
        raise ValueError(f"trimap_miou: widths must be integers >= 1, got {widths!r}.")
    return [int(w) for w in widths]
