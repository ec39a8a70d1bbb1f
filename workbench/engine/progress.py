"""Progress bars (tqdm.auto: widgets in notebooks, text in terminals) for ``fit`` and ``compare``.

Three levels, each saying where it is: ``compare``'s bar counts the steps of all models and names the one
training now ("model 2 of 4: unet"), so its time estimate covers the whole comparison; ``fit``'s run bar
counts epochs and shows the last validation mIoU; the step bar, reused by every epoch of the run, is
labelled "unet: epoch 2 of 6". The inner two disappear when done; the comparison's stays as a summary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from workbench.progress_bar import tqdm


def epoch_desc(label: str, epoch: int, epochs: int) -> str:
    """The epoch bar's label: ``"unet: epoch 2 of 6"`` (``epoch`` 1-based)."""
    return f"{label}: epoch {epoch} of {epochs}"


def run_epochs(total_steps: int, steps_per_epoch: int) -> int:
    """Epochs a run of ``total_steps`` takes (the last one may be cut short by ``max_steps``)."""
    return max(1, math.ceil(total_steps / steps_per_epoch))


class RunBar:
    """``fit``'s bar over epochs (``"unet  3/6 epochs  val mIoU 0.352"``) and the one step bar that every
    epoch of the run reuses (``steps``, for ``train_one_epoch(bar=...)``): two outputs per run in a notebook,
    not one per epoch.

    Args:
        label: the model's name (or ``"train"``).
        epochs: epochs of the whole run; ``done``: epochs already done (a resumed run).
        enabled: False shows nothing (other ranks, ``progress=False``).
    """

    def __init__(self, label: str, epochs: int, *, done: int = 0, enabled: bool = True):
        self.bar = tqdm(total=epochs, initial=done, desc=label, unit="epoch", leave=False, disable=not enabled)
        self.steps = tqdm(total=0, desc=label, leave=False, disable=not enabled)

    def validating(self) -> None:
        """Say that the epoch's steps are done and the validation runs (it has no bar of its own)."""
        self.bar.set_postfix_str("validating", refresh=True)

    def epoch_done(self, row: dict) -> None:
        """Advance by one epoch and show its validation mIoU (when it was validated) and training loss."""
        miou = row.get("val_miou")
        text = f"train loss {row['train_loss']:.3f}"
        if miou is not None and miou == miou:
            text = f"val mIoU {miou:.3f}, {text}"
        self.bar.update(1)
        self.bar.set_postfix_str(text, refresh=True)

    def close(self) -> None:
        self.steps.close()
        self.bar.close()


class CompareBar:
    """``compare``'s bar over the steps of every model, labelled with the model training now.

    Args:
        model_names: the models in training order.
        steps_per_model: optimizer steps of each model's run.
        enabled: False shows nothing.
    """

    def __init__(self, model_names: Sequence[str], steps_per_model: int, *, enabled: bool = True):
        self.names, self.steps_per_model = list(model_names), steps_per_model
        self.results: list[str] = []
        self.bar = tqdm(total=len(self.names) * steps_per_model, unit="step", disable=not enabled, desc=self._desc(0))

    def _desc(self, index: int) -> str:
        return f"model {index + 1} of {len(self.names)}: {self.names[index]}"

    def model_log(self, index: int, log: Callable[[dict], None] | None) -> Callable[[dict], None]:
        """The ``log`` for model ``index``'s ``fit``: moves the bar with its steps, then calls ``log``."""
        self.bar.set_description_str(self._desc(index), refresh=False)
        base = index * self.steps_per_model
        name = self.names[index]

        def record(entry: dict) -> None:
            self.bar.update(max(0, base + min(entry["step"], self.steps_per_model) - self.bar.n))
            if log is not None:
                log({"model": name, **entry})

        return record

    def model_done(self, index: int, miou: float | None) -> None:
        """Jump to the end of model ``index`` (a diverged run stops early) and add its score to the summary."""
        self.bar.update(max(0, (index + 1) * self.steps_per_model - self.bar.n))
        shown = "diverged" if miou is None or miou != miou else f"{miou:.3f}"
        self.results.append(f"{self.names[index]} {shown}")
        self.bar.set_postfix_str("val mIoU " + ", ".join(self.results), refresh=True)

    def close(self) -> None:
        self.bar.close()
