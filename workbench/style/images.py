"""Bring content and style images into the one form style transfer works on: float ``(1, 3, H, W)`` in [0, 1]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def load_image(path: str | Path, *, size: int | None = None) -> torch.Tensor:
    """Read an image file as RGB.

    Args:
        path: any format Pillow reads.
        size: resize so that the longer side has this many pixels (aspect kept); None keeps the size.

    Returns:
        ``(3, H, W)`` float32 in ``[0, 1]``.
    """
    path = Path(path)
    try:
        with Image.open(path) as img:
            array = np.asarray(img.convert("RGB"))
    except (OSError, ValueError) as err:
        raise ValueError(f"Could not read image {path}: {err}. Pass a readable .jpg/.png file or a tensor.") from err
    image = torch.from_numpy(array).permute(2, 0, 1).contiguous().float() / 255
    return image if size is None else resize_longer_side(image[None], size)[0]


def resize_longer_side(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize ``(N, C, H, W)`` so that max(H, W) == size, keeping the aspect ratio (antialiased bilinear)."""
    height, width = images.shape[-2:]
    scale = size / max(height, width)
    shape = (max(1, round(height * scale)), max(1, round(width * scale)))
    if shape == (height, width):
        return images
    return F.interpolate(images, size=shape, mode="bilinear", antialias=True, align_corners=False).clamp(0, 1)


def as_image_batch(image, *, name: str = "image") -> torch.Tensor:
    """A path, PIL image or tensor as float32 ``(1, 3, H, W)`` in [0, 1], on the tensor's device.

    Args:
        image: a file path, a PIL image, a uint8 tensor (0-255), or a float tensor in [0, 1], shaped
            ``(3, H, W)`` or ``(1, 3, H, W)``.
        name: what the image is ("content", "style"), for error messages.
    """
    if isinstance(image, (str, Path)):
        image = load_image(image)
    elif isinstance(image, Image.Image):
        image = torch.from_numpy(np.asarray(image.convert("RGB")).copy()).permute(2, 0, 1)
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"The {name} image must be a path, a PIL image or a tensor, got {type(image).__name__}.")
    batch = image[None] if image.dim() == 3 else image
    if batch.dim() != 4 or batch.shape[:2] != (1, 3):
        raise ValueError(f"The {name} image must be RGB shaped (3, H, W) or (1, 3, H, W), got {tuple(image.shape)}.")
    if batch.dtype == torch.uint8:
        return batch.float() / 255
    batch = batch.float()
    low, high = batch.min().item(), batch.max().item()
    if low < -1e-6 or high > 1 + 1e-6:
        raise ValueError(
            f"The {name} image has values in [{low:.3g}, {high:.3g}], expected [0, 1]. If it is ImageNet-normalised "
            "(a dataset sample), undo that first with workbench.data.denormalize(image)."
        )
    return batch.clamp(0, 1)
