"""The comparison folder, written by this module alone: the name of every file in it and every write into it.

```
<name>/                       one evaluation record per source (model or predictions folder)
comparison.{csv,md,tex,html}  the comparison table, one row per source (``workbench.metrics.comparison_table``)
per_class_iou.{csv,md}        the IoU of each class, one column per source
chance.json                   the chance mIoU of these targets (most frequent class, uniform) and its definition
mask_gallery.png              figures drawn by ``workbench.viz.comparison_figures`` from the records
learning_curves.png           (training runs only)
comparison.json               the order of the records; written last, it makes the folder a comparison
```

``check_out_folder`` refuses an output folder that is, contains or lies inside the data or the predictions
being scored, or that holds files the workbench did not write. ``ComparisonWriter`` stages every record of a
comparison in a hidden folder and moves them in together once all have been written; ``write_comparison``
then writes the tables and ``comparison.json``, so a reader never sees a comparison that mixes an old source
with a new one. ``write_comparison_figures`` names and writes the figures ``workbench.viz`` encodes.
Reading the folder back: ``workbench.records.comparison_reader``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from workbench.atomic import atomic_write_bytes, atomic_write_json
from workbench.metrics.chance import chance_miou
from workbench.records.record import MASKS_DIR, RECORD_DATA_FILES, RECORD_FILE, Record, common_stems, read_record
from workbench.records.tables import export_table
from workbench.records.write import check_owned, holds_record

COMPARISON_FILE = "comparison.json"  # the order of a comparison folder's records
REPLACED_COMPARISON = f".{COMPARISON_FILE}.old"  # comparison.json set aside while a comparison is rewritten
TABLE_FILES = ("comparison.csv", "comparison.md", "comparison.tex", "comparison.html")  # the csv first: read back
PER_CLASS_IOU_FILES = ("per_class_iou.csv", "per_class_iou.md")
CHANCE_FILE = "chance.json"
MASK_GALLERY, LEARNING_CURVES = "mask_gallery", "learning_curves"  # the figures, by name
FIGURE_FILES = {MASK_GALLERY: f"{MASK_GALLERY}.png", LEARNING_CURVES: f"{LEARNING_CURVES}.png"}
COMPARISON_FILES = (COMPARISON_FILE, *TABLE_FILES, *PER_CLASS_IOU_FILES, CHANCE_FILE, *FIGURE_FILES.values())
COMPARISON_STAGING = ".comparison-"  # hidden staging folders of comparison writers
RECORD_NAMES = {RECORD_FILE, MASKS_DIR, *RECORD_DATA_FILES}  # what a record writer writes (its hidden files aside)


def check_out_folder(out: str | Path, inputs: Iterable[str | Path | None], *, comparison: bool) -> None:
    """Refuse an output folder that could destroy or mix with what is being scored.

    Args:
        out: the record folder (``comparison=False``) or comparison folder.
        inputs: the folders read (the dataset root, the predictions folders); None entries are skipped.
        comparison: whether ``out`` receives one record per source.

    Raises:
        ValueError: one line naming the folder and saying what to do.
    """
    out = Path(out).resolve()
    for folder in (Path(f).resolve() for f in inputs if f is not None):
        if out == folder or folder in out.parents or out in folder.parents:
            raise ValueError(
                f"--out {out}: is, contains or lies inside {folder}, which is being scored; write the "
                f"record to a folder of its own (e.g. runs/eval)."
            )
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"--out {out}: is a file; give a folder.")
    is_record = holds_record(out)
    if comparison and is_record:
        raise ValueError(f"--out {out}: holds one record, not a comparison; give another folder for NAME=DIR sources.")
    if not comparison and (out / COMPARISON_FILE).is_file():
        raise ValueError(f"--out {out}: is a comparison folder; give a folder of its own for a single record.")
    if is_record or (out / COMPARISON_FILE).is_file() or (out / REPLACED_COMPARISON).is_file():
        return
    foreign = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise ValueError(
            f"--out {out}: holds files the workbench did not write ({shown}); choose a new or empty "
            f"folder (nothing there is replaced or deleted)."
        )


class ComparisonWriter:
    """Stage the records of one comparison (``staging(name)``), then ``commit`` them into ``path`` together.

    Args:
        path: the comparison folder.
        names: the sources, in order; ``[None]`` writes one record into ``path`` itself (no staging needed:
            ``RecordWriter`` commits it whole).
        enabled: False (torchrun ranks other than 0) does nothing.
    """

    def __init__(self, path: str | Path, names: list[str | None], *, enabled: bool = True):
        self.path, self.names, self.enabled = Path(path), list(names), enabled
        self.root: Path | None = None
        if not enabled or self.names == [None]:
            return
        for name in self.names:
            check_owned(self.path / name)
        self.path.mkdir(parents=True, exist_ok=True)
        for leftover in self.path.glob(f"{COMPARISON_STAGING}*"):  # of a killed writer
            shutil.rmtree(leftover, ignore_errors=True)
        self.root = self.path / f"{COMPARISON_STAGING}{uuid.uuid4().hex[:8]}"
        self.root.mkdir()

    def __enter__(self) -> ComparisonWriter:
        return self

    def __exit__(self, *exc) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def staging(self, name: str | None) -> Path:
        """The folder to write source ``name``'s record into."""
        return self.path if name is None else self.root / name

    def commit(self) -> dict[str | None, Record]:
        """Move the staged records in (``comparison.json`` set aside first), remove stale ones; returns them."""
        if self.root is None:
            return {None: read_record(self.path)}
        if (self.path / COMPARISON_FILE).exists():
            os.replace(self.path / COMPARISON_FILE, self.path / REPLACED_COMPARISON)  # no longer a comparison
        for name in self.names:
            final = self.path / name
            if final.exists():
                final.rename(self.root / f".old-{name}")
            (self.root / name).rename(final)
        for stale in self.stale():
            stale.rename(self.root / f".stale-{stale.name}")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
        return {name: read_record(self.path / name) for name in self.names}

    def stale(self) -> list[Path]:
        """Records of an earlier comparison that this one does not list and that hold nothing but record files
        (a training run folder, with its checkpoints, is kept; readers go by ``comparison.json`` alone)."""
        found = []
        for folder in self.path.iterdir():
            if folder.name.startswith(".") or folder.name in self.names or not folder.is_dir():
                continue
            held = {p.name for p in folder.iterdir() if not p.name.startswith(".")}  # hidden: staging, temporaries
            if holds_record(folder) and held <= RECORD_NAMES:
                found.append(folder)
        return found


