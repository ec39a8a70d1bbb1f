"""``write_record``: write one evaluation so that a reader never sees half of it.

Order of the writes: the old ``record.json`` goes first (the folder stops being a record), then the masks
into a temporary folder that is renamed into place, then each data file atomically, and ``record.json``
last, holding the sha256 of every file. A writer killed at any point leaves a folder without
``record.json``, which ``read_record`` refuses and the next ``write_record`` cleans up.
"""
from __future__ import annotations

import io
import os
import platform
import shutil
import uuid
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from workbench.data.classes import Classes
from workbench.metrics import Scores
from workbench.records.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text, fsync_dir
from workbench.records.masks import encode_mask, mask_bit_depth
from workbench.records.record import (
    COMPARISON_FILE, FORMAT, MASKS_DIR, RECORD_DATA_FILES, RECORD_FILE, STATS_FILE, VERSION, Record, file_sha256, read_record,
)
from workbench.records.tables import csv_index, csv_text, export_table

PACKAGES = ("workbench", "numpy", "torch", "torchvision", "segmentation-models-pytorch", "pillow")
SOURCE_KINDS = {"model": ("name", "encoder", "weights", "sha256"), "predictions": ("dir",)}


def write_record(path: str | Path, *, source: dict, data: dict, scores: Scores, stems: Sequence[str],
                 masks: Sequence[np.ndarray], classes: Classes) -> Record:
    """Write an evaluation record into folder ``path`` (created when missing) and return it as read back.

    Args:
        path: the record folder; other files in it (a run's checkpoints, config.json) are left alone.
        source: what was scored: ``{"kind": "model", "name", "encoder", "weights", "sha256"}`` or
            ``{"kind": "predictions", "dir"}``.
        data: where the images come from: ``root`` (None for generated data), ``split``, and for synthetic
            data ``synthetic`` (its parameters). ``stems``, ``num_images``, ``class_names`` and
            ``ignore_index`` are filled in here.
        scores: the dataset-level ``Scores`` with ``image_stats`` (one entry per stem, in order).
        stems: one unique file-name stem per image.
        masks: the predicted index masks ``(H, W)``, one per stem, in order.
        classes: the classes scored.

    Returns:
        The ``Record``, read back from disk.
    """
    path = Path(path)
    stems = _check_inputs(source, scores, stems, masks, classes)
    path.mkdir(parents=True, exist_ok=True)
    (path / RECORD_FILE).unlink(missing_ok=True)
    _remove_leftovers(path)
    bit_depth = mask_bit_depth(classes.num_classes)
    _write_masks(path, stems, masks, bit_depth)
    files = _write_tables(path, scores, stems, classes)
    atomic_write_json(path / RECORD_FILE, {
        "format": FORMAT, "version": VERSION, "source": dict(source),
        "data": {**data, "num_images": len(stems), "stems": stems, "class_names": list(classes.names),
                 "ignore_index": classes.ignore_index},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": package_versions(),
        "classes": {"names": list(classes.names), "colors": [list(c) for c in classes.colors],
                    "ignore_index": classes.ignore_index},
        "masks": {"folder": MASKS_DIR, "bit_depth": bit_depth, "count": len(stems)},
        "files": {name: file_sha256(path / name) for name in files},
    })  # fmt: skip
    return read_record(path)


def write_comparison_order(path: str | Path, names: Sequence[str]) -> Path:
    """``comparison.json``: the order in which ``read_comparison`` returns the folder's records."""
    return atomic_write_json(Path(path) / COMPARISON_FILE, {"records": list(names)})


def _check_inputs(source: dict, scores: Scores, stems, masks, classes: Classes) -> list[str]:
    kind = source.get("kind")
    if kind not in SOURCE_KINDS or any(key not in source for key in SOURCE_KINDS[kind]):
        raise ValueError(f"write_record: source {source} must be {{'kind': 'model', 'name', 'encoder', 'weights', "
                         f"'sha256'}} or {{'kind': 'predictions', 'dir'}}.")
    stems = [str(s) for s in stems]
    bad = [s for s in stems if not s or s.startswith(".") or any(ch in s for ch in "/\\\0")]
    if bad:
        raise ValueError(f"write_record: stems {bad[:3]} cannot name files; use the image file names without suffix.")
    if len(set(stems)) != len(stems):
        raise ValueError("write_record: stems repeat; every image needs its own stem.")
    stats = getattr(scores, "image_stats", None)
    if stats is None or len(stats) != len(stems) or len(masks) != len(stems):
        raise ValueError(f"write_record: need per-image statistics (scores.image_stats) and a mask for each of the "
                         f"{len(stems)} stems; got {None if stats is None else len(stats)} and {len(masks)}.")
    if scores.num_classes != classes.num_classes:
        raise ValueError(f"write_record: the scores have {scores.num_classes} classes but classes has "
                         f"{classes.num_classes}.")
    return stems


def _remove_leftovers(path: Path) -> None:
    """Temporary mask folders of a writer that was killed."""
    for leftover in path.glob(f".{MASKS_DIR}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _write_masks(path: Path, stems: list[str], masks, bit_depth: int) -> None:
    tmp = path / f".{MASKS_DIR}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for stem, mask in zip(stems, masks):
            with open(tmp / f"{stem}.png", "xb") as handle:
                handle.write(encode_mask(mask, bit_depth))
                handle.flush()
                os.fsync(handle.fileno())
        fsync_dir(tmp)
        final = path / MASKS_DIR
        if final.exists():
            old = final.rename(path / f".{MASKS_DIR}-old-{uuid.uuid4().hex[:8]}")
            shutil.rmtree(old)
        tmp.rename(final)
        fsync_dir(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_tables(path: Path, scores: Scores, stems: list[str], classes: Classes) -> list[str]:
    """The data files of the record; returns their names."""
    stats = scores.image_stats
    buffer = _npz_bytes(stats.to_arrays())
    atomic_write_bytes(path / STATS_FILE, buffer)
    atomic_write_json(path / "scores.json", scores.as_dict())
    names = list(classes.names)
    shown = [csv_text(n) for n in names]  # a class named "=1+1" stays text in a spreadsheet
    confusion = pd.DataFrame(scores.confusion, index=pd.Index(shown, name="target \\ predicted"), columns=shown)
    atomic_write_text(path / "confusion.csv", confusion.to_csv(lineterminator="\n"))
    per_image = stats.per_image()
    per_image.index = csv_index(pd.Index(stems, name="stem"))  # a stem named "=1+1" stays text in a spreadsheet
    atomic_write_text(path / "per_image.csv", per_image.to_csv(lineterminator="\n"))
    table = scores.table(class_names=names)
    for suffix in (".csv", ".md"):
        export_table(table, path / f"per_class{suffix}")
    return list(RECORD_DATA_FILES)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed ``.npz`` of plain numeric arrays (object arrays refused: no pickle in a record)."""
    plain = {}
    for name, array in arrays.items():
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise ValueError(f"write_record: image_stats array {name!r} has dtype {array.dtype}; only numbers are stored.")
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
