"""Datasets chosen by name (``"synthetic"``) or by folder path (VOC, Cityscapes, ADE20K or images/ + masks/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from torch.utils.data import Dataset

from workbench.registry import Registry

from .errors import DatasetError
from .file_datasets import layout_dataset
from .layouts import layout_of
from .synthetic import SyntheticShapes

DATASETS: Registry[Callable[..., Dataset]] = Registry("dataset")
SYNTHETIC_SPLITS = ("train", "val", "test")


def register_dataset(name: str):
    """Decorator: make ``builder(split, *, transform=None, **kw)`` available as ``create_dataset(name, ...)``."""
    return DATASETS.register(name)


def list_datasets(pattern: str | None = None) -> list[str]:
    """Registered dataset names, sorted, optionally filtered by an fnmatch pattern such as ``"syn*"``."""
    return DATASETS.names(pattern)


@register_dataset("synthetic")
def synthetic(split: str, *, transform=None, seed: int = 0, **kw) -> SyntheticShapes:
    """SyntheticShapes with a seed per split (``3 seed + k``), so train, val and test never share a sample."""
    if split not in SYNTHETIC_SPLITS:
        raise DatasetError(f"synthetic: unknown split {split!r}; choose one of {list(SYNTHETIC_SPLITS)}.")
    if seed < 0:
        raise DatasetError(f"synthetic: seed must be >= 0, got {seed}.")
    return SyntheticShapes(seed=3 * seed + SYNTHETIC_SPLITS.index(split), transform=transform, **kw)


def create_dataset(name_or_root: str | Path, split: str, *, transform=None, **kw) -> Dataset:
    """Build a dataset by registered name or from a folder.

    Args:
        name_or_root: a name from :func:`list_datasets`, or a folder, recognised by its sub-folders: PASCAL
            VOC 2012 (``JPEGImages/``, ``SegmentationClass/``), Cityscapes (``leftImg8bit/``, ``gtFine/``),
            ADE20K SceneParsing (``images/``, ``annotations/``), else a :class:`SegmentationFolder` tree.
        split: e.g. ``"train"`` or ``"val"``.
        transform: optional joint transform (see :mod:`workbench.data.transforms`).
        **kw: passed to the dataset, e.g. ``num_images``, ``image_size``, ``seed``, or ``num_classes`` for a
            folder without ``classes.json``.
    """
    if str(name_or_root) in DATASETS:
        return DATASETS.get(str(name_or_root))(split, transform=transform, **kw)
    root = Path(name_or_root).expanduser()
    if not root.is_dir():
        raise DatasetError(
            f"unknown dataset {str(name_or_root)!r}: not a registered name ({', '.join(list_datasets())}) and "
            "not an existing folder. Give one of those names or the path of a dataset folder."
        )
    return layout_dataset(layout_of(root))(root, split, transform=transform, **kw)
