"""What a dataset is, for a record: its classes, a name (stem) per sample, and where it comes from."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .classes import Classes
from .errors import DatasetError
from .image_io import mask_value_problem
from .scenes import ShapeScenes


def dataset_classes(dataset) -> Classes:
    """The ``Classes`` of a dataset, looking through wrappers such as ``torch.utils.data.Subset``."""
    while dataset is not None:
        if isinstance(getattr(dataset, "classes", None), Classes):
            return dataset.classes
        dataset = getattr(dataset, "dataset", None)
    raise ValueError(
        "the data has no .classes (a workbench.data.Classes); use a workbench dataset or set "
        "dataset.classes = Classes(names=..., colors=...)."
    )


def data_stems(dataset) -> list[str]:
    """One name per sample: the file stem for file datasets, the index (``00042``) for generated ones.

    Where image and mask stems differ (Cityscapes: ``aachen_000000_000019_leftImg8bit`` and
    ``..._gtFine_labelIds``) the stem is the part they share (``aachen_000000_000019``).
    """
    if _is_subset(dataset):
        parent = data_stems(dataset.dataset)
        return [parent[i] for i in dataset.indices]
    if hasattr(dataset, "mask_path") and hasattr(dataset, "image_path"):
        return [
            _file_stem(Path(dataset.image_path(i)).stem, Path(dataset.mask_path(i)).stem) for i in range(len(dataset))
        ]
    inner = getattr(dataset, "dataset", None)  # MemoryCache and other one-to-one wrappers
    if inner is not None and len(inner) == len(dataset):
        return data_stems(inner)
    return [f"{i:05d}" for i in range(len(dataset))]


def data_target(dataset, index: int) -> np.ndarray:
    """The target mask ``(H, W)`` of sample ``index``, without decoding its image where the dataset allows.

    File datasets without a transform read only the mask (``read_target``, values checked against the
    classes, the file named on error); anything else gives ``dataset[index][1]``.
    """
    if _is_subset(dataset):
        return data_target(dataset.dataset, dataset.indices[index])
    if hasattr(dataset, "read_target") and getattr(dataset, "transform", None) is None:
        mask = dataset.read_target(index)
        problem = mask_value_problem(mask, dataset.mask_path(index), dataset.classes)
        if problem:
            raise DatasetError(problem)
        return mask if mask.flags.writeable else mask.copy()  # PIL's arrays are read-only; torch warns on them
    return np.asarray(dataset[index][1])


def _is_subset(dataset) -> bool:
    """A ``torch.utils.data.Subset`` (or one like it): ``dataset.indices`` into ``dataset.dataset``, known
    without importing torch."""
    return hasattr(dataset, "indices") and hasattr(dataset, "dataset")


def _file_stem(image: str, mask: str) -> str:
    if image == mask:
        return mask
    return os.path.commonprefix([image, mask]).rstrip("_-. ") or mask


def describe_data(dataset) -> dict:
    """``root`` and ``split`` of a file dataset, or the parameters of ``SyntheticShapes`` (root None)."""
    base = dataset
    while getattr(base, "dataset", None) is not None and not hasattr(base, "root"):
        base = base.dataset
    if isinstance(base, ShapeScenes):
        return {
            "root": None,
            "split": None,
            "dataset": "synthetic",
            "synthetic": {"num_images": base.num_images, "image_size": list(base.image_size), "seed": base.seed},
        }
    root = getattr(base, "root", None)
    return {
        "root": None if root is None else str(Path(root).resolve()),
        "split": getattr(base, "split", None),
        "dataset": type(base).__name__,
    }
