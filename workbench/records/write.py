"""Write one evaluation record so that a reader never sees half of it, streaming its masks as they are scored.

``RecordWriter`` opens a hidden staging folder inside the record folder; each predicted mask is encoded and
written there as soon as it is scored (``add_masks``), so memory holds only the per-image statistics. ``finish``
writes the data files into the staging folder, fsyncs the folder once (every file, then the folder), and
commits: the old ``record.json`` is renamed to ``.record.json.old`` (the folder stops being a record but stays
recognisably the workbench's), the masks and data files are moved into place, and ``record.json`` comes last,
holding the sha256 of every file, masks included. A writer killed at any point leaves a folder without
``record.json``, which ``read_record`` refuses and the next writer cleans up.

Nothing the workbench did not write is ever deleted or replaced: a folder holding a ``masks/`` folder or a
record data file without a ``record.json`` (or a killed writer's ``.record.json.old``) beside it is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import platform
import shutil
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.atomic import atomic_write_json, fsync_dir, json_text
from workbench.data.classes import Classes
from workbench.data.groups import ImageGroups
from workbench.metrics import Scores
from workbench.records.masks import encode_mask, label_digest, mask_bit_depth
from workbench.records.record import (
    FORMAT,
    MASKS_DIR,
    RECORD_DATA_FILES,
    RECORD_FILE,
    STATS_FILE,
    VERSION,
    Record,
    read_record,
)
from workbench.records.record_schema import SOURCE_FIELDS, is_plain_name
from workbench.records.tables import csv_index, csv_text, table_to_csv, table_to_markdown

PACKAGES = ("workbench", "numpy", "torch", "torchvision", "segmentation-models-pytorch", "pillow")
REPLACED_FILE = f".{RECORD_FILE}.old"  # record.json of a record being rewritten: the folder is the workbench's
STAGING_PREFIX = ".record-"  # hidden staging folders of writers, removed by the next writer


class RecordWriter:
    """Writes one record into folder ``path``: the masks as they are scored, everything else at ``finish``.

    Args:
        path: the record folder (created when missing). Other files in it (a run's checkpoints, config.json)
            are left alone; a ``masks/`` folder or record data file that no record of the workbench owns is
            refused (``ValueError``) before anything is written.
        classes: the classes scored (the masks' bit depth follows their number).
        stems: one unique file-name stem per image, in scoring order.
        owned: the caller owns the folder (``fit``'s run folder, which it locked and wrote): its record files
            are replaced even when a killed writer left them without ``record.json``.
        groups: the group of each stem (``workbench.data.image_groups(dataset)``), stored so that intervals
            resample the units the images were sampled in; None: each image alone.

    Use it as a context manager: leaving the block without ``finish`` (an error) removes the staging folder.

    Example:
        >>> with RecordWriter(out, classes, stems) as writer:
        ...     for masks in batches_of_predicted_masks:
        ...         writer.add_masks(masks)
        ...     record = writer.finish(source=source, data=data, scores=scores)
    """

    def __init__(
        self,
        path: str | Path,
        classes: Classes,
        stems: Sequence[str],
        *,
        owned: bool = False,
        groups: ImageGroups | None = None,
    ):
        self.path, self.classes = Path(path), classes
        self.stems = check_stems(stems)
        self.groups = check_groups(groups, self.stems)
        self.bit_depth = mask_bit_depth(classes.num_classes)
        if not owned:
            check_owned(self.path)
        self._created = not self.path.exists()  # removed again when nothing is committed
        self.path.mkdir(parents=True, exist_ok=True)
        remove_staging(self.path)
        self.staging = self.path / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
        (self.staging / MASKS_DIR).mkdir(parents=True)
        self.mask_sha256: dict[str, str] = {}
        self.target_sha256: list[str] = []  # label_digest of each target, when the caller gives them

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()

    def add_masks(self, masks: Iterable[np.ndarray], targets: Iterable[np.ndarray] | None = None) -> None:
        """Write the next predicted index masks ``(H, W)``, in stem order, with their target masks when given
        (their ``label_digest`` goes into the record, so readers can tell when a dataset's masks changed)."""
        masks = list(masks)
        targets = [None] * len(masks) if targets is None else [label_digest(t) for t in targets]
        for mask, target in zip(masks, targets, strict=True):
            self.add_encoded(encode_mask(mask, self.bit_depth), target)

    def add_encoded(self, png: bytes, target: str | None = None) -> None:
        """Write the next mask, already encoded by ``encode_mask(mask, writer.bit_depth)``; ``target``: its
        target's ``label_digest``."""
        done = len(self.mask_sha256)
        if done >= len(self.stems):
            raise ValueError(f"RecordWriter({self.path}): more masks than the {len(self.stems)} stems.")
        stem = self.stems[done]
        with open(self.staging / MASKS_DIR / f"{stem}.png", "xb") as handle:
            handle.write(png)
        self.mask_sha256[stem] = hashlib.sha256(png).hexdigest()
        if target is not None:
            self.target_sha256.append(target)

    def finish(self, *, source: dict, data: dict, scores: Scores) -> Record:
        """Write the data files and ``record.json``, then commit the record; returns it as read back.

        Args:
            source: what was scored: ``{"kind": "model", "name", "encoder", "weights", "sha256"}`` or
                ``{"kind": "predictions", "dir"}``.
            data: where the images come from: ``root`` (None for generated data), ``split``, and for
                synthetic data ``synthetic`` (its parameters). ``stems``, ``num_images``, ``class_names`` and
                ``ignore_index`` are filled in here.
            scores: the dataset-level ``Scores`` with ``image_stats`` (one entry per stem, in order).
        """
        targets = self.target_sha256 or None
        check_scores(source, scores, self.stems, self.classes, len(self.mask_sha256), targets)
        files = data_files(scores, self.stems, self.classes)
        for name, content in files.items():
            (self.staging / name).write_bytes(content)
        fsync_tree(self.staging)
        meta = {
            "format": FORMAT, "version": VERSION, "source": dict(source),
            "data": {**data, "num_images": len(self.stems), "stems": self.stems, "class_names": list(self.classes.names),
                     "ignore_index": self.classes.ignore_index},
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": package_versions(),
            "classes": self.classes.to_dict(),
            "masks": {"folder": MASKS_DIR, "bit_depth": self.bit_depth, "count": len(self.stems),
                      "sha256": dict(self.mask_sha256)},
            "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
        }  # fmt: skip
        if targets is not None:
            meta["targets"] = {"sha256": list(targets)}
        if self.groups is not None:
            meta["groups"] = {
                "labels": list(self.groups.labels),
                "sequences": self.groups.sequences,
                "unit": self.groups.unit,
            }
        self._commit(list(files), meta)
        return read_record(self.path)

    def _commit(self, names: list[str], meta: dict) -> None:
        path = self.path
        if (path / RECORD_FILE).exists():
            os.replace(path / RECORD_FILE, path / REPLACED_FILE)  # from here on the folder is not a record
        if (path / MASKS_DIR).exists():
            (path / MASKS_DIR).rename(self.staging / f"{MASKS_DIR}-old")
        (self.staging / MASKS_DIR).rename(path / MASKS_DIR)
        for name in names:
            os.replace(self.staging / name, path / name)
        fsync_dir(path)
        atomic_write_json(path / RECORD_FILE, meta)
        (path / REPLACED_FILE).unlink(missing_ok=True)
        self._created = False  # committed: the folder stays
        self.abort()

    def abort(self) -> None:
        """Remove the staging folder, and the record folder when this writer created it (a no-op after ``finish``)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._created:
            with contextlib.suppress(OSError):  # not empty: someone else's files arrived; leave them
                self.path.rmdir()


def write_record(
    path: str | Path,
    *,
    source: dict,
    data: dict,
    scores: Scores,
    stems: Sequence[str],
    masks: Sequence[np.ndarray],
    classes: Classes,
    targets: Sequence[np.ndarray] | None = None,
    groups: ImageGroups | None = None,
) -> Record:
    """Write an evaluation record whose masks are all in memory (``RecordWriter`` streams them instead).

    Args:
        path: as for ``RecordWriter``.
        classes: as for ``RecordWriter``.
        stems: as for ``RecordWriter``.
        source: as for ``RecordWriter.finish``.
        data: as for ``RecordWriter.finish``.
        scores: as for ``RecordWriter.finish``.
        masks: the predicted index masks ``(H, W)``, one per stem, in order.
        targets: the target masks, in the same order (their digests go into the record), or None.
        groups: as for ``RecordWriter``.

    Returns:
        The ``Record``, read back from disk.
    """
    check_scores(source, scores, check_stems(stems), classes, len(masks), targets)  # before anything is written
    with RecordWriter(path, classes, stems, groups=groups) as writer:
        writer.add_masks(masks, targets)
        return writer.finish(source=source, data=data, scores=scores)


def check_owned(path: Path) -> None:
    """Refuse a record folder whose ``masks/`` or data files the workbench did not write (nothing is replaced).

    Raises:
        ValueError: naming the folder and the files, saying what to do.
    """
    if not path.exists():
        return
    if not path.is_dir():
        raise ValueError(f"{path}: is a file, not a folder; choose a new folder for the record.")
    if holds_record(path):
        return
    ours = [name for name in (MASKS_DIR, *RECORD_DATA_FILES) if (path / name).exists()]
    if ours:
        raise ValueError(
            f"{path}: holds {', '.join(ours[:3])} but is not an evaluation record (no {RECORD_FILE}); "
            f"the workbench never replaces files it did not write. Choose a new or empty folder."
        )


def holds_record(path: Path) -> bool:
    """Whether ``path`` holds a record's ``record.json``, or the set-aside one of a writer killed while
    committing: either way its record files are the workbench's to replace."""
    return (path / RECORD_FILE).is_file() or (path / REPLACED_FILE).is_file()


def remove_staging(path: Path) -> list[Path]:
    """Remove the staging folders that killed writers left in ``path``; returns them."""
    leftovers = [p for p in path.glob(f"{STAGING_PREFIX}*") if p.is_dir()]
    leftovers += [p for p in path.glob(f".{MASKS_DIR}-*") if p.is_dir()]  # the earlier writer's temporary masks
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)
    return leftovers


def fsync_tree(folder: Path) -> None:
    """Make every file below ``folder`` durable: all files first, then each folder, deepest first."""
    folders = [folder]
    for entry in sorted(folder.rglob("*")):
        if entry.is_dir():
            folders.append(entry)
        else:
            fd = os.open(entry, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for each in reversed(folders):
        fsync_dir(each)


def check_stems(stems: Sequence[str]) -> list[str]:
    stems = [str(s) for s in stems]
    bad = [s for s in stems if not is_plain_name(s)]
    if bad:
        raise ValueError(f"write_record: stems {bad[:3]} cannot name files; use the image file names without suffix.")
    if len(set(stems)) != len(stems):
        raise ValueError("write_record: stems repeat; every image needs its own stem.")
    return stems


def check_groups(groups: ImageGroups | None, stems: list[str]) -> ImageGroups | None:
    """``groups`` when it labels each stem (one text label per stem), else a ``ValueError`` saying so."""
    if groups is not None and len(groups.labels) != len(stems):
        raise ValueError(
            f"write_record: {len(groups.labels)} group labels for {len(stems)} stems; give "
            f"workbench.data.image_groups(dataset) of the dataset scored, or None."
        )
    return groups


def check_scores(source: dict, scores: Scores, stems: list[str], classes: Classes, masks: int, targets) -> None:
    kind = source.get("kind")
    if kind not in SOURCE_FIELDS or any(key not in source for key in SOURCE_FIELDS[kind]):
        raise ValueError(
            f"write_record: source {source} must be {{'kind': 'model', 'name', 'encoder', 'weights', "
            f"'sha256'}} or {{'kind': 'predictions', 'dir'}}."
        )
    stats = getattr(scores, "image_stats", None)
    if stats is None or len(stats) != len(stems) or masks != len(stems):
        raise ValueError(
            f"write_record: need per-image statistics (scores.image_stats) and a mask for each of the "
            f"{len(stems)} stems; got {None if stats is None else len(stats)} and {masks}."
        )
    if scores.num_classes != classes.num_classes:
        raise ValueError(
            f"write_record: the scores have {scores.num_classes} classes but classes has {classes.num_classes}."
        )
    if targets is not None and len(targets) != len(stems):
        raise ValueError(
            f"write_record: {len(targets)} target masks for {len(stems)} stems; give one per stem or none."
        )


def data_files(scores: Scores, stems: list[str], classes: Classes) -> dict[str, bytes]:
    """The record's data files (``RECORD_DATA_FILES``) as bytes."""
    stats = scores.image_stats
    names = list(classes.names)
    shown = [csv_text(n) for n in names]  # a class named "=1+1" stays text in a spreadsheet
    confusion = pd.DataFrame(scores.confusion, index=pd.Index(shown, name="target \\ predicted"), columns=shown)
    per_image = stats.per_image(stems)
    per_image.index = csv_index(per_image.index)  # a stem named "=1+1" stays text in a spreadsheet
    table = scores.table(class_names=names)
    text = {
        "scores.json": json_text(scores.as_dict()),
        "confusion.csv": confusion.to_csv(lineterminator="\n"),
        "per_image.csv": per_image.to_csv(lineterminator="\n"),
        "per_class.csv": table_to_csv(table),
        "per_class.md": table_to_markdown(table),
    }
    files = {STATS_FILE: _npz_bytes(stats.to_arrays()), **{name: t.encode("utf-8") for name, t in text.items()}}
    return {name: files[name] for name in RECORD_DATA_FILES}


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed ``.npz`` of plain numeric arrays (object arrays refused: no pickle in a record)."""
    plain = {}
    for name, array in arrays.items():
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise ValueError(
                f"write_record: image_stats array {name!r} has dtype {array.dtype}; only numbers are stored."
            )
        plain[name] = array
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **plain)
    return buffer.getvalue()


def package_versions() -> dict[str, str | None]:
    """Versions of Python and of the packages that decide the numbers (None where not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions
