"""What the commands print on the terminal: an epoch line, a comparison table, per-class scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from workbench.engine.run_lock import RunLock
from workbench.metrics import HEADLINE, against_chance, chance_miou, chance_sentence
from workbench.records import display_frame, interval_note


def print_epoch(record: dict) -> None:
    """The ``log`` of fit/compare on the terminal: one line per epoch (steps show in the progress bar)."""
    if "epoch" not in record:
        return
    name = f"{record['model']} " if "model" in record else ""
    text = f"{name}epoch {record['epoch']:>3}  step {record['step']:>6}  train_loss {record['train_loss']:.4f}"
    if pd.notna(record.get("val_miou")):
        text += f"  val_loss {record['val_loss']:.4f}  val_miou {record['val_miou']:.4f}"
    tqdm.write(text + f"  {record['images_per_s']:.1f} img/s  {record['time']:.0f} s")  # above the bars, not into them


# the columns of a comparison table that the terminal shows, the catalogue's headline scores among them
HEADLINE_COLUMNS = ("status", "source", *HEADLINE, "train_time_s", "images_per_s", "note")
TEXT_COLUMNS = ("status", "source", "note")  # an empty cell of these, read back from a CSV, is blank text, not NaN


def print_comparison(table: pd.DataFrame) -> None:
    """A comparison table on the terminal: the headline columns, scores as "0.444 [0.431, 0.457]"."""
    shown = [c for c in HEADLINE_COLUMNS if c in table]
    shown += [f"{c}_{side}" for c in shown for side in ("low", "high") if f"{c}_{side}" in table]
    table = table.assign(**{c: table[c].astype(object).where(table[c].notna(), "") for c in TEXT_COLUMNS if c in table})
    print(display_frame(table[shown]).to_string(index=False))
    note = interval_note(table.attrs)
    if note:
        print(note)
    for name, training in table.attrs.get("training", {}).items():
        print(f"{name}: {training}")
    if "chance_miou_majority" in table.attrs:
        print(
            chance_sentence(
                {
                    "majority": float(table.attrs["chance_miou_majority"]),
                    "uniform": float(table.attrs["chance_miou_uniform"]),
                }
            )
        )


def print_note(lock: RunLock) -> None:
    if lock.note():
        print(f"note: {lock.note()}", flush=True)


def print_scores(scores, class_names) -> None:
    """The per-class table, then the mIoU against the chance level (flagged when near it)."""
    table = scores.table(class_names=list(class_names))
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    chance = _chance(scores)
    print(f"mIoU {against_chance(scores.miou, chance['majority'])}. {chance_sentence(chance)}")


def _chance(scores) -> dict[str, float]:
    """Chance levels of the scored targets, from the rows of the confusion matrix."""
    return chance_miou(np.asarray(scores.confusion).sum(axis=1))
