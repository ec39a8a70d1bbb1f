"""Shared plumbing of the file-backed datasets: a list of (image, mask) file pairs read on demand."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from workbench.progress_bar import tqdm

from .classes import Classes
from .errors import DatasetError
from .image_io import mask_value_problem, read_image, read_mask, size_problem
from .label_map import LabelMap
from .normalize import normalize

JointTransform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class PairedFileDataset(Dataset):
    """Image/mask file pairs served as normalised samples; subclasses only find the pairs.

    Args:
        samples: ``(image_path, mask_path)`` pairs, in index order.
        classes: class names, colours and ignore index of the masks.
        transform: optional joint transform ``(image, mask) -> (image, mask)`` applied to the image in
            ``[0, 1]`` before ImageNet normalisation (see :mod:`workbench.data.transforms`).
        label_map: for masks stored in the dataset's own label ids (Cityscapes, ADE20K): maps them to class
            ids on reading; ``None``: the mask values are the class ids.
    """

    def __init__(self, samples: Sequence[tuple[Path, Path]], classes: Classes, transform: JointTransform | None = None,
                 *, label_map: LabelMap | None = None):
        self.samples = [(Path(i), Path(m)) for i, m in samples]
        self.classes = classes
        self.transform = transform
        self.label_map = label_map

    def __len__(self) -> int:
        return len(self.samples)

    def image_path(self, index: int) -> Path:
        """The image file behind sample ``index``."""
        return self.samples[index][0]

    def mask_path(self, index: int) -> Path:
        """The mask file behind sample ``index``."""
        return self.samples[index][1]

    def read_target(self, index: int) -> np.ndarray:
        """The class-id mask ``uint8 (H, W)`` of sample ``index`` (mapped from the dataset's label ids if needed)."""
        path = self.samples[index][1]
        raw = read_mask(path)
        return raw if self.label_map is None else self.label_map.apply(raw, path)

    def _read_checked(self, index: int) -> tuple[torch.Tensor, np.ndarray, list[str]]:
        """Image and mask of sample ``index``, both fully decoded, and the problems of the pair."""
        image_path, mask_path = self.samples[index]
        image = read_image(image_path)
        mask = self.read_target(index)
        problems = [p for p in (size_problem(tuple(image.shape[1:]), mask.shape, image_path, mask_path),
                                mask_value_problem(mask, mask_path, self.classes)) if p]
        return image, mask, problems

    def load(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index`` as read from disk, checked, before any transform or normalisation.

        Returns:
            ``(image, mask)``: float32 ``(3, H, W)`` in ``[0, 1]`` and int64 ``(H, W)``.

        Raises:
            DatasetError: unreadable or truncated file, an image too large, image/mask size mismatch, or
                mask values outside the classes.
        """
        image, mask, problems = self._read_checked(index)
        if problems:
            raise DatasetError("\n".join(problems))
        return image, torch.from_numpy(mask.astype("int64"))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)``."""
        image, mask = self.load(index)
        if self.transform is not None:
            image, mask = self.transform(image, mask)
        return normalize(image), mask

    def validate(self, *, progress: bool = True) -> list[str]:
        """Decode every image and mask (a truncated JPEG fails here) and return all problems found.

        Args:
            progress: show a tqdm progress bar (in notebooks and terminals alike).

        Returns:
            One message per problem, each naming its file; an empty list means the split is clean.
        """
        problems = []
        for index in tqdm(range(len(self)), desc=f"checking {type(self).__name__}", unit="pair", disable=not progress):
            try:
                problems += self._read_checked(index)[2]
            except DatasetError as err:
                problems.append(str(err))
        return problems

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} samples, {self.classes.num_classes} classes)"
