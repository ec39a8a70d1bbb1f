"""LiveCurves: learning curves that redraw in place while ``fit`` or ``compare`` trains.

Pass ``curves.log`` as the ``log`` of ``workbench.engine.fit`` or ``compare``. It collects the records the
engine logs (a training loss every few steps, a history row at every epoch end; ``compare`` adds the model's
name) and redraws one figure, ``workbench.viz.draw_learning_curves``, into one display output that it
replaces each time: one picture per run, never a stream of them. The output is a PNG, so a saved,
exported or papermill-executed notebook keeps the last state.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
from IPython.display import DisplayHandle, Image
from matplotlib.figure import Figure

from workbench.metrics.chance import NEAR_CHANCE_FACTOR
from workbench.viz.curves import draw_learning_curves
from workbench.viz.encode import figure_to_png

__all__ = ["LiveCurves"]  # what workbench.widgets exports


class LiveCurves:
    """One figure of learning curves for the models of a run, updated from the engine's log records.

    Args:
        models: the names in training order (``fit``'s records carry no name: they go to ``models[0]``).
        epochs: epochs per model (fixes the x axes).
        steps_per_epoch: optimizer steps per epoch, to place the losses logged between epoch ends.
        chance: the majority-class chance mIoU, drawn on the mIoU panel (None: not drawn).
        chance_factor: also draw ``chance_factor`` x chance, the near-chance flag's bar (None: not drawn).
        min_interval_s: between epoch ends (which always redraw), at most one redraw per this many seconds,
            and never more often than every ten redraw durations, so that drawing takes at most about a
            tenth of the training time however slow the machine.
        handle: where the PNG goes: an object with ``display(obj)`` and ``update(obj)`` (default: a new
            ``IPython.display.DisplayHandle``, shown on the first record).

    State: ``histories`` (model -> DataFrame of the records so far), ``status`` (the figure's title),
    ``redraws`` (figures rendered) and ``png`` (the latest picture's bytes).
    """

    def __init__(
        self,
        models: Sequence[str],
        *,
        epochs: int,
        steps_per_epoch: int,
        chance: float | None = None,
        chance_factor: float | None = NEAR_CHANCE_FACTOR,
        min_interval_s: float = 3.0,
        handle=None,
        dpi: int = 80,
    ):
        if not models or epochs < 1 or steps_per_epoch < 1:
            raise ValueError(
                f"LiveCurves needs at least one model and epochs, steps_per_epoch >= 1; got "
                f"{list(models)}, epochs={epochs}, steps_per_epoch={steps_per_epoch}."
            )
        self.models, self.epochs, self.steps_per_epoch = list(models), epochs, steps_per_epoch
        self.chance, self.chance_factor, self.min_interval_s, self.dpi = chance, chance_factor, min_interval_s, dpi
        self.handle = DisplayHandle() if handle is None else handle
        self.figure = Figure(figsize=(9, 5.5), layout="constrained")
        self._rows: dict[str, list[dict]] = {name: [] for name in self.models}
        self._shown, self._next_draw = False, -float("inf")
        self.redraws, self.png, self.status = 0, b"", ""

    @property
    def histories(self) -> dict[str, pd.DataFrame]:
        """The records so far per model that has any, as DataFrames (``epoch`` fractional between epoch ends).

        ``train_loss`` holds the losses logged every few steps when there are any, else each epoch's mean.
        """
        return {name: pd.DataFrame(rows) for name, rows in self._rows.items() if rows}

    def log(self, record: dict) -> None:
        """Take one engine record; redraw at epoch ends and, at most every ``min_interval_s``, in between."""
        name = record.get("model", self.models[0])
        if name not in self._rows:
            self.models.append(name)
            self._rows[name] = []
        epoch_end = "epoch" in record
        if epoch_end:
            row = {k: v for k, v in record.items() if k != "model"}
            if any("images_per_s" not in r for r in self._rows[name]):
                row.pop("train_loss")  # the epoch's mean would sit among the windows it averages; keep those
        else:  # a training-loss check between epoch ends: place it at its fractional epoch
            row = {"epoch": record["step"] / self.steps_per_epoch, "train_loss": record["train_loss"]}
        self._rows[name].append(row)
        self.status = self._status(name, record)
        if epoch_end or time.monotonic() >= self._next_draw:
            self.redraw()

    def redraw(self) -> bytes:
        """Render the figure now and replace the displayed picture."""
        started = time.monotonic()
        draw_learning_curves(
            self.figure,
            self.histories,
            epochs=self.epochs,
            chance=self.chance,
            chance_factor=self.chance_factor,
            title=self.status,
        )
        self.png = figure_to_png(self.figure, dpi=self.dpi)
        picture = Image(data=self.png, format="png")
        if self._shown:
            self.handle.update(picture)
        else:
            self.handle.display(picture)
            self._shown = True
        self.redraws += 1
        finished = time.monotonic()
        self._next_draw = finished + max(self.min_interval_s, 10 * (finished - started))
        return self.png

    def _status(self, name: str, record: dict) -> str:
        """What is training now: the model (k of N), the epoch, the last validation mIoU."""
        k, n = self.models.index(name) + 1, len(self.models)
        which = f"{name} (model {k} of {n})" if n > 1 else name
        if "epoch" not in record:
            done = sum("images_per_s" in r for r in self._rows[name])  # epoch-end rows so far
            return f"{which}: epoch {min(done + 1, self.epochs)} of {self.epochs}"
        text = f"{which}: epoch {record['epoch']} of {self.epochs} done"
        miou = record.get("val_miou")
        return text if miou is None or miou != miou else f"{text}, validation mIoU {miou:.3f}"
