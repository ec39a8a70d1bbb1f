"""Evaluation records: what was scored, on which images, with which result, read back without any model.

A record is a folder (a training run folder is one: the record files sit next to ``config.json``):

```
record.json        format, source (model + weights sha256, or predictions folder), data (root, split,
                   stems, class names, ignore index, synthetic parameters), created, versions, classes
                   (as in classes.json: Classes.to_dict),
                   and the sha256 of every file below; optional: the targets' digests, and the group of
                   each image (sequence, city, ...) with whether the groups are video sequences
scores.json        Scores.as_dict() (NaN as null)
confusion.csv      the confusion matrix, rows target class, columns predicted class
image_stats.npz    the per-image statistics (ImageStats.to_arrays(), plain int64/float64 arrays, no pickle)
per_image.csv      one row of scores per image, by stem
per_class.csv/.md  Scores.table()
masks/<stem>.png   the predicted index masks, lossless, 8-bit (16-bit above 255 classes)
```

``read_record`` rebuilds the scores from ``image_stats.npz``, so any subset of images is rescored exactly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.classes import Classes
from workbench.data.groups import ImageGroups
from workbench.metrics import ImageStats, Scores
from workbench.records.masks import read_index_png
from workbench.records.record_schema import (
    RecordError,
    check_json_size,
    check_meta,
    check_stats,
    read_stats_arrays,
)

FORMAT = "workbench-record"
VERSION = 3  # 2: masks and targets hashed in record.json; 3: classes in the classes.json layout
RECORD_FILE = "record.json"
STATS_FILE = "image_stats.npz"
MASKS_DIR = "masks"
RECORD_DATA_FILES = (STATS_FILE, "scores.json", "confusion.csv", "per_image.csv", "per_class.csv", "per_class.md")


@dataclass(frozen=True, eq=False)
class Record:
    """One evaluation, as read from its folder.

    Attributes:
        path: the record folder.
        source: ``{"kind": "model", "name", "encoder", "weights", "sha256"}`` or
            ``{"kind": "predictions", "dir"}``.
        data: ``root`` (None for synthetic data), ``split``, ``num_images``, ``stems``, ``class_names``,
            ``ignore_index`` and, for synthetic data, ``synthetic`` (its parameters).
        created: ISO 8601 date and time (UTC) of the evaluation.
        versions: package versions of the process that wrote it.
        scores: ``workbench.metrics.Scores`` with ``image_stats`` (per-image statistics).
        per_image: one row of scores per image, indexed by stem.
        classes: names, colours and ignore index of the classes.
        mask_sha256: stem -> sha256 of its mask file, checked whenever a mask is read.
        target_sha256: ``label_digest`` of each stem's target, in stem order (None when the writer had no
            targets), for ``check_targets``.
        groups: the group of each stem and whether the groups are video sequences (``ImageGroups``), for
            ``scores.bootstrap(**record.groups.bootstrap_options())``; a record written without them reads as
            each image alone.
    """

    path: Path
    source: dict
    data: dict
    created: str
    versions: dict
    scores: Scores
    per_image: pd.DataFrame
    classes: Classes
    mask_sha256: dict
    target_sha256: list | None = None
    groups: ImageGroups | None = None  # read_record always gives them

    @property
    def name(self) -> str:
        """The record's folder name: the model or prediction source in a comparison folder."""
        return self.path.name

    @property
    def stems(self) -> list[str]:
        """Image stems in scoring order (the rows of ``image_stats`` and of ``per_image``)."""
        return list(self.data["stems"])

    def mask(self, stem: str) -> np.ndarray:
        """The predicted index mask ``(H, W)`` (int64 class ids) of image ``stem``, checked against its sha256.

        Raises:
            RecordError: the mask file is missing or changed since the record was written (swapped, replaced).
        """
        if stem not in self.per_image.index:
            raise KeyError(f"{self.path}: no image {stem!r} in this record; its stems are record.stems.")
        file = self.path / MASKS_DIR / f"{stem}.png"
        if file_sha256(file, missing_ok=True) != self.mask_sha256[stem]:  # before decoding: a bomb never is
            raise RecordError(
                f"{file}: missing or changed since the record was written (its sha256 differs); this "
                f"record cannot be trusted. Evaluate again to rewrite it."
            )
        return read_index_png(file)

    def __repr__(self) -> str:
        return f"Record({str(self.path)!r}, {self.source.get('kind')}, {len(self.stems)} images, miou={self.scores.miou:.4f})"


def is_record(path: str | Path) -> bool:
    """Whether ``path`` is a folder holding a written record (its ``record.json``)."""
    return (Path(path) / RECORD_FILE).is_file()


