"""Reading images and index masks from disk, with errors that name the file and say what to do."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .classes import Classes
from .errors import DatasetError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
INDEX_MASK_MODES = ("L", "P")  # one byte per pixel; for "P" the byte is the palette index, i.e. the class id


def _open(path: Path) -> Image.Image:
    """Open and fully decode a file, turning every PIL/OS failure into a :class:`DatasetError`."""
    try:
        with Image.open(path) as img:
            img.load()  # decode now: a truncated file fails here, not later inside a worker
            return img.copy()
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as err:
        raise DatasetError(
            f"{path}: cannot read this file ({type(err).__name__}: {err}). Check that it is a complete "
            "JPEG or PNG (re-export or re-download it), or remove it together with its image/mask partner."
        ) from err


def read_size(path: str | Path) -> tuple[int, int]:
    """``(H, W)`` of an image file from its header only (no decoding)."""
    path = Path(path)
    try:
        with Image.open(path) as img:
            width, height = img.size
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as err:
        raise DatasetError(
            f"{path}: cannot read this file ({type(err).__name__}: {err}). Check that it is a complete "
            "JPEG or PNG, or remove it together with its image/mask partner."
        ) from err
    return height, width


def read_image(path: str | Path) -> torch.Tensor:
    """Read an image as RGB.

    Args:
        path: a JPEG or PNG file; grey, palette and RGBA files are converted to RGB.

    Returns:
        float32 tensor ``(3, H, W)`` with values in ``[0, 1]``.
    """
    img = _open(Path(path)).convert("RGB")
    array = np.asarray(img, dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div_(255.0)


def read_mask(path: str | Path) -> np.ndarray:
    """Read an index mask: one byte per pixel holding the class id (or the ignore index).

    Args:
        path: a PNG in mode ``"L"`` (grey values are class ids) or ``"P"`` (palette indices are class ids,
            as in PASCAL VOC).

    Returns:
        uint8 array ``(H, W)``.

    Raises:
        DatasetError: unreadable file, or a colour (RGB) mask, which would need a colour-to-class table.
    """
    path = Path(path)
    img = _open(path)
    if img.mode not in INDEX_MASK_MODES:
        hint = (
            "This is a colour mask: convert it to an index PNG (mode 'L' or 'P') whose pixel values are the "
            "class ids 0..num_classes-1 and 255 for void, e.g. by mapping each class colour to its id."
            if img.mode in ("RGB", "RGBA", "LA")
            else "Save it as an 8-bit index PNG (mode 'L' or 'P') whose pixel values are the class ids."
        )
        raise DatasetError(f"{path}: mask has PIL mode {img.mode!r}, expected 'L' or 'P'. {hint}")
    return np.asarray(img, dtype=np.uint8)


def check_mask_values(mask: np.ndarray, path: str | Path, classes: Classes) -> None:
    """Raise if the mask holds a value that is neither a class id nor ``classes.ignore_index``."""
    problem = mask_value_problem(mask, path, classes)
    if problem:
        raise DatasetError(problem)


def mask_value_problem(mask: np.ndarray, path: str | Path, classes: Classes) -> str | None:
    """The error message for out-of-range mask values, or ``None`` when every value is allowed."""
    counts = np.bincount(mask.ravel(), minlength=256)  # uint8 mask: 256 bins, one pass
    counts[: classes.num_classes] = 0
    if 0 <= classes.ignore_index < counts.size:
        counts[classes.ignore_index] = 0
    bad = np.flatnonzero(counts)
    if bad.size == 0:
        return None
    shown = ", ".join(str(v) for v in bad[:10]) + (", ..." if bad.size > 10 else "")
    return (
        f"{path}: mask values {{{shown}}} are neither class ids (0..{classes.num_classes - 1}) nor "
        f"ignore_index {classes.ignore_index}. Fix the mask, set the right num_classes or classes.json, "
        f"or map those values to {classes.ignore_index} to ignore them."
    )


def size_problem(image_size: tuple[int, int], mask_size: tuple[int, int], image_path, mask_path) -> str | None:
    """The error message for an image and mask of different ``(H, W)``, or ``None`` when they agree."""
    if tuple(image_size) == tuple(mask_size):
        return None
    return (
        f"{image_path}: image is {image_size[1]}x{image_size[0]} (WxH) but its mask {mask_path} is "
        f"{mask_size[1]}x{mask_size[0]}. Every mask must have its image's size: re-export the mask, or "
        "resize it with nearest-neighbour interpolation (never bilinear, which invents class ids)."
    )
