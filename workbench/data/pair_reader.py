"""Image/mask file pairs read as numpy arrays: what every file-backed dataset reads, with no torch.

The torch datasets (:mod:`.file_datasets`) add transforms and tensors on top; the report reads the same
pairs here to show the photographs and targets a record scored (STYLE 18).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from workbench.progress_bar import tqdm

from .classes import Classes
from .errors import DatasetError
from .image_io import mask_value_problem, read_image, read_mask, size_problem
from .label_map import LabelMap


class PairedFiles:
    """Image/mask file pairs read on demand; a dataset layout only finds the pairs.

    Args:
        samples: ``(image_path, mask_path)`` pairs, in index order.
        classes: class names, colours and ignore index of the masks.
        label_map: for masks stored in the dataset's own label ids (Cityscapes, ADE20K): maps them to class
            ids on reading; ``None``: the mask values are the class ids.
    """

    def __init__(self, samples: Sequence[tuple[Path, Path]], classes: Classes, *, label_map: LabelMap | None = None):
        self.samples = [(Path(i), Path(m)) for i, m in samples]
        self.classes = classes
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

    def _read_checked(self, index: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Image and mask of sample ``index``, both fully decoded, and the problems of the pair."""
        image_path, mask_path = self.samples[index]
        image = read_image(image_path)
        mask = self.read_target(index)
        problems = [
            p
            for p in (
                size_problem(image.shape[:2], mask.shape, image_path, mask_path),
                mask_value_problem(mask, mask_path, self.classes),
            )
            if p
        ]
        return image, mask, problems

    def read_sample(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample ``index`` as read from disk, checked, before any transform or normalisation.

        Returns:
            ``(image, mask)``: float32 ``(H, W, 3)`` in ``[0, 1]`` and uint8 ``(H, W)`` (class ids, void as
            the ignore index).

        Raises:
            DatasetError: unreadable or truncated file, an image too large, image/mask size mismatch, or
                mask values outside the classes.
        """
        image, mask, problems = self._read_checked(index)
        if problems:
            raise DatasetError("\n".join(problems))
        return image, mask

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """``read_sample``: a numpy reader is a sequence of ``(image, target)`` (the torch dataset built on it
        gives tensors instead)."""
        return self.read_sample(index)

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
