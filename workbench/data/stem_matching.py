"""Matching image files to mask files by stem, refusing ambiguous or unmatched files by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import DatasetError, listing


def by_stem(files: Iterable[Path], stem: Callable[[Path], str], what: str) -> dict[str, Path]:
    """``{stem: file}``; two files with one stem (``a.jpg`` and ``a.png``) are an error naming both.

    Args:
        files: the candidate files.
        stem: the key of a file (``Path.stem``, or a name with a dataset's suffix cut off).
        what: ``"images"`` or ``"masks"`` and where, for the message.
    """
    found: dict[str, Path] = {}
    clashes = []
    for path in sorted(files):
        key = stem(path)
        if key in found:
            clashes.append(f"{found[key]} and {path.name}")
        else:
            found[key] = path
    if clashes:
        raise DatasetError(
            f"{len(clashes)} {what} share a stem, so it is unclear which one is meant: {listing(clashes)}. "
            "Keep one file per stem (delete or move the other version)."
        )
    return found


def pair_by_stem(
    images: dict[str, Path], masks: dict[str, Path], image_dir: Path, mask_dir: Path, mask_name: Callable[[str], str]
) -> list[tuple[Path, Path]]:
    """``(image, mask)`` for every stem, in stem order; an empty split, images without masks and masks
    without images are errors that name the files.

    Args:
        images: ``{stem: file}`` of the images, as :func:`by_stem` gives them.
        masks: ``{stem: file}`` of the masks, the same way.
        image_dir: the folder searched for images, for the messages.
        mask_dir: the folder searched for masks, for the messages.
        mask_name: the mask file name expected for a stem (e.g. ``"<stem>.png"``), for the messages.
    """
    if not images:
        raise DatasetError(
            f"{image_dir} holds no images: the split is empty. Put the images there or choose another split."
        )
    missing = [images[s].name for s in images if s not in masks]
    if missing:
        raise DatasetError(
            f"{len(missing)} of {len(images)} images in {image_dir} have no mask {mask_name('<stem>')} in {mask_dir}: "
            f"{listing(missing)}. Add the masks or move those images out of the split."
        )
    orphans = [masks[s].name for s in masks if s not in images]
    if orphans:
        raise DatasetError(
            f"{len(orphans)} masks in {mask_dir} have no image in {image_dir}: {listing(orphans)}. "
            "Add their images, or move those masks out of the split (a mask without its image is never scored)."
        )
    return [(images[s], masks[s]) for s in sorted(images)]
