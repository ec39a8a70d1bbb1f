"""SyntheticShapes: procedurally drawn scenes (see :mod:`.scenes`), the embedded default dataset (no files needed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from .file_datasets import JointTransform
from .normalize import normalize, normalize_array
from .scenes import ShapeScenes


class SyntheticShapes(ShapeScenes, Dataset):
    """Procedural shape scenes: background + disc, square, triangle, ring, cross, bar (7 classes).

    Args:
        num_images: length of the dataset.
        image_size: ``(H, W)`` or an int for square images; any size from 8 px.
        seed: non-negative int; sample ``i`` depends only on ``(seed, i)``.
        transform: optional joint transform applied to the image in ``[0, 1]`` before normalisation.

    Example:
        >>> data = SyntheticShapes(num_images=64, image_size=(96, 96))
        >>> image, mask = data[0]  # float32 (3, 96, 96) normalised, int64 (96, 96) in {0..6, 255}
    """

    def __init__(
        self,
        num_images: int = 256,
        image_size: int | Sequence[int] = (128, 128),
        seed: int = 0,
        transform: JointTransform | None = None,
    ):
        super().__init__(num_images, image_size, seed)
        self.transform = transform

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)``."""
        image, mask = self.read_sample(index)
        mask = torch.from_numpy(mask.astype(np.int64))
        if self.transform is None:  # numpy all the way: no torch thread pool for a small image
            return torch.from_numpy(normalize_array(image)), mask
        image, mask = self.transform(torch.from_numpy(image.transpose(2, 0, 1).copy()), mask)
        return normalize(image), mask
