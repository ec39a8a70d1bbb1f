"""A dataset from a plain folder tree: ``images/<split>/*.jpg`` beside ``masks/<split>/*.png``."""
from __future__ import annotations

from pathlib import Path

from .classes import Classes
from .errors import DatasetError
from .image_io import IMAGE_SUFFIXES
from .pairing import by_stem, pair_by_stem
from .paired import JointTransform, PairedFileDataset
from .palette import default_classes


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
    images = by_stem((p for p in image_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                     lambda p: p.stem, f"images in {image_dir}")
    masks = by_stem((p for p in mask_dir.iterdir() if p.is_file() and p.suffix.lower() == ".png"),
                    lambda p: p.stem, f"masks in {mask_dir}")
    return pair_by_stem(images, masks, image_dir, mask_dir, lambda stem: f"{stem}.png")


def _folder_classes(root: Path, num_classes: int | None) -> Classes:
    """Classes from ``root/classes.json``, else ``num_classes`` generic ones."""
    spec = root / "classes.json"
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

    def __init__(self, root: str | Path, split: str, transform: JointTransform | None = None, *,
                 num_classes: int | None = None):
        self.root, self.split = Path(root), split
        image_dir, mask_dir = _split_dirs(self.root, split)
        pairs = _pairs(image_dir, mask_dir)
        super().__init__(pairs, _folder_classes(self.root, num_classes), transform)

    def __repr__(self) -> str:
        classes = self.classes.num_classes
        return f"SegmentationFolder({str(self.root)!r}, {self.split!r}: {len(self)} samples, {classes} classes)"
