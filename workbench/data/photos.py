"""Reading a user's own photo for prediction: any format PIL reads, shown the way a viewer shows it.

Dataset images are read as stored (``image_io.read_image``), because their masks were drawn on those pixels.
A photo to segment has no mask, so it is read as a person sees it: the EXIF orientation of a phone picture
applied, a transparent (RGBA, LA, palette with transparency) picture composited over white, a grey one
(8 or 16 bit) turned into three equal channels. Errors name the file and say what to do.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DatasetError
from .image_io import PIL_ERRORS, _check_pixels

PHOTO_ADVICE = "Give a JPEG, PNG, WebP, BMP or TIFF picture (re-export it if it is damaged)."
BACKGROUND = (255, 255, 255)  # what transparent pixels show: the white of a page or an image viewer


def read_photo(source: str | Path | bytes, *, name: str | None = None) -> np.ndarray:
    """Read a photo as the RGB picture a viewer shows.

    Args:
        source: a file path, or the bytes of an image file (an upload).
        name: what error messages call the picture (default: the path; ``"the upload"`` for bytes).

    Returns:
        uint8 ``(H, W, 3)``.

    Raises:
        DatasetError: one line naming the picture: missing, a folder, not an image, damaged, or above
            ``limits.MAX_IMAGE_PIXELS``.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = name or "the upload"
        stream = io.BytesIO(bytes(source))
    else:
        path = Path(source)
        name = name or str(path)
        _check_path(path, name)
        stream = path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked just below
            with Image.open(stream) as img:
                _check_pixels(img, name)  # before decoding: a picture too large for memory is refused
                img.load()
                return _as_rgb(ImageOps.exif_transpose(img))
    except DatasetError:
        raise
    except Image.DecompressionBombError as err:
        raise DatasetError(f"{name}: {str(err).rstrip('.')}. Downscale the picture first.") from err
    except PIL_ERRORS as err:
        why = (
            "no picture format known to PIL"
            if isinstance(err, UnidentifiedImageError)
            else f"{type(err).__name__}: {err}"
        )
        raise DatasetError(f"{name}: cannot read this file as an image ({why}). {PHOTO_ADVICE}") from err


def _check_path(path: Path, name: str) -> None:
    if path.is_dir():
        raise DatasetError(f"{name}: is a folder, not a picture; give the picture files (e.g. {name}/*.jpg).")
    if not path.exists():
        raise DatasetError(f"{name}: no such file; check the path and the spelling.")


def _as_rgb(img: Image.Image) -> np.ndarray:
    if img.mode == "P":
        img = img.convert("RGBA")  # a palette may hold transparency
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit, 32-bit or float grey: to 8 bits
        values = np.asarray(img, dtype=np.float64)
        img = Image.fromarray(np.clip(values / _white(img.mode, values) * 255.0, 0, 255).round().astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        page = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        img = Image.alpha_composite(page, rgba)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def _white(mode: str, values: np.ndarray) -> float:
    """The value that shows as white: 65535 for 16-bit grey; for 32-bit or float grey the smallest of 1, 255
    and 65535 that holds every value (else the largest value)."""
    if mode.startswith("I;16"):
        return 65535.0
    top = float(values.max()) if values.size else 1.0
    return next((white for white in (1.0, 255.0, 65535.0) if top <= white), top)
