"""``resume=True`` continues the run that the checkpoint holds, not a different one.

The configuration a run started with is stored in every checkpoint. Resuming with other settings would
give a run that neither configuration describes, so ``check_resume`` refuses it and lists each difference.
Only the budget may grow (``epochs``, ``max_steps``): that is recorded as an extension, and the fields that
only change how a run is watched or fed (``OPERATIONAL``) may differ freely.
"""

from __future__ import annotations

import dataclasses
import time

from workbench.engine.checkpoint_meta import CheckpointError
from workbench.engine.config import TrainConfig

BUDGET = ("epochs", "max_steps")
OPERATIONAL = (
    "resume",
    "progress",
    "out_dir",
    "num_workers",
    "log_every",
    "distances",
    "errors",
    "tolerances",
    "minutes",  # the deadline of this call; the planned steps come from the checkpoint
)  # not what the weights are


class ResumeMismatch(ValueError):
    """``resume=True`` with a configuration other than the run's. Attributes: ``differences`` (lines)."""

    def __init__(self, path, differences: list[str]):
        self.differences = differences
        super().__init__(
            f"{path}: cannot resume with a changed configuration: {'; '.join(differences)}. Resume with "
            f"the run's settings (its config.json lists them; only epochs and max_steps may grow), or "
            f"start a new run in another --out folder."
        )


def check_resume(
    path, saved: dict | None, config: TrainConfig, *, steps_per_epoch: int, step: int, saved_model=None, model=None
) -> dict | None:
    """Compare the checkpoint's config (``saved``) with ``config``.

    Args:
        path: the checkpoint, for messages.
        saved: ``TrainConfig.to_dict()`` stored in the checkpoint (None in files that predate it: not checked).
        steps_per_epoch: optimizer steps per epoch of this run's loader (to compare epoch and step budgets).
        step: steps already done.
        saved_model: the stored model spec (``{"name", "encoder"}``).
        model: the current model spec.

    Returns:
        None when the budget is unchanged, else the extension to record: ``{"at_step", "from", "to", "date"}``
        with ``from``/``to`` holding ``epochs``, ``max_steps`` and the total steps.

    Raises:
        ResumeMismatch: any other field differs, or the budget would shrink.
    """
    if saved is None:
        return None
    try:
        old = TrainConfig.from_dict(saved)
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{path}: its stored training config is not valid ({err}); start a new run.") from None
    differences = [
        f"{f.name} is {getattr(config, f.name)!r} now but {getattr(old, f.name)!r} in the run"
        for f in dataclasses.fields(TrainConfig)
        if f.name not in BUDGET + OPERATIONAL and getattr(config, f.name) != getattr(old, f.name)
    ]
    if saved_model is not None and model is not None and dict(saved_model) != dict(model):
        differences.insert(0, f"the model is {dict(model)} now but {dict(saved_model)} in the run")
    before, after = _budget(old, steps_per_epoch), _budget(config, steps_per_epoch)
    if after["steps"] < before["steps"]:
        differences.append(
            f"the budget would shrink from {before['steps']} to {after['steps']} steps ({_text(before)} "
            f"in the run, {_text(after)} now); give at least the run's budget"
        )
    if differences:
        raise ResumeMismatch(path, differences)
    if (old.epochs, old.max_steps) == (config.epochs, config.max_steps):
        return None
    return {"at_step": step, "from": before, "to": after, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def _budget(config: TrainConfig, steps_per_epoch: int) -> dict:
    steps = config.max_steps or config.epochs * steps_per_epoch
    return {"epochs": config.epochs, "max_steps": config.max_steps, "steps": steps}


def _text(budget: dict) -> str:
    return f"max_steps {budget['max_steps']}" if budget["max_steps"] else f"epochs {budget['epochs']}"
