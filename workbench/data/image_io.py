"""Reading images and index masks from disk, with errors that name the file and say what to do."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from . import limits
from .classes import Classes
from .errors import DatasetError, listing

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
INDEX_MASK_MODES = ("L", "P")  # one byte per pixel; for "P" the byte is the palette index, i.e. the class id
ORIENTATION_TAG = 0x0112  # EXIF "Orientation"
ROTATED = (5, 6, 7, 8)  # orientations that swap width and height when applied


PAIR_ADVICE = (
    "Check that it is a complete JPEG or PNG (re-export or re-download it), or remove it together with "
    "its image/mask partner."
)


def _unreadable(path: Path, err: Exception, advice: str = PAIR_ADVICE) -> DatasetError:
    return DatasetError(f"{path}: cannot read this file ({type(err).__name__}: {err}). {advice}")


def _check_pixels(img: Image.Image, path: Path) -> None:
    """Refuse, from the header alone, a file too large to hold as a float32 sample (see :mod:`.limits`)."""
    width, height = img.size
    if width * height > limits.MAX_IMAGE_PIXELS:
        raise DatasetError(
            f"{path}: {width}x{height} (WxH) is {limits.megapixels(height, width)}, above the limit of "
            f"{limits.MAX_IMAGE_PIXELS / 1e6:.1f}: one such sample would take {limits.size_text(width * height * 12)} "
            "as float32 before batching. Downscale the image (and its mask, with nearest-neighbour interpolation) "
            "or cut it into tiles; if you have the memory, raise workbench.data.limits.MAX_IMAGE_PIXELS."
        )


PIL_ERRORS = (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError)
MASK_FORMATS = {".png": ("PNG",)}  # what a mask's name promises: a GIF or JPEG named .png is refused, not read


def open_checked(
    path: Path,
    check: Callable[[Image.Image, Path], None],
    *,
    formats: Sequence[str] | None = None,
    advice: str = PAIR_ADVICE,
) -> Image.Image:
    """Open a file, let ``check`` see its header (size, mode; nothing decoded yet), then decode it.

    Args:
        path: the file.
        check: ``check(img, path)`` raises for what the caller refuses before paying for decoding (a size
            above the memory limit, or other than the target's).
        formats: the PIL formats the file's name promises (``("PNG",)``); a file in another format is refused,
            naming its real format. ``None`` accepts any format PIL reads.
        advice: what to do with a file that cannot be read, for the error message.

    Returns:
        The decoded image.

    Raises:
        DatasetError: naming the file: unreadable or truncated, another format, refused by ``check``, or more
            pixels than PIL's decompression-bomb limit.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # sizes are checked here, from the header
            img = Image.open(path, formats=formats)
    except Image.DecompressionBombError as err:
        raise DatasetError(
            f"{path}: {str(err).rstrip('.')}; refused before decoding. Save it at the size of its image (cut a large "
            "image into tiles)."
        ) from err
    except PIL_ERRORS as err:
        real = _real_format(path) if formats else None
        if real and real not in formats:
            raise DatasetError(
                f"{path}: is a {real} file, not {'/'.join(formats)} as its name says; save it as "
                f"{formats[0]} (lossless, so that the class ids survive)."
            ) from err
        raise _unreadable(path, err, advice) from err
    with img:
        check(img, path)
        try:
            img.load()  # decode now: a truncated file fails here, not later inside a worker
        except PIL_ERRORS as err:
            raise _unreadable(path, err, advice) from err
        return img.copy()


def _real_format(path: Path) -> str | None:
    """The format PIL finds in a file's header, whatever its name says; ``None`` when it finds none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                return img.format
    except PIL_ERRORS:
        return None


def exif_orientation(path: str | Path) -> int:
    """The EXIF orientation tag of an image file (1 = as stored; 5-8 = shown rotated by 90 degrees), from
    its header; 1 when the file has none or cannot be read."""
    try:
        with Image.open(path) as img:
            return int(img.getexif().get(ORIENTATION_TAG, 1))
    except (*PIL_ERRORS, TypeError):
        return 1


def read_image(path: str | Path) -> np.ndarray:
    """Read an image as RGB.

    Args:
        path: a JPEG or PNG file; grey, palette and RGBA files are converted to RGB.

    Returns:
        float32 array ``(H, W, 3)`` with values in ``[0, 1]`` (the layout of a synthetic ``Scene``'s image).
    """
    img = open_checked(Path(path), _check_pixels).convert("RGB")
    return np.asarray(img, dtype=np.uint8).astype(np.float32) / np.float32(255.0)


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
    img = open_checked(path, _check_pixels, formats=MASK_FORMATS.get(path.suffix.lower()))
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
    return (
        f"{path}: mask values {{{listing(bad, 10)}}} are neither class ids (0..{classes.num_classes - 1}) nor "
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
    sizes = (
        f"{image_path}: image is {image_size[1]}x{image_size[0]} (WxH) but its mask {mask_path} is "
        f"{mask_size[1]}x{mask_size[0]}."
    )
    if tuple(image_size) != tuple(mask_size)[::-1]:
        return (
            f"{sizes} Every mask must have its image's size: re-export the mask, or resize it with "
            "nearest-neighbour interpolation (never bilinear, which invents class ids)."
        )
    orientation = exif_orientation(image_path)
    if orientation in ROTATED:
        return (
            f"{sizes} The image file stores its pixels unrotated with EXIF orientation {orientation}, which "
            "viewers (and probably the tool that drew the mask) apply, while the workbench reads the pixels "
            "as stored. Save the image with the rotation applied (PIL: ImageOps.exif_transpose(img).save(...)); "
            "do not resize the mask."
        )
    return (
        f"{sizes} The sizes are each other's transpose: one of the two files is turned by 90 degrees "
        "(the image has no EXIF orientation). Rotate the one that is wrong; do not resize the mask."
    )
