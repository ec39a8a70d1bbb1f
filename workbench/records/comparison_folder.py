"""Where evaluations may be written, and a comparison folder that changes as a whole or not at all.

``check_out_folder`` refuses an output folder that is, contains or lies inside the data or the predictions
being scored, or that holds files the workbench did not write. ``ComparisonWriter`` stages every record of a
comparison in a hidden folder and moves them in together once all have been written; the tables and
``comparison.json`` follow (``engine.comparison.write_comparison``), so a reader never sees a comparison that
mixes an old source with a new one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

from workbench.records.record import COMPARISON_FILE, MASKS_DIR, RECORD_DATA_FILES, RECORD_FILE, Record, read_record
from workbench.records.write import REPLACED_COMPARISON, check_owned, holds_record

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
