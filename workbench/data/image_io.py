"""Reading images and index masks from disk, with errors that name the file and say what to do."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from . import limits
from .classes import Classes
from .errors import DatasetError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
INDEX_MASK_MODES = ("L", "P")  # one byte per pixel; for "P" the byte is the palette index, i.e. the class id
ORIENTATION_TAG = 0x0112  # EXIF "Orientation"
ROTATED = (5, 6, 7, 8)  # orientations that swap width and height when applied


def _unreadable(path: Path, err: Exception) -> DatasetError:
    return DatasetError(
        f"{path}: cannot read this file ({type(err).__name__}: {err}). Check that it is a complete "
        "JPEG or PNG (re-export or re-download it), or remove it together with its image/mask partner."
    )


def _check_pixels(img: Image.Image, path: Path) -> None:
    """Refuse, from the header alone, a file too large to hold as a float32 sample (see :mod:`.limits`)."""
    width, height = img.size
    if width * height > limits.MAX_IMAGE_PIXELS:
        raise DatasetError(
            f"{path}: {width}x{height} (WxH) is {limits.megapixels(height, width)}, above the limit of "
            f"{limits.MAX_IMAGE_PIXELS / 1e6:.1f}: one such sample would take "
            f"{limits.size_text(width * height * 12)} as float32 before batching. Downscale the image (and its mask, with nearest-neighbour "
            "interpolation) or cut it into tiles; if you have the memory, raise "
            "workbench.data.limits.MAX_IMAGE_PIXELS."
        )


def _open(path: Path) -> Image.Image:
    """Open and fully decode a file, turning every PIL/OS failure into a :class:`DatasetError`."""
    try:
        with Image.open(path) as img:
            _check_pixels(img, path)
            img.load()  # decode now: a truncated file fails here, not later inside a worker
            return img.copy()
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        if isinstance(err, DatasetError):
            raise
        raise _unreadable(path, err) from err


def exif_orientation(path: str | Path) -> int:
    """The EXIF orientation tag of an image file (1 = as stored; 5-8 = shown rotated by 90 degrees), from
    its header; 1 when the file has none or cannot be read."""
    try:
        with Image.open(path) as img:
            return int(img.getexif().get(ORIENTATION_TAG, 1))
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, TypeError):
        return 1


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
    """The error message for an image and mask of different ``(H, W)``, or ``None`` when they agree.

    When the mask has the image's size turned by 90 degrees, the hint says so (and names the image's EXIF
    orientation when it has one), since resizing such a mask would be wrong.
    """
    if tuple(image_size) == tuple(mask_size):
        return None
    sizes = (f"{image_path}: image is {image_size[1]}x{image_size[0]} (WxH) but its mask {mask_path} is "
             f"{mask_size[1]}x{mask_size[0]}.")
    if tuple(image_size) != tuple(mask_size)[::-1]:
        return (f"{sizes} Every mask must have its image's size: re-export the mask, or resize it with "
                "nearest-neighbour interpolation (never bilinear, which invents class ids).")
    orientation = exif_orientation(image_path)
    if orientation in ROTATED:
        return (f"{sizes} The image file stores its pixels unrotated with EXIF orientation {orientation}, which "
                "viewers (and probably the tool that drew the mask) apply, while the workbench reads the pixels "
                "as stored. Save the image with the rotation applied (PIL: ImageOps.exif_transpose(img).save(...)); "
                "do not resize the mask.")
    return (f"{sizes} The sizes are each other's transpose: one of the two files is turned by 90 degrees "
            "(the image has no EXIF orientation). Rotate the one that is wrong; do not resize the mask.")
