"""A run folder and the training state its checkpoints restore, behind one object (``RunFolder``).

The files, all written atomically: ``config.json`` (the TrainConfig plus model, data and device facts),
``classes.json``, ``history.csv`` (one row per epoch), ``last.safetensors`` and ``best.safetensors``
(highest validation mIoU). The final validation adds the evaluation record's files (``workbench.records``:
``record.json``, ``scores.json``, the confusion matrix, per-image statistics and tables, ``masks/``), so a
run folder is a record. ``fit`` asks this object to resume, save an epoch, build the error of a diverged
run and finish the record; it keeps the loop.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd

from workbench.data.classes import CLASSES_FILE, Classes
from workbench.data.data_info import data_stems, describe_data
from workbench.data.groups import image_groups
from workbench.engine.checkpoint import load_checkpoint, non_finite_names, save_checkpoint
from workbench.engine.config import TrainConfig
from workbench.engine.diverged import TrainingDiverged
from workbench.engine.resume_check import check_resume
from workbench.engine.scoring import model_source
from workbench.records import (
    MASKS_DIR,
    RECORD_DATA_FILES,
    RECORD_FILE,
    RecordError,
    RecordWriter,
    atomic_write_json,
    atomic_write_text,
    is_record,
    read_history,
    read_record,
)


class RunFolder:
    """One run's files, and what its checkpoints restore: ``epoch``, ``step``, ``best_miou``, ``rows`` (the
    history) and ``elapsed`` (seconds spent, across resumes).

    Args:
        path: the folder; None makes every write a no-op (a run that keeps nothing).
        model: what the checkpoints save and ``resume`` loads in place.
        optimizer: as ``model``.
        scaler: as ``model``.
        meta: checkpoint metadata shared by every save (class names, model spec, config, budget extensions).
        writable: False on every torchrun rank but 0, which alone writes; all ranks may read.
    """

    def __init__(self, path, *, model, optimizer=None, scaler=None, meta: dict | None = None, writable: bool = True):
        self.path = None if path is None else Path(path)
        self.writable = writable and self.path is not None
        self.model, self.optimizer, self.scaler = model, optimizer, scaler
        self.meta = {} if meta is None else meta
        self.epoch, self.step, self.best_miou, self.rows, self.elapsed = 0, 0, -math.inf, [], 0.0
        self.record: RecordWriter | None = None  # the final validation's record, staged until ``finish``

    @property
    def last(self) -> Path | None:
        return None if self.path is None else self.path / "last.safetensors"

    @property
    def best(self) -> Path | None:
        return None if self.path is None else self.path / "best.safetensors"

    def resume(self, config: TrainConfig, *, steps_per_epoch: int, class_names) -> bool:
        """Restore the state, weights and optimizer from ``last.safetensors``; False when there is none.

        Raises:
            ResumeMismatch: ``config`` differs from the run's in more than its budget (``check_resume``).
        """
        if self.last is None or not self.last.is_file():
            return False
        info = load_checkpoint(
            self.last, self.model, optimizer=self.optimizer, scaler=self.scaler, class_names=class_names
        )
        extension = check_resume(
            self.last,
            info.get("config"),
            config,
            steps_per_epoch=steps_per_epoch,
            step=info["step"],
            saved_model=info.get("model"),
            model=self.meta.get("model"),
        )
        self.meta["budget_extensions"] = list(info.get("budget_extensions") or []) + ([extension] if extension else [])
        self.meta["plan"] = info.get("plan")  # a run in minutes: its planned steps fix its schedule
        best = info.get("best_miou")
        self.epoch, self.step = info["epoch"], info["step"]
        self.best_miou = -math.inf if best is None else best
        self.rows = self.read_history(self.epoch)
        self.elapsed = info.get("elapsed", 0.0)
        return True

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

    def end_epoch(self, row: dict, seconds: float, *, save_last: bool) -> None:
        """Count the epoch of ``row`` (its ``epoch``, ``step``, losses and ``lr``) and save it.

        A non-finite validation loss or weight (e.g. a BatchNorm running_var that overflowed while the loss
        stayed finite) stops the run with nothing of this epoch saved. Then ``history.csv``, ``best`` (when
        the validation mIoU improved), and ``last`` (when ``save_last``): ``last`` is written once all else of
        the epoch is, so a run killed anywhere in here resumes from the previous ``last`` and redoes the epoch.

        Args:
            seconds: the epoch's wall time, training and validation; ``row["time"]`` gets the run's total.
        """
        self.epoch, self.step = row["epoch"], row["step"]
        if not math.isfinite(row.get("val_loss", 0.0)):  # absent on the ranks that skip the final validation
            raise self.diverged(row["val_loss"], step=self.step, lr=row["lr"], what="validation loss")
        bad = non_finite_names(self.model.state_dict())
        if bad:
            raise self.diverged(math.nan, step=self.step, lr=row["lr"], what=f"the weights ({', '.join(bad[:3])})")
        self.elapsed += seconds
        row["time"] = self.elapsed
        self.rows.append(row)
        self.write_history(self.rows)
        miou = row.get("val_miou", math.nan)
        improved = not math.isnan(miou) and miou > self.best_miou
        self.best_miou = miou if improved else self.best_miou
        best = self.best_miou if math.isfinite(self.best_miou) else None  # strict JSON: no -Infinity
        meta = {**self.meta, "epoch": self.epoch, "step": self.step, "best_miou": best, "elapsed": self.elapsed}
        if improved:
            self.save("best", meta=meta)
        if save_last:
            self.save("last", meta=meta, training_state=True)

    def diverged(self, loss: float, *, step: int, lr: float, what: str = "training loss") -> TrainingDiverged:
        """The error to raise: names the last good checkpoint and carries the completed epochs' history."""
        saved = self.last if self.last is not None and self.last.is_file() else None
        return TrainingDiverged(step, loss, lr, checkpoint=saved, history=self.history(), what=what)

    def history(self) -> pd.DataFrame:
        """The completed epochs (``history_frame``); ``attrs["parameters"]``: the model's parameter count."""
        frame = history_frame(self.rows)
        frame.attrs["parameters"] = sum(p.numel() for p in self.model.parameters())
        return frame

    def start_record(self, classes: Classes, val_data):
        """Stage the record of the final validation; returns the sink of its predicted masks (None when this
        process writes nothing)."""
        if not self.writable:
            return None
        self.record = RecordWriter(self.path, classes, data_stems(val_data), owned=True, groups=image_groups(val_data))
        return self.record.add_masks

    def finish(self, scores, val_data, *, training: dict | None = None) -> None:
        """Write the staged record (with ``scores``, for the weights in ``last``) after the last checkpoint;
        ``training`` (steps done, time, plan) goes into its ``source``."""
        if self.record is None:
            return
        source = model_source(self.model, self.meta.get("model"), self.last)
        source["weights"] = self.last.name  # relative: the checkpoint sits in the record folder
        source["training"] = training
        with self.record:
            self.record.finish(source=source, data=describe_data(val_data), scores=scores)
        self.record = None

    def abort(self) -> None:
        """Drop the staged masks of a record that will not be finished."""
        if self.record is not None:
            self.record.abort()
            self.record = None

    def needs_scores(self, val_data) -> bool:
        """A resumed run whose training was already complete: no final validation ran in this call."""
        return self.writable and val_data is not None and self.last.is_file()

    def saved_scores(self):
        """The scores of the folder's record, or None when it has none (or a damaged one)."""
        if is_record(self.path):
            try:
                return read_record(self.path).scores
            except RecordError:  # damaged or changed since: the caller evaluates the final weights again
                pass
        return None

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

    def save(self, which: str, *, meta: dict, training_state: bool = False) -> None:
        """Write the ``last`` or ``best`` checkpoint; ``training_state`` adds the optimizer and scaler."""
        if self.writable:
            extra = {"optimizer": self.optimizer, "scaler": self.scaler} if training_state else {}
            save_checkpoint(getattr(self, which), self.model, meta=meta, **extra)


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
