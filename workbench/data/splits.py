"""The train and validation datasets of a run from one ``data`` argument plus sizes (CLI and notebooks)."""

from __future__ import annotations

from pathlib import Path

from torch.utils.data import Dataset, Subset

from .classes import check_ignore_index
from .registry import DATASETS, create_dataset
from .sizes import SizeLike, check_count, parse_size
from .transforms import train_transforms


def _first(dataset: Dataset, count: int | None) -> Dataset:
    """The first ``count`` samples of a file dataset (all of them when it has fewer, or ``count`` is None)."""
    if count is None or count >= len(dataset):
        return dataset
    head = Subset(dataset, range(count))
    head.classes = dataset.classes
    return head


def _registered(name: str, split: str, *, count, image_size, seed, transform) -> Dataset:
    """A registered dataset; only the sizes that were given are passed to its builder."""
    given = {"num_images": count, "image_size": image_size, "seed": seed}
    return DATASETS.get(name)(split, transform=transform, **{k: v for k, v in given.items() if v is not None})


def create_split(
    data: str | Path,
    split: str,
    *,
    image_size: SizeLike | None = None,
    num_images: int | None = None,
    seed: int | None = None,
    crop_size: SizeLike | None = None,
    ignore_index: int | None = None,
    count_name: str = "num_images",
) -> Dataset:
    """One split of a dataset from a name or a folder, with the sizes users type (``workbench evaluate``).

    Args:
        data: as in :func:`create_splits`.
        image_size: as in :func:`create_splits`.
        seed: as in :func:`create_splits`.
        ignore_index: as in :func:`create_splits`.
        split: the split's name, e.g. ``"val"``.
        num_images: generated data draws this many; a folder uses its first ``num_images`` (all when it has
            fewer). ``None``: the default (a folder: all).
        crop_size: random-crop augmentation to this size; ``None``: whole images, no augmentation.
        count_name: the name ``num_images`` has for the caller (``"val_images"``), for error messages.
    """
    size, crop = parse_size(image_size, "image_size"), parse_size(crop_size, "crop_size")
    count = check_count(num_images, count_name)
    transform = train_transforms(crop) if crop else None
    if str(data) in DATASETS:
        dataset = _registered(str(data), split, count=count, image_size=size, seed=seed, transform=transform)
    else:
        dataset = _first(create_dataset(data, split, transform=transform), count)
    check_ignore_index(dataset.classes, ignore_index)
    return dataset


def create_splits(
    data: str | Path,
    *,
    image_size: SizeLike | None = None,
    num_images: int | None = None,
    val_images: int | None = None,
    seed: int | None = None,
    crop_size: SizeLike | None = None,
    train_split: str = "train",
    val_split: str = "val",
    ignore_index: int | None = None,
) -> tuple[Dataset, Dataset]:
    """Training and validation datasets from a name or a folder, with the sizes users type.

    Args:
        data: a registered name (``"synthetic"``, see :func:`list_datasets`) or a folder: a
            :class:`SegmentationFolder` tree, or a PASCAL VOC 2012, Cityscapes or ADE20K folder, recognised
            as in :func:`create_dataset`.
        image_size: generated data only (a folder's images keep their own size): an int (square), a string
            (``"64"``, ``"64,48"``, ``"[64, 48]"``, as papermill's ``-p`` passes it) or ``(H, W)``. ``None``:
            the dataset's default.
        num_images: training images: generated data draws this many; a folder uses its first ``num_images``
            (all when it has fewer). ``None``: the default (a folder: all).
        val_images: the same for the validation split.
        seed: generated data only; ``None``: the dataset's default. Train and val never share a sample.
        crop_size: training augmentation (random scale, crop, flip, jitter) to this size; ``None``: whole
            images, no augmentation. Validation data is never augmented.
        train_split: the training split's name, e.g. ``"train"``.
        val_split: the validation split's name, e.g. ``"val"``.
        ignore_index: checked against the dataset's ``classes.ignore_index``; ``None``: take the dataset's.

    Returns:
        ``(train, val)``, both carrying ``.classes``.

    Raises:
        DatasetError: a size that is not one or two positive ints, a count of 0 or below, an
            ``ignore_index`` that disagrees with the dataset, or any problem of the data itself.
    """
    common = {"image_size": image_size, "seed": seed, "ignore_index": ignore_index}
    train = create_split(data, train_split, num_images=num_images, crop_size=crop_size, **common)
    val = create_split(data, val_split, num_images=val_images, count_name="val_images", **common)
    return train, val
