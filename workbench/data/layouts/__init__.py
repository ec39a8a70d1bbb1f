"""Which layout a dataset folder has, told by its sub-folders, and the file pairs of one split, without torch.

Each module of this package holds one layout: a finder decorated with ``@register_layout(name, markers=...)``.
The package imports every module it holds, so a new layout is one new file here. ``create_dataset`` builds its
torch dataset from the layout found; the report reads the same pairs as numpy arrays (STYLE 18).
"""

from __future__ import annotations

from pathlib import Path

from workbench.lazy_exports import import_submodules

from ..errors import DatasetError
from ..pair_reader import PairedFiles
from .layout import LAYOUTS, Layout

import_submodules(__name__)  # each layout module registers its finder


def layout_of(root: Path) -> Layout:
    """The layout of folder ``root``: the one whose marker sub-folders it holds (VOC, Cityscapes, ADE20K...),
    else the default ``images/`` + ``masks/`` tree.

    Raises:
        DatasetError: the folder holds the markers of two layouts.
    """
    layouts = [LAYOUTS.get(name) for name in LAYOUTS.names()]
    found = [lay for lay in layouts if lay.markers and all((root / m).is_dir() for m in lay.markers)]
    if len(found) > 1:
        raise DatasetError(
            f"{root} holds the sub-folders of {len(found)} layouts ("
            + "; ".join(f"{lay.name}: {', '.join(lay.markers)}" for lay in found)
            + "). Keep one dataset per folder."
        )
    return found[0] if found else next(lay for lay in layouts if not lay.markers)


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
    return layout_of(root).find_files(root, split, **kw)
