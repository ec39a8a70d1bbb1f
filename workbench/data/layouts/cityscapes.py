"""Cityscapes fine annotations (Cordts et al., CVPR 2016): ``gtFine`` labelIds mapped to the 19 train ids.

The label ids and train ids are those of cityscapesScripts' ``helpers/labels.py``: of the 34 label ids
written into ``*_gtFine_labelIds.png`` (0..33), 19 are evaluated and get the train ids 0..18; the other 15
(unlabeled, ego vehicle, rectification border, out of roi, static, dynamic, ground, parking, rail track,
guard rail, bridge, tunnel, polegroup, caravan, trailer) are void (255). License plates (id -1) are never
written into the PNGs.
"""

from __future__ import annotations

from pathlib import Path

from ..classes import IGNORE_INDEX, Classes
from ..errors import DatasetError
from ..label_map import LabelMap
from ..pair_reader import PairedFiles
from ..stem_matching import by_stem, pair_by_stem
from .layout import register_layout

# (train id order) name, label id, colour
_EVALUATED = (
    ("road", 7, (128, 64, 128)),
    ("sidewalk", 8, (244, 35, 232)),
    ("building", 11, (70, 70, 70)),
    ("wall", 12, (102, 102, 156)),
    ("fence", 13, (190, 153, 153)),
    ("pole", 17, (153, 153, 153)),
    ("traffic light", 19, (250, 170, 30)),
    ("traffic sign", 20, (220, 220, 0)),
    ("vegetation", 21, (107, 142, 35)),
    ("terrain", 22, (152, 251, 152)),
    ("sky", 23, (70, 130, 180)),
    ("person", 24, (220, 20, 60)),
    ("rider", 25, (255, 0, 0)),
    ("car", 26, (0, 0, 142)),
    ("truck", 27, (0, 0, 70)),
    ("bus", 28, (0, 60, 100)),
    ("train", 31, (0, 80, 100)),
    ("motorcycle", 32, (0, 0, 230)),
    ("bicycle", 33, (119, 11, 32)),
)
NUM_LABEL_IDS = 34  # label ids 0..33 appear in the labelIds PNGs
CITYSCAPES_CLASSES = Classes(names=tuple(n for n, _, _ in _EVALUATED), colors=tuple(c for _, _, c in _EVALUATED))
CITYSCAPES_LABEL_IDS = LabelMap(
    "Cityscapes labelIds",
    {label_id: IGNORE_INDEX for label_id in range(NUM_LABEL_IDS)}
    | {label_id: train_id for train_id, (_, label_id, _) in enumerate(_EVALUATED)},
)
IMAGE_SUFFIX, MASK_SUFFIX = "_leftImg8bit.png", "_gtFine_labelIds.png"


def _split_dir(root: Path, top: str, split: str) -> Path:
    if not root.is_dir():
        raise DatasetError(
            f"Cityscapes root {root} does not exist. Pass the folder that holds leftImg8bit/ and gtFine/."
        )
    folder = root / top / split
    if not folder.is_dir():
        found = sorted(p.name for p in (root / top).iterdir() if p.is_dir()) if (root / top).is_dir() else []
        raise DatasetError(
            f"{folder} is missing. Splits found under {root / top}: {found or 'none'}; choose one "
            "of those (Cityscapes has train, val and test)."
        )
    return folder


def _files(folder: Path, suffix: str, what: str) -> dict[str, Path]:
    """``{stem: file}`` of ``<city>/<stem><suffix>`` under ``folder`` (stems start with the city's name)."""
    return by_stem(folder.glob(f"*/*{suffix}"), lambda p: p.name[: -len(suffix)], f"{what} in {folder}")


@register_layout("cityscapes", markers=("leftImg8bit", "gtFine"))
def cityscapes_files(root: Path, split: str) -> PairedFiles:
    """The pairs of split ``split`` of the Cityscapes folder ``root`` (layout in ``Cityscapes``)."""
    image_dir, mask_dir = _split_dir(root, "leftImg8bit", split), _split_dir(root, "gtFine", split)
    pairs = pair_by_stem(
        _files(image_dir, IMAGE_SUFFIX, "images"),
        _files(mask_dir, MASK_SUFFIX, "masks"),
        image_dir,
        mask_dir,
        lambda stem: f"<city>/{stem}{MASK_SUFFIX}",
    )
    return PairedFiles(pairs, CITYSCAPES_CLASSES, label_map=CITYSCAPES_LABEL_IDS)
