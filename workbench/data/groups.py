"""Which images were sampled together: a group label per image, the unit a bootstrap must resample.

Images are independent draws only when the dataset says so. ``image_groups(dataset)`` labels each image:

- ``groups.csv`` at the dataset root, when present (any file dataset): rows ``stem,group`` under a header
  ``stem,group`` (plain clusters) or ``stem,sequence`` (video sequences, frames in stem order); it may list
  stems of other splits too, but must list every stem of the dataset;
- CamVid (a folder whose ``classes.json`` "name" starts with "CamVid", or whose stems all start with a
  CamVid sequence, ``0016E5_07959``): the sequence, the stem before the first ``_``; video;
- Cityscapes: the city (``aachen`` of ``aachen_000000_000019``); clusters (one frame per snippet);
- anything else (VOC, ADE20K, synthetic, a folder without ``groups.csv``): each image alone.

For sequences the bootstrap draws moving blocks of ``DEFAULT_BLOCK`` frames within each sequence; for
clusters it draws whole groups (``workbench.metrics.resampling``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from .classes import CLASSES_FILE
from .data_info import data_stems, describe_data
from .errors import DatasetError, listing

GROUPS_FILE = "groups.csv"
HEADERS = {"group": False, "sequence": True}  # second column's header -> the groups are video sequences
CAMVID_SEQUENCES = ("0001TP", "0006R0", "0016E5", "Seq05VD")  # the four CamVid recordings (train/val/test)
# Frames per moving block for video. bench/block_length.py, CamVid val (101 frames of 0016E5): the lag-10
# autocorrelation of per-image pixel accuracy and mIoU is at most 0.2 for both predictors measured (lag 5:
# 0.36-0.59), and the interval widths reach 2.4-2.7x the image-level ones, within about 10% of the longer blocks'.
DEFAULT_BLOCK = 10


@dataclass(frozen=True)
class ImageGroups:
    """One group label per image, in the dataset's order, and what the groups are.

    Attributes:
        labels: one label per image (a sequence, a city, or the image's own stem).
        sequences: the groups are video sequences whose frames follow each other in the order given: the
            bootstrap resamples moving blocks of frames within each (``block``), not whole groups.
        unit: what one group is, for the interval's caption: ``sequence``, ``city``, ``group`` or ``image``.
    """

    labels: tuple[str, ...]
    sequences: bool = False
    unit: str = "group"

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(str(label) for label in self.labels))

    @classmethod
    def each_image(cls, stems) -> ImageGroups:
        """Every image its own group: independent draws."""
        return cls(tuple(stems), False, "image")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def num_groups(self) -> int:
        return len(set(self.labels))

    @property
    def block(self) -> int | None:
        """The default moving-block length for these groups: ``DEFAULT_BLOCK`` frames for video, else None."""
        return DEFAULT_BLOCK if self.sequences else None

    def bootstrap_options(self) -> dict:
        """``groups`` and ``block`` for ``Scores.bootstrap`` and ``paired_bootstrap``: the default unit."""
        return {"groups": self, "block": self.block}


def image_groups(dataset) -> ImageGroups:
    """The group of each image of ``dataset`` (any wrapper or ``Subset`` of a workbench dataset), in its order.

    Raises:
        DatasetError: ``groups.csv`` is malformed or lacks a stem of the dataset (the file and line named).
    """
    stems = data_stems(dataset)
    info = describe_data(dataset)
    root = None if info.get("root") is None else Path(info["root"])
    if root is not None and (root / GROUPS_FILE).is_file():
        return read_groups_csv(root / GROUPS_FILE, stems)
    if "cityscapes" in str(info.get("dataset", "")).lower():
        return ImageGroups(tuple(stem.rsplit("_", 2)[0] for stem in stems), False, "city")
    if _is_camvid(root, stems):
        return ImageGroups(tuple(stem.split("_", 1)[0] for stem in stems), True, "sequence")
    return ImageGroups.each_image(stems)


def read_groups_csv(path: Path, stems) -> ImageGroups:
    """The groups of ``stems`` from a ``groups.csv`` (header ``stem,group`` or ``stem,sequence``).

    Raises:
        DatasetError: a bad header or row, a stem listed twice, or a stem of the dataset not listed.
    """
    rows = _csv_rows(path)
    header = [cell.strip() for cell in rows[0][1]] if rows else []
    if len(header) != 2 or header[0] != "stem" or header[1] not in HEADERS:
        raise DatasetError(
            f"{path}, line 1: header {','.join(header) or '(empty file)'!r}; the first line must be "
            f"'stem,group' (clusters, e.g. sites) or 'stem,sequence' (video frames in stem order)."
        )
    table: dict[str, str] = {}
    for line, cells in rows[1:]:
        cells = [cell.strip() for cell in cells]
        if len(cells) != 2 or not all(cells):
            raise DatasetError(
                f"{path}, line {line}: {','.join(cells)!r}; each row is 'stem,{header[1]}' with both "
                f"filled in (the image's file name without suffix, then its {header[1]})."
            )
        if cells[0] in table:
            raise DatasetError(
                f"{path}, line {line}: stem {cells[0]!r} is listed twice; give each image one {header[1]}."
            )
        table[cells[0]] = cells[1]
    missing = [stem for stem in stems if stem not in table]
    if missing:
        raise DatasetError(
            f"{path}: no {header[1]} for {len(missing)} images of the dataset ({listing(missing)}); add "
            f"a row 'stem,{header[1]}' for each, or remove the file to treat every image alone."
        )
    sequences = HEADERS[header[1]]
    return ImageGroups(tuple(table[stem] for stem in stems), sequences, header[1])


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a CSV file with their line numbers."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DatasetError(
            f"{path}: cannot read it as CSV ({err}); write it as UTF-8 text, 'stem,group' rows."
        ) from err


def _is_camvid(root: Path | None, stems: list[str]) -> bool:
    """A CamVid copy: its ``classes.json`` is named CamVid, or every stem starts with a CamVid sequence."""
    spec = None if root is None else root / CLASSES_FILE
    if spec is not None and spec.is_file():
        try:
            name = json.loads(spec.read_text(encoding="utf-8")).get("name", "")
        except (OSError, ValueError, AttributeError):
            name = ""  # the dataset reader reports a broken classes.json; here it just is not CamVid's
        if str(name).startswith("CamVid"):
            return True
    return bool(stems) and all(stem.split("_", 1)[0] in CAMVID_SEQUENCES and "_" in stem for stem in stems)
