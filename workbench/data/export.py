"""Writing any dataset out in the folder layout that :class:`SegmentationFolder` reads.

Used for the sample in the repository's ``data/sample`` (a few SyntheticShapes scenes), and to turn a
dataset in another layout (Cityscapes, ADE20K, VOC) into plain ``images/`` + ``masks/`` files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from torch.utils.data import Dataset

from .classes import CLASSES_FILE
from .errors import DatasetError
from .normalize import denormalize

IMAGE_FORMATS = ("png", "jpg")


def write_folder(
    dataset: Dataset,
    root: str | Path,
    split: str,
    *,
    image_format: str = "png",
    stem: str = "{split}_{index:04d}",
    quality: int = 90,
) -> list[Path]:
    """Write every sample of ``dataset`` as ``root/images/<split>/<stem>.<format>`` and an index-mask PNG
    ``root/masks/<split>/<stem>.png``, and its classes as ``root/classes.json``.

    Args:
        dataset: samples ``(image, mask)`` as every workbench dataset gives them (normalised image), with
            ``.classes``.
        root: the folder to write; created if needed. Existing files of the same names are replaced.
        split: the split's sub-folder name.
        image_format: ``"png"`` (lossless) or ``"jpg"`` (smaller, lossy; masks are always PNG).
        stem: file name pattern, formatted with ``split`` and ``index``.
        quality: JPEG quality (1-95).

    Returns:
        The image files written, in index order.
    """
    if image_format not in IMAGE_FORMATS:
        raise DatasetError(f"write_folder: image_format {image_format!r} is not one of {list(IMAGE_FORMATS)}.")
    root = Path(root)
    image_dir, mask_dir = root / "images" / split, root / "masks" / split
    image_dir.mkdir(parents=True, exist_ok=True)
    mask_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(len(dataset)):
        image, mask = dataset[index]
        name = stem.format(split=split, index=index)
        pixels = (denormalize(image).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        options = {"quality": quality} if image_format == "jpg" else {"optimize": True}
        Image.fromarray(pixels).save(image_dir / f"{name}.{image_format}", **options)
        Image.fromarray(mask.numpy().astype(np.uint8), mode="L").save(mask_dir / f"{name}.png", optimize=True)
        written.append(image_dir / f"{name}.{image_format}")
    dataset.classes.to_json(root / CLASSES_FILE)
    return written