def write_comparison(out: str | Path, table: pd.DataFrame, records: Mapping[str, Record]) -> None:
    """Write the comparison tables into ``out``, then ``comparison.json`` listing ``records`` in order.

    Args:
        out: the comparison folder (its records committed by ``ComparisonWriter`` or written by ``fit``).
        table: ``workbench.metrics.comparison_table`` of the sources; its ``chance_miou_*`` attrs go to
            ``chance.json``.
        records: name -> record, all scored on the same images (``ValueError`` otherwise); empty (every run
            diverged): no per-class table, and ``comparison.json`` lists none.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLE_FILES:
        export_table(table.reset_index(), out / name)
    chance = {k.removeprefix("chance_miou_"): v for k, v in table.attrs.items() if k.startswith("chance_miou_")}
    definition = chance_miou.__doc__.split("\n\n")[0].strip()
    atomic_write_json(out / CHANCE_FILE, {"miou": chance, "definition": definition})
    if records:
        _write_per_class_iou(out, records)
    write_comparison_order(out, list(records))  # last: a reader sees the whole comparison or none


def _write_per_class_iou(out: Path, records: Mapping[str, Record]) -> None:
    common_stems(dict(records), out)
    first = next(iter(records.values()))
    iou = pd.DataFrame(
        {name: r.scores.iou for name, r in records.items()}, index=pd.Index(first.classes.names, name="class")
    ).reset_index()
    iou.attrs.update(
        caption="Per-class IoU, one column per source (NaN: class absent from targets and predictions; "
        f"pixels with target {first.classes.ignore_index} left out).",
        ignore_index=first.classes.ignore_index,
    )
    for name in PER_CLASS_IOU_FILES:
        export_table(iou, out / name)


def write_comparison_order(path: str | Path, names: Iterable[str]) -> Path:
    """``comparison.json``: the order in which ``read_comparison`` returns the folder's records.

    Written last by a comparison's writer: it makes the folder a comparison again (the set-aside copy of
    an earlier one, ``.comparison.json.old``, goes).
    """
    written = atomic_write_json(Path(path) / COMPARISON_FILE, {"records": list(names)})
    (Path(path) / REPLACED_COMPARISON).unlink(missing_ok=True)
    return written


def write_comparison_figures(folder: str | Path, pngs: Mapping[str, bytes]) -> list[Path]:
    """Write each figure of a comparison (name -> PNG bytes, e.g. ``workbench.viz.comparison_figures`` encoded
    by ``figure_to_png``) as ``FIGURE_FILES[name]`` in ``folder``, atomically; returns the files.

    Raises:
        ValueError: a name that is not one of ``FIGURE_FILES`` (nothing is written).
    """
    unknown = [name for name in pngs if name not in FIGURE_FILES]
    if unknown:
        raise ValueError(
            f"write_comparison_figures({folder}): no file name for figures {unknown}; a comparison folder holds "
            f"{list(FIGURE_FILES)}. Add the name to FIGURE_FILES in workbench/records/comparison_folder.py."
        )
    return [atomic_write_bytes(Path(folder) / FIGURE_FILES[name], png) for name, png in pngs.items()]
