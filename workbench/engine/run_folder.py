"""The training files of a run folder, all written atomically.

``config.json`` (the TrainConfig plus model, data and device facts), ``classes.json``, ``history.csv``
(one row per epoch), ``last.safetensors`` and ``best.safetensors`` (highest validation mIoU). The final
validation adds the evaluation record's files (``workbench.records``: ``record.json``, ``scores.json``,
the confusion matrix, per-image statistics and tables, ``masks/``), so a run folder is a record.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from workbench.data.classes import CLASSES_FILE, Classes
from workbench.engine.checkpoint import save_checkpoint
from workbench.records import (
    MASKS_DIR,
    RECORD_DATA_FILES,
    RECORD_FILE,
    atomic_write_json,
    atomic_write_text,
    read_history,
)


class RunFolder:
    """Reads and writes one run's files.

    Args:
        path: the folder; None makes every write a no-op (a run that keeps nothing).
        writable: False on every torchrun rank but 0, which alone writes; all ranks may read.
    """

    def __init__(self, path: str | Path | None, *, writable: bool = True):
        self.path = None if path is None else Path(path)
        self.writable = writable and self.path is not None

    @property
    def last(self) -> Path | None:
        return None if self.path is None else self.path / "last.safetensors"

    @property
    def best(self) -> Path | None:
        return None if self.path is None else self.path / "best.safetensors"

    def clear(self) -> None:
        """Remove the files a previous run left, so a fresh run never mixes with them (best.safetensors!).

        ``record.json`` goes first: from then on the folder is no longer a record.
        """
        if self.writable:
            for name in STALE_FILES:
                (self.path / name).unlink(missing_ok=True)
            shutil.rmtree(self.path / MASKS_DIR, ignore_errors=True)

    def write_config(self, info: dict, classes: Classes) -> None:
        if self.writable:
            atomic_write_json(self.path / "config.json", info)
            classes.to_json(self.path / CLASSES_FILE)

    def write_history(self, rows: list[dict]) -> None:
        if self.writable:
            atomic_write_text(self.path / "history.csv", history_frame(rows).to_csv(index=False))

    def read_history(self, up_to_epoch: int) -> list[dict]:
        """Rows of a previous ``history.csv`` for epochs ``<= up_to_epoch`` (empty when there is none)."""
        path = None if self.path is None else self.path / "history.csv"
        if path is None or not path.is_file():
            return []
        df = read_history(path)
        return df[df["epoch"] <= up_to_epoch].to_dict("records")

    def save(self, which: str, model, *, optimizer=None, scaler=None, meta: dict | None = None) -> None:
        """Write ``last`` or ``best`` checkpoint."""
        if self.writable:
            save_checkpoint(getattr(self, which), model, optimizer=optimizer, scaler=scaler, meta=meta)


STALE_FILES = (RECORD_FILE, *RECORD_DATA_FILES, "last.safetensors", "best.safetensors", "history.csv")
HISTORY_COLUMNS = [
    "epoch",
    "step",
    "train_loss",
    "val_loss",
    "val_miou",
    "val_pixel_accuracy",
    "lr",
    "time",
    "images_per_s",
]


def history_frame(rows: list[dict]) -> pd.DataFrame:
    """Epoch rows as a DataFrame with the columns ``HISTORY_COLUMNS`` (NaN where not validated)."""
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)
