"""What the review report reads: the evaluation records of a folder, and each run's history when it has one.

A comparison folder holds one record per model or prediction source (``read_comparison``); a training
run's record also has the run's ``history.csv`` and ``config.json`` beside it. A predictions-only folder
(``workbench evaluate --preds NAME=DIR ...``) has neither, and the report leaves their sections out. No
model is loaded and nothing is predicted: every number comes from the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.data.classes import Classes
from workbench.records import Record, read_comparison, read_history, read_run_config, unlisted_records
from workbench.records.run_files import CONFIG_FILE, HISTORY_FILE


@dataclass(frozen=True)
class ReviewRun:
    """The records of one folder, in comparison order.

    Attributes:
        path: the folder given (a comparison folder or one record).
        records: name -> ``Record``.
        histories: name -> the run's ``history.csv`` (one row per epoch), for records that have one.
        configs: name -> the run's ``config.json``, for records that have one.
        left_out: record folders beside them that ``comparison.json`` does not list (an earlier comparison's).
    """

    path: Path
    records: dict[str, Record]
    histories: dict[str, pd.DataFrame]
    configs: dict[str, dict]
    left_out: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return list(self.records)

    @property
    def classes(self) -> Classes:
        """The classes of the first record (``check_same_classes`` made sure they all agree)."""
        return next(iter(self.records.values())).classes

    @property
    def created(self) -> str:
        """The date of the latest evaluation, ``YYYY-MM-DD HH:MM UTC``."""
        latest = max(r.created for r in self.records.values())
        return latest.replace("T", " ")[:16] + " UTC"


def read_review_run(run_dir: str | Path) -> ReviewRun:
    """Read every record of ``run_dir`` and the histories beside them.

    Raises:
        RecordError: no record in the folder, or a damaged one (the message names the file).
        ValueError: the records disagree about the classes.
    """
    path = Path(run_dir)
    records = read_comparison(path)
    check_same_classes(path, records)
    histories = {
        name: read_history(r.path / HISTORY_FILE) for name, r in records.items() if (r.path / HISTORY_FILE).is_file()
    }
    configs = {
        name: read_run_config(r.path / CONFIG_FILE) for name, r in records.items() if (r.path / CONFIG_FILE).is_file()
    }
    return ReviewRun(
        path=path, records=records, histories=histories, configs=configs, left_out=tuple(unlisted_records(path))
    )


def check_same_classes(path: Path, records: dict[str, Record]) -> None:
    """Records compared side by side must score the same classes."""
    first_name, first = next(iter(records.items()))
    for name, record in records.items():
        if list(record.classes.names) != list(first.classes.names):
            raise ValueError(
                f"{path}: record {name!r} scores classes {list(record.classes.names)} but {first_name!r} "
                f"scores {list(first.classes.names)}; compare records of the same classes."
            )


def same_images(records: dict[str, Record]) -> bool:
    """Whether every record scored the same images in the same order (needed for a paired comparison):
    the same stems of the same data (root, split, or synthetic parameters)."""
    keys = [(r.stems, r.data.get("root"), r.data.get("split"), r.data.get("synthetic")) for r in records.values()]
    return all(k == keys[0] for k in keys)


def data_label(record: Record) -> str:
    """The data a record scored, in words: ``CamVid folder /x/camvid, split val, 101 images``."""
    data = record.data
    if data.get("synthetic"):
        params = data["synthetic"]
        size = "x".join(str(v) for v in params.get("image_size", []))
        where = f"SyntheticShapes (seed {params.get('seed')}, {size} px)"
    elif data.get("root"):
        where = f"{data['root']}" + (f", split {data['split']}" if data.get("split") else "")
    else:
        where = str(data.get("dataset") or "unnamed data")
    return f"{where}, {data.get('num_images', len(record.stems))} images"