def read_record(path: str | Path) -> Record:
    """Read a record folder, checking its contents (``record_schema``) and every data file against its sha256.

    Raises:
        RecordError: one line naming the file that is missing, damaged, out of range or changed since it was
            written.
    """
    path = Path(path)
    meta = _read_meta(path)
    for name, digest in meta["files"].items():  # exactly RECORD_DATA_FILES (check_meta)
        if file_sha256(path / name, missing_ok=True) != digest:
            raise RecordError(
                f"{path / name}: missing or changed since the record was written; this record cannot be "
                f"trusted. Evaluate again to rewrite it."
            )
    try:
        classes = Classes.from_dict(meta["classes"], source=str(path / RECORD_FILE))
    except (KeyError, TypeError, ValueError) as err:  # e.g. a colour [300, 0, 0] in a hand-edited file
        raise RecordError(
            f"{path / RECORD_FILE}: its classes are not valid ({err}); evaluate again to rewrite the record."
        ) from None
    stems = list(meta["data"]["stems"])
    stats = _read_stats(path / STATS_FILE, classes.ignore_index)
    check_stats(stats, path / STATS_FILE, len(stems), classes.num_classes)
    _check_masks(path, stems)
    per_image = stats.per_image(stems)
    return Record(
        path,
        meta["source"],
        meta["data"],
        meta["created"],
        meta["versions"],
        Scores.from_image_stats(stats),
        per_image,
        classes,
        meta["masks"]["sha256"],
        (meta.get("targets") or {}).get("sha256"),
        _groups(meta.get("groups"), stems),
    )


def _groups(stored: dict | None, stems: list[str]) -> ImageGroups:
    """``record.json``'s ``groups`` (checked by ``check_meta``); without them (older records, writers that had
    no dataset) each image alone."""
    if stored is None:
        return ImageGroups.each_image(stems)
    return ImageGroups(tuple(stored["labels"]), stored["sequences"], stored["unit"])


def _read_meta(path: Path) -> dict:
    file = path / RECORD_FILE
    if not file.is_file():
        raise RecordError(
            f"{path}: not an evaluation record (no {RECORD_FILE}). Records are written by fit, compare "
            f"and `workbench evaluate`; a folder whose writer was interrupted has none."
        )
    try:
        check_json_size(file)
        meta = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise RecordError(f"{file}: cannot read it ({err}); evaluate again to rewrite the record.") from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise RecordError(f"{file}: not a {FORMAT} file; was it written by the workbench?")
    if meta.get("version") != VERSION:
        raise RecordError(
            f"{file}: record version {meta.get('version')} is not {VERSION}; read it with the workbench "
            f"version that wrote it ({meta.get('versions', {}).get('workbench')}) or evaluate again."
        )
    missing = [k for k in ("source", "data", "created", "versions", "classes", "files") if k not in meta]
    if missing:
        raise RecordError(f"{file}: lacks {missing}; evaluate again to rewrite the record.")
    check_meta(meta, file, RECORD_DATA_FILES, MASKS_DIR)
    return meta


def _read_stats(file: Path, ignore_index: int) -> ImageStats:
    arrays = read_stats_arrays(file)
    try:
        return ImageStats.from_arrays(arrays, ignore_index=ignore_index)
    except ValueError as err:
        raise RecordError(
            f"{file}: not valid per-image statistics ({err}); evaluate again to rewrite the record."
        ) from err


def _check_masks(path: Path, stems: list[str]) -> None:
    folder = path / MASKS_DIR
    held = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    missing = [s for s in stems if f"{s}.png" not in held]
    if missing:
        raise RecordError(
            f"{folder}: {len(missing)} predicted masks are missing (e.g. {missing[:3]}); evaluate again "
            f"to rewrite the record."
        )


def common_stems(records: dict[str, Record], where) -> list[str]:
    """The images every record scored, in order (``Record.stems``), for records compared side by side.

    Raises:
        ValueError: a record scored other images, or the same in another order; names ``where``, both
            records and their folders.
    """
    first_name, first = next(iter(records.items()))
    for name, record in records.items():
        if record.stems != first.stems:
            raise ValueError(
                f"{where}: record {name!r} ({record.path}) scored other images than {first_name!r} "
                f"({first.path}); a comparison needs every source scored on the same images in the "
                f"same order."
            )
    return first.stems


def file_sha256(path: Path, *, missing_ok: bool = False) -> str | None:
    """Hex sha256 of a file's bytes (None for a missing file when ``missing_ok``)."""
    if missing_ok and not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
