"""Which layout a dataset folder has, told by its sub-folders, and the file pairs of one split, without torch.

``create_dataset`` builds its torch dataset from the layout found here; the report reads the same pairs as
numpy arrays (STYLE 18).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..pair_reader import PairedFiles
from .ade20k import ade20k_files
from .cityscapes import cityscapes_files
from .folder import folder_files
from .voc import voc_files

FindFiles = Callable[..., PairedFiles]  # (root, split, **kw) -> the split's pairs
LAYOUTS: tuple[tuple[tuple[str, ...], FindFiles], ...] = (  # (sub-folders that identify a layout, its finder)
    (("JPEGImages", "SegmentationClass"), voc_files),
    (("leftImg8bit", "gtFine"), cityscapes_files),
    (("images", "annotations"), ade20k_files),
)


def layout_of(root: Path) -> FindFiles:
    """The finder of the layout of folder ``root``: VOC, Cityscapes or ADE20K by their sub-folders, else the
    plain ``images/`` + ``masks/`` tree (``folder_files``)."""
    for markers, find in LAYOUTS:
        if all((root / marker).is_dir() for marker in markers):
            return find
    return folder_files


def find_files(root: str | Path, split: str, **kw) -> PairedFiles:
    """The image/mask pairs of split ``split`` of the dataset folder ``root``, whatever its layout.

    Args:
        root: a dataset folder (see ``create_dataset``).
        split: e.g. ``"train"`` or ``"val"``.
        **kw: passed to the layout's finder, e.g. ``num_classes`` for a folder without ``classes.json``.

    Raises:
        DatasetError: as the torch dataset of the same folder would raise it.
    """
    root = Path(root).expanduser()
    return layout_of(root)(root, split, **kw)
