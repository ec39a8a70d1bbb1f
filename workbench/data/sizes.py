"""Image sizes and image counts as users type them: ints, ``"64"``, ``"64,48"``, ``"[64, 64]"``, sequences.

Papermill's ``-p image_size 64`` passes an int, ``-p image_size 64,48`` or ``-p image_size [64,64]`` a
string; the command line gives a list. All end up here, so every entry point accepts the same forms.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence

from .errors import DatasetError

SizeLike = int | str | Sequence[int]
_SEPARATORS = re.compile(r"[\s,x×]+")


def _whole(value) -> int | None:
    """``value`` as an int (numpy ints, digit strings and 64.0 too), or ``None`` for bools, fractions and text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(value.strip()) if isinstance(value, str) else operator.index(value)
    except (TypeError, ValueError):
        return None


def _to_int(value, name: str, original) -> int:
    """One side of a size: a positive whole number of pixels."""
    number = _whole(value)
    if number is None:
        raise DatasetError(
            f"{name}={original!r}: {value!r} is not a whole number of pixels. Give H and W as integers, e.g. "
            f"{name}=64 (square) or {name}=(64, 48)."
        )
    if number <= 0:
        raise DatasetError(f"{name}={original!r}: sizes must be positive, got {number}. Give e.g. {name}=64.")
    return number


def _split_text(text: str, name: str) -> list[str]:
    """The numbers of ``"64"``, ``"64,48"``, ``"64x48"``, ``"[64, 64]"`` or ``"(64, 48)"``."""
    stripped = text.strip()
    if stripped[:1] in "[(" and stripped[-1:] in "])":
        stripped = stripped[1:-1]
    parts = [p for p in _SEPARATORS.split(stripped) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise DatasetError(
            f"{name}={text!r} is not a size. Write one number for a square or two for H and W: with papermill "
            f'`-p {name} 64` or `-p {name} 64,48`, or as YAML `-y "{name}: [64, 48]"`.'
        )
    return parts


def parse_size(value: SizeLike | None, name: str = "image_size") -> tuple[int, int] | None:
    """An ``(H, W)`` pair from any of the forms users pass; ``None`` stays ``None`` (the default).

    Args:
        value: an int (square), a string such as ``"64"``, ``"64,48"``, ``"64x48"`` or ``"[64, 48]"``, or a
            sequence of one or two ints.
        name: the parameter's name, used in error messages.

    Returns:
        ``(H, W)`` of positive ints, or ``None``.

    Raises:
        DatasetError: not a number, not positive, or not one or two values (``(64, 64, 3)`` included: the
            channels are always RGB and never part of the size).
    """
    if value is None:
        return None
    if isinstance(value, str):
        parts: Sequence = _split_text(value, name)
    elif isinstance(value, Sequence) or hasattr(value, "__len__"):
        parts = list(value)
    else:
        parts = [value]
    if len(parts) not in (1, 2):
        raise DatasetError(
            f"{name}={value!r} has {len(parts)} values; give one (a square, e.g. 64) or two (H, W, e.g. 64,48). "
            "The channels are not part of the size: images are always RGB."
        )
    numbers = [_to_int(p, name, value) for p in parts]
    return (numbers[0], numbers[-1])


def check_count(value: int | None, name: str) -> int | None:
    """An image count: ``None`` (the default) or a positive int; 0 and negatives are errors, not defaults."""
    if value is None:
        return None
    count = _whole(value)
    if count is None:
        raise DatasetError(f"{name}={value!r} is not a number of images; give a positive int or leave it out.")
    if count <= 0:
        raise DatasetError(
            f"{name}={count}: a split needs at least one image. Give a positive number, or leave {name} out "
            "for the default (synthetic: the dataset's default size; a folder: all its images)."
        )
    return count
