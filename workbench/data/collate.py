"""Batching samples of different sizes: pad each to the batch's largest height and width."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from . import limits
from .classes import IGNORE_INDEX
from .errors import DatasetError


def pad_collate(
    batch: Sequence[tuple[torch.Tensor, torch.Tensor]], ignore_index: int = IGNORE_INDEX
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack ``(image, mask)`` samples, padding bottom/right to the largest ``H`` and ``W`` in the batch.

    Use as ``DataLoader(..., collate_fn=pad_collate)``. Images are padded with 0 (the mean colour once
    normalised) and masks with ``ignore_index``, so padding never counts in losses or metrics.

    Args:
        batch: samples with image float ``(3, H_i, W_i)`` and mask int64 ``(H_i, W_i)``.
        ignore_index: mask value for padded pixels.

    Returns:
        ``(images, masks)``: float ``(N, 3, H, W)`` and int64 ``(N, H, W)``, ``H = max H_i``, ``W = max W_i``.

    Raises:
        DatasetError: the padded batch would exceed ``workbench.data.limits.MAX_BATCH_BYTES`` (a tall and a
            wide image together pad to a square as large as both); nothing is allocated then.
    """
    if len(batch) == 0:
        raise ValueError("pad_collate: empty batch; the DataLoader gave no samples.")
    height = max(image.shape[-2] for image, _ in batch)
    width = max(image.shape[-1] for image, _ in batch)
    _check_batch(batch, height, width)
    images, masks = [], []
    for image, mask in batch:
        if tuple(image.shape[-2:]) != tuple(mask.shape[-2:]):
            raise ValueError(f"pad_collate: image {tuple(image.shape)} and mask {tuple(mask.shape)} differ in size.")
        pad = (0, width - image.shape[-1], 0, height - image.shape[-2])
        images.append(F.pad(image, pad, value=0.0))
        masks.append(F.pad(torch.as_tensor(mask, dtype=torch.int64), pad, value=ignore_index))
    return torch.stack(images), torch.stack(masks)


def _check_batch(batch, height: int, width: int) -> None:
    """Refuse a batch whose padded float32 images would take more than ``limits.MAX_BATCH_BYTES``."""
    size = len(batch) * 3 * height * width * 4
    if size > limits.MAX_BATCH_BYTES:
        shapes = ", ".join(f"{image.shape[-1]}x{image.shape[-2]}" for image, _ in batch[:8])
        raise DatasetError(
            f"pad_collate: {len(batch)} images padded to {width}x{height} (WxH, {limits.megapixels(height, width)} "
            f"each) would take {limits.size_text(size)}, above workbench.data.limits.MAX_BATCH_BYTES "
            f"({limits.size_text(limits.MAX_BATCH_BYTES)}). Images (WxH): {shapes}. Use a smaller batch size, "
            "train on crops (crop_size), or resize the data; raise the limit if you have the memory."
        )
