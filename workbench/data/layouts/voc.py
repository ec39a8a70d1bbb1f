"""PASCAL VOC 2012 segmentation (Everingham et al., IJCV 2010): palette PNG masks, ImageSets split lists."""

from __future__ import annotations

from pathlib import Path

from ..classes import Classes
from ..errors import DatasetError, listing
from ..pair_reader import PairedFiles
from ..palette import voc_color_map
from .layout import register_layout

VOC_CLASS_NAMES = (
    "background",
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "pottedplant",
    "sheep",
    "sofa",
    "train",
    "tvmonitor",
)
# The palette stored in VOC's own PNGs, so colorized predictions look like the ground truth files.
VOC_CLASSES = Classes(names=VOC_CLASS_NAMES, colors=tuple(voc_color_map(len(VOC_CLASS_NAMES))))


def _check_root(root: Path) -> None:
    if not root.is_dir():
        raise DatasetError(
            f"VOC root {root} does not exist. Pass the VOC2012 folder, the one that holds JPEGImages/, "
            "SegmentationClass/ and ImageSets/Segmentation/."
        )
    for name in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        if not (root / name).is_dir():
            nested = root / "VOCdevkit" / "VOC2012"
            hint = f" It looks like you want {nested}." if nested.is_dir() else ""
            raise DatasetError(
                f"{root / name} is missing, so {root} is not a VOC2012 folder.{hint} Pass the folder that "
                "holds JPEGImages/, SegmentationClass/ and ImageSets/Segmentation/."
            )


def _read_ids(root: Path, split: str) -> list[str]:
    """Image ids listed in ``ImageSets/Segmentation/<split>.txt``."""
    lists = root / "ImageSets" / "Segmentation"
    split_file = lists / f"{split}.txt"
    if not split_file.is_file():
        available = sorted(p.stem for p in lists.glob("*.txt"))
        raise DatasetError(f"{split_file} is missing. Splits available: {available or 'none'}; choose one of those.")
    ids = [line.split()[0] for line in split_file.read_text().splitlines() if line.strip()]
    if not ids:
        raise DatasetError(
            f"{split_file} lists no image ids: the split is empty. Add ids (one per line) or choose another split."
        )
    return ids


def _pairs(root: Path, ids: list[str], split_file: Path) -> list[tuple[Path, Path]]:
    """JPEG and mask of every id; raise naming the first few ids whose files are absent."""
    pairs = [(root / "JPEGImages" / f"{i}.jpg", root / "SegmentationClass" / f"{i}.png") for i in ids]
    missing = [str(p) for pair in pairs for p in pair if not p.is_file()]
    if missing:
        raise DatasetError(
            f"{len(missing)} files listed by {split_file} are missing: {listing(missing)}. Restore them or remove "
            "their ids from the list."
        )
    return pairs


@register_layout("voc", markers=("JPEGImages", "SegmentationClass"))
def voc_files(root: Path, split: str) -> PairedFiles:
    """The pairs of split ``split`` of the VOC2012 folder ``root`` (layout in ``VOCSegmentation``)."""
    _check_root(root)
    split_file = root / "ImageSets" / "Segmentation" / f"{split}.txt"
    return PairedFiles(_pairs(root, _read_ids(root, split), split_file), VOC_CLASSES)
