"""Masks stored in a dataset's own label ids, mapped to training class ids on reading (Cityscapes, ADE20K)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .errors import DatasetError, listing

NOT_A_LABEL = -1  # a raw value the dataset never writes: an error, not void


class LabelMap:
    """A lookup table from the 256 possible raw mask bytes to class ids (or the ignore index).

    Args:
        name: what the raw values are, for error messages (e.g. ``"Cityscapes labelIds"``).
        to_class: raw value -> class id or ``IGNORE_INDEX``; every raw value the dataset uses, void included.
            Any other raw value is refused with an error naming the file.
    """

    def __init__(self, name: str, to_class: Mapping[int, int]):
        self.name = name
        self.table = np.full(256, NOT_A_LABEL, np.int16)
        for raw, class_id in to_class.items():
            self.table[raw] = class_id
        self.valid = np.flatnonzero(self.table != NOT_A_LABEL)

    def apply(self, raw: np.ndarray, path: str | Path) -> np.ndarray:
        """Class ids ``uint8 (H, W)`` of the raw ``uint8 (H, W)`` mask read from ``path``."""
        mapped = self.table[raw]
        if (mapped == NOT_A_LABEL).any():
            bad = np.unique(raw[mapped == NOT_A_LABEL])
            raise DatasetError(
                f"{path}: mask values {{{listing(bad, 10)}}} are not {self.name} "
                f"(valid: {self.valid.min()}..{self.valid.max()}). "
                f"Check that this is an original {self.name} mask, not one already converted or resized "
                "with interpolation."
            )
        return mapped.astype(np.uint8)

    def __repr__(self) -> str:
        return f"LabelMap({self.name!r}, {self.valid.size} raw values)"
