"""ImageNet normalisation: every dataset returns images in this space, pretrained encoders expect it.

No torch import: the tensor functions build their constants with ``image.new_tensor`` (the image's dtype
and device), so the numpy functions serve the report without torch (STYLE 18).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

# Channel statistics of ImageNet (as in torchvision's pretrained models), RGB order, for images in [0, 1].
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _stats(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and std shaped ``(3, 1, 1)`` on the image's device and dtype, to broadcast over ``(..., 3, H, W)``."""
    return image.new_tensor(IMAGENET_MEAN).view(3, 1, 1), image.new_tensor(IMAGENET_STD).view(3, 1, 1)


def normalize(image: torch.Tensor) -> torch.Tensor:
    """Map an RGB image in ``[0, 1]`` to ImageNet-normalised values.

    Args:
        image: float tensor ``(3, H, W)`` or ``(N, 3, H, W)`` with values in ``[0, 1]``.

    Returns:
        A new float tensor of the same shape: ``(image - mean) / std`` per channel.
    """
    mean, std = _stats(image)
    return (image - mean) / std


def denormalize(image: torch.Tensor) -> torch.Tensor:
    """Undo :func:`normalize` for display.

    Args:
        image: float tensor ``(3, H, W)`` or ``(N, 3, H, W)`` in ImageNet-normalised space.

    Returns:
        Float tensor of the same shape with values clipped to ``[0, 1]`` (clipping because padding and
        augmentation can leave values just outside the displayable range).
    """
    image = image.float()
    mean, std = _stats(image)
    return (image * std + mean).clamp(0.0, 1.0)


def _array_stats() -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(IMAGENET_MEAN, np.float32), np.asarray(IMAGENET_STD, np.float32)


def normalize_array(image: np.ndarray) -> np.ndarray:
    """:func:`normalize` for a numpy ``(H, W, 3)`` image in ``[0, 1]``; returns float32 ``(3, H, W)``.

    Plain numpy, single-threaded: for one small image this beats torch's thread pool, which stalls when
    the CPU is shared with a training process.
    """
    mean, std = _array_stats()
    return np.ascontiguousarray(((image - mean) / std).transpose(2, 0, 1), dtype=np.float32)


def denormalize_array(image: np.ndarray) -> np.ndarray:
    """:func:`denormalize` for a numpy ``(3, H, W)`` image; returns float32 ``(H, W, 3)`` in ``[0, 1]``."""
    mean, std = _array_stats()
    return np.clip(np.asarray(image, np.float32).transpose(1, 2, 0) * std + mean, 0.0, 1.0)
