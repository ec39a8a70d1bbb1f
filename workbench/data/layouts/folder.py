"""A dataset from a plain folder tree: ``images/<split>/*.jpg`` beside ``masks/<split>/*.png`` (layout in
:class:`workbench.data.SegmentationFolder`), found without torch."""

from __future__ import annotations

from pathlib import Path

from ..classes import CLASSES_FILE, Classes
from ..errors import DatasetError
from ..image_io import IMAGE_SUFFIXES
from ..pair_reader import PairedFiles
from ..palette import default_classes
from ..stem_matching import by_stem, pair_by_stem
from .layout import register_layout


def _subfolders(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


def _split_dirs(root: Path, split: str) -> tuple[Path, Path]:
    """``images/<split>`` and ``masks/<split>``, checked to exist."""
    if not root.is_dir():
        raise DatasetError(
            f"dataset root {root} does not exist or is not a folder. Pass the folder that holds "
            "images/<split>/ and masks/<split>/ (and optionally classes.json)."
        )
    image_dir, mask_dir = root / "images" / split, root / "masks" / split
    for folder in (image_dir, mask_dir):
        if not folder.is_dir():
            available = _subfolders(folder.parent)
            raise DatasetError(
                f"{folder} is missing. Splits found under {folder.parent}: {available or 'none'}. "
                f"Choose one of those, or create {folder.relative_to(root)}/ with the {split} files."
            )
    return image_dir, mask_dir


def _pairs(image_dir: Path, mask_dir: Path) -> list[tuple[Path, Path]]:
    """Every image with the mask of the same stem; one file per stem on each side, none left unmatched."""
    images = by_stem(
        (p for p in image_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
        lambda p: p.stem,
        f"images in {image_dir}",
    )
    masks = by_stem(
        (p for p in mask_dir.iterdir() if p.is_file() and p.suffix.lower() == ".png"),
        lambda p: p.stem,
        f"masks in {mask_dir}",
    )
    return pair_by_stem(images, masks, image_dir, mask_dir, lambda stem: f"{stem}.png")


def _folder_classes(root: Path, num_classes: int | None) -> Classes:
    """Classes from ``root/classes.json``, else ``num_classes`` generic ones."""
    spec = root / CLASSES_FILE
    if spec.is_file():
        classes = Classes.from_json(spec)
        if num_classes is not None and num_classes != classes.num_classes:
            raise DatasetError(
                f"num_classes={num_classes} disagrees with {spec}, which lists {classes.num_classes} classes. "
                "Leave num_classes out to use the file, or fix the file."
            )
        return classes
    if num_classes is None:
        raise DatasetError(
            f"{root} has no classes.json, so the number of classes is unknown. Pass num_classes=... "
            'or add classes.json: {"classes": [{"id": 0, "name": "sky", "color": [r, g, b]}, ...], '
            '"ignore_index": 255}.'
        )
    return default_classes(num_classes)


@register_layout("folder")  # the default: no marker sub-folders
def folder_files(root: Path, split: str, *, num_classes: int | None = None) -> PairedFiles:
    """The pairs and classes of split ``split`` of the folder tree ``root`` (see ``SegmentationFolder``)."""
    image_dir, mask_dir = _split_dirs(root, split)
    return PairedFiles(_pairs(image_dir, mask_dir), _folder_classes(root, num_classes))
