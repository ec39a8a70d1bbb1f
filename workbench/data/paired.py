"""Shared plumbing of the file-backed datasets: a list of (image, mask) file pairs read on demand."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import torch
from torch.utils.data import Dataset

from .classes import Classes
from .errors import DatasetError
from .image_io import check_mask_values, mask_value_problem, read_image, read_mask, read_size, size_problem
from .normalize import normalize

JointTransform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class PairedFileDataset(Dataset):
    """Image/mask file pairs served as normalised samples; subclasses only find the pairs.

    Args:
        samples: ``(image_path, mask_path)`` pairs, in index order.
        classes: class names, colours and ignore index of the masks.
        transform: optional joint transform ``(image, mask) -> (image, mask)`` applied to the image in
            ``[0, 1]`` before ImageNet normalisation (see :mod:`workbench.data.transforms`).
    """

    def __init__(self, samples: Sequence[tuple[Path, Path]], classes: Classes, transform: JointTransform | None = None):
        self.samples = [(Path(i), Path(m)) for i, m in samples]
        self.classes = classes
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def image_path(self, index: int) -> Path:
        """The image file behind sample ``index``."""
        return self.samples[index][0]

    def mask_path(self, index: int) -> Path:
        """The mask file behind sample ``index``."""
        return self.samples[index][1]

    def load(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index`` as read from disk, checked, before any transform or normalisation.

        Returns:
            ``(image, mask)``: float32 ``(3, H, W)`` in ``[0, 1]`` and int64 ``(H, W)``.

        Raises:
            DatasetError: unreadable file, image/mask size mismatch, or mask values outside the classes.
        """
        image_path, mask_path = self.samples[index]
        image = read_image(image_path)
        mask = read_mask(mask_path)
        problem = size_problem(tuple(image.shape[1:]), mask.shape, image_path, mask_path)
        if problem:
            raise DatasetError(problem)
        check_mask_values(mask, mask_path, self.classes)
        return image, torch.from_numpy(mask.astype("int64"))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)``."""
        image, mask = self.load(index)
        if self.transform is not None:
            image, mask = self.transform(image, mask)
        return normalize(image), mask

    def validate(self) -> list[str]:
        """Check every pair (mask decoded, image header read) and return all problems found.

        Returns:
            One message per problem, each naming its file; an empty list means the split is clean.
        """
        problems = []
        for image_path, mask_path in self.samples:
            try:
                mask = read_mask(mask_path)
                problems += [p for p in (
                    size_problem(read_size(image_path), mask.shape, image_path, mask_path),
                    mask_value_problem(mask, mask_path, self.classes),
                ) if p]
            except DatasetError as err:
                problems.append(str(err))
        return problems

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} samples, {self.classes.num_classes} classes)"
