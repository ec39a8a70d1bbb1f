"""The file-backed torch datasets: a layout's file pairs (read as numpy) served as normalised tensors.

Finding and reading the files is torch-free (:mod:`.pair_reader` and each layout's ``*_files`` function);
a class here names its layout's finder, and its base adds the transform, the tensors and the normalisation.
``layout_dataset`` gives ``create_dataset`` the class of the layout that :mod:`.layouts` finds in a folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.data import Dataset

from .errors import DatasetError
from .layouts.ade20k import ade20k_files
from .layouts.cityscapes import cityscapes_files
from .layouts.folder import folder_files
from .layouts.layout import Layout
from .layouts.voc import voc_files
from .normalize import normalize
from .pair_reader import PairedFiles

JointTransform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class PairedFileDataset(PairedFiles, Dataset):
    """Image/mask file pairs served as normalised samples; a subclass names only its layout's finder.

    Args:
        root: the dataset folder.
        split: e.g. ``"train"`` or ``"val"``.
        transform: optional joint transform ``(image, mask) -> (image, mask)`` applied to the image in
            ``[0, 1]`` before ImageNet normalisation (see :mod:`workbench.data.transforms`).
        **kw: passed to the finder.
    """

    find_files: Callable[..., PairedFiles]  # (root, split, **kw) -> the split's pairs (torch-free, see .layouts)

    def __init__(self, root: str | Path, split: str, transform: JointTransform | None = None, **kw):
        self.root, self.split = Path(root), split
        files = self.find_files(self.root, split, **kw)
        super().__init__(files.samples, files.classes, label_map=files.label_map)
        self.transform = transform

    def load(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index`` as read from disk, checked, before any transform or normalisation.

        Returns:
            ``(image, mask)``: float32 ``(3, H, W)`` in ``[0, 1]`` and int64 ``(H, W)``.

        Raises:
            DatasetError: unreadable or truncated file, an image too large, image/mask size mismatch, or
                mask values outside the classes.
        """
        image, mask = self.read_sample(index)
        return torch.from_numpy(image).permute(2, 0, 1), torch.from_numpy(mask.astype("int64"))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``index``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)``."""
        image, mask = self.load(index)
        if self.transform is not None:
            image, mask = self.transform(image, mask)
        return normalize(image), mask

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r}, {self.split!r}: {len(self)} samples)"


class SegmentationFolder(PairedFileDataset):
    """Images and index masks in a folder tree, e.g. the CamVid copy in ``../shared/datasets/camvid``.

    Layout::

        root/images/<split>/<stem>.jpg|.jpeg|.png
        root/masks/<split>/<stem>.png      index PNG (mode L or P): class ids, 255 = void
        (one image per stem: not both a.jpg and a.png; no mask without its image)
        root/classes.json                  optional: names, colours, ignore_index

    Construction only lists files (cheap); each file is read and checked when its sample is loaded, and
    :meth:`validate` checks them all at once.

    Args:
        root: the dataset folder.
        split: sub-folder name, e.g. ``"train"`` or ``"val"``.
        transform: optional joint transform applied before normalisation.
        num_classes: needed only when ``root`` has no ``classes.json``; classes are then named ``class_<i>``.

    Raises:
        DatasetError: missing root or split folders, empty split, images without masks or masks without
            images, two images of one stem, bad classes.json.
    """

    find_files = staticmethod(folder_files)

    def __init__(
        self, root: str | Path, split: str, transform: JointTransform | None = None, *, num_classes: int | None = None
    ):
        super().__init__(root, split, transform, num_classes=num_classes)

    def __repr__(self) -> str:
        classes = self.classes.num_classes
        return f"SegmentationFolder({str(self.root)!r}, {self.split!r}: {len(self)} samples, {classes} classes)"


class VOCSegmentation(PairedFileDataset):
    """PASCAL VOC 2012 semantic segmentation: 21 classes (background + 20 objects), 255 = void border.

    Layout::

        root/JPEGImages/<id>.jpg
        root/SegmentationClass/<id>.png     palette PNG: the pixel's palette index is its class id
        root/ImageSets/Segmentation/<split>.txt

    Args:
        root: the ``VOC2012`` folder.
        split: ``"train"``, ``"val"``, ``"trainval"`` or any list present in ``ImageSets/Segmentation``.
        transform: optional joint transform applied before normalisation.

    Raises:
        DatasetError: missing folders or split list, empty split, listed files absent.
    """

    find_files = staticmethod(voc_files)


class Cityscapes(PairedFileDataset):
    """Cityscapes with fine annotations: 19 classes (train ids), 255 = void.

    Layout (as downloaded, ``leftImg8bit_trainvaltest.zip`` and ``gtFine_trainvaltest.zip`` unpacked into
    one folder)::

        root/leftImg8bit/<split>/<city>/<city>_<seq>_<frame>_leftImg8bit.png
        root/gtFine/<split>/<city>/<city>_<seq>_<frame>_gtFine_labelIds.png

    Args:
        root: the folder holding ``leftImg8bit/`` and ``gtFine/``.
        split: ``"train"``, ``"val"`` or ``"test"`` (the test masks are all void).
        transform: optional joint transform applied before normalisation.

    Raises:
        DatasetError: missing folders, empty split, images without masks or masks without images.
    """

    find_files = staticmethod(cityscapes_files)


class ADE20K(PairedFileDataset):
    """ADE20K SceneParsing: 150 classes, 255 = void ("other").

    Layout (``ADEChallengeData2016.zip`` unpacked)::

        root/images/training/ADE_train_<n>.jpg        root/annotations/training/ADE_train_<n>.png
        root/images/validation/ADE_val_<n>.jpg        root/annotations/validation/ADE_val_<n>.png

    Args:
        root: the ``ADEChallengeData2016`` folder.
        split: ``"training"`` or ``"validation"`` (also ``"train"``, ``"val"``).
        transform: optional joint transform applied before normalisation.

    Raises:
        DatasetError: missing folders, empty split, images without masks or masks without images.
    """

    find_files = staticmethod(ade20k_files)


def layout_dataset(layout: Layout) -> type[PairedFileDataset]:
    """The torch dataset of a folder layout: the ``PairedFileDataset`` subclass naming the layout's finder.

    Raises:
        DatasetError: no subclass names it (a layout added without its torch dataset).
    """
    for dataset in PairedFileDataset.__subclasses__():
        if dataset.find_files is layout.find_files:
            return dataset
    raise DatasetError(
        f"the {layout.name!r} dataset layout has no torch dataset: add a PairedFileDataset subclass with "
        f"find_files = staticmethod({layout.find_files.__name__}) to workbench/data/file_datasets.py."
    )
