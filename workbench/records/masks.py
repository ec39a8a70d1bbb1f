"""Index masks as lossless PNG files: 8-bit while every class id fits in a byte, 16-bit beyond.

A record stores each predicted mask as ``<stem>.png`` holding the class ids themselves (no palette, no
colours), so any tool reads it back with one call (``PIL.Image.open``, ``cv2.imread(..., IMREAD_UNCHANGED)``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.data.image_io import open_checked

MAX_8BIT_CLASSES = 255  # ids 0..254 fit in a byte with room to spare; above that the masks are 16-bit
MAX_16BIT_CLASSES = 65535


def mask_bit_depth(num_classes: int) -> int:
    """8 or 16: the PNG bit depth a record uses for ``num_classes`` classes."""
    if num_classes > MAX_16BIT_CLASSES:
        raise ValueError(
            f"{num_classes} classes do not fit in a 16-bit PNG mask; at most {MAX_16BIT_CLASSES} are supported."
        )
    return 8 if num_classes <= MAX_8BIT_CLASSES else 16


def encode_mask(mask: np.ndarray, bit_depth: int) -> bytes:
    """PNG bytes of an index mask ``(H, W)`` of non-negative class ids."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"encode_mask: a mask is (H, W), got shape {mask.shape}.")
    dtype = np.uint8 if bit_depth == 8 else np.uint16
    if mask.size and (mask.min() < 0 or mask.max() > np.iinfo(dtype).max):
        raise ValueError(f"encode_mask: values {mask.min()}..{mask.max()} do not fit a {bit_depth}-bit PNG.")
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(dtype)).save(buffer, format="PNG")
    return buffer.getvalue()


def label_digest(mask: np.ndarray) -> str:
    """Hex sha256 of a label map ``(H, W)``: its shape and its values as little-endian int32.

    The same labels give the same digest whatever their dtype (a PIL ``uint8`` array, an int64 tensor's
    numpy copy), so a record can say which target masks it was scored on and a reader can check them.
    """
    mask = np.asarray(mask)
    digest = hashlib.sha256(f"{mask.shape[0]}x{mask.shape[1]}:".encode())
    digest.update(np.ascontiguousarray(mask, dtype="<i4").tobytes())
    return digest.hexdigest()


INDEX_MODES = ("L", "P", "I", "I;16", "I;16B")  # PIL modes whose values are indices: grey 8/16/32 bit, palette
PNG = ("PNG",)
REWRITE = "Rewrite the file as a PNG."


def read_png(path: str | Path, check: Callable[[Image.Image, Path], None] = lambda img, path: None) -> Image.Image:
    """A PNG fully decoded, after ``check(img, path)`` has seen its header (size, mode) alone.

    Raises:
        ValueError: naming the file when it cannot be read, is not a PNG, is refused by ``check``, or claims
            more pixels than PIL's decompression-bomb limit (refused before decoding).
    """
    return open_checked(Path(path), check, formats=PNG, advice=REWRITE)


def read_index_png(path: str | Path) -> np.ndarray:
    """The values of an 8- or 16-bit grey or palette PNG as an int64 array ``(H, W)``.

    Raises:
        ValueError: naming the file when it cannot be read or holds colours instead of indices.
    """
    img = read_png(path)
    if img.mode not in INDEX_MODES:
        raise ValueError(
            f"{path}: PNG mode {img.mode!r} is not an index mask; save the class ids as an 8- or 16-bit grey PNG."
        )
    return np.asarray(img).astype(np.int64)
