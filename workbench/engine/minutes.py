"""Budgets in minutes: plan a run's steps from a measured warm-up, and stop it at its deadline.

``TrainConfig.minutes`` bounds a ``fit`` in wall-clock time on whatever machine runs it. Before training,
``measure_speed`` times a few training steps and one validation batch on this machine, as loaded now, on
copies of the weights and optimizer state (restored afterwards, so the run is unchanged); on a CPU it
also keeps one thread when that is faster (busy cores make threads wait for each other). ``plan_steps``
then fits as many steps as the minutes allow, validations included, capped by the fixed budget
(``epochs`` or ``max_steps``): on a machine fast enough for the whole budget nothing changes, and the
scores are the fixed budget's. The learning-rate schedule is planned for those steps (``lr_at`` stays a
pure function of the step).

A machine that gets busier after the warm-up would overrun the plan, so the ``Deadline`` is checked every
``log_every`` steps (with the loss check; every process gets the same answer): past it, the epoch ends at
that step, is validated and saved as the run's last, like an epoch cut short by ``max_steps``. The run
then holds fewer steps than planned and says so; its schedule was not annealed to 0, and ``resume=True``
continues it to the planned steps under the same schedule (the plan is kept in the checkpoints).
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import math
import os
import statistics
import time

import torch

from workbench.engine import distributed
from workbench.models.eval_mode import eval_mode

WARMUP_STEPS = 6  # timed training steps (after one untimed step that pays for the first allocations)
WARMUP_MIN_STEPS = 3  # timed steps however slow: one step's noise must not plan the run
WARMUP_SHARE = 0.05  # of the minutes: a slow machine times fewer steps (at least WARMUP_MIN_STEPS)
MARGIN = 0.9  # the plan fills this share of the time left, for the noise of a shared machine
# The record's validation also writes the masks, the per-image statistics and the checkpoints: in notebook 03
# on the busy 2-core machine it took about ten plain validation passes.
FINAL_VALIDATIONS = 10


class Deadline:
    """A moment ``seconds`` from now; ``passed()`` gives every process the same answer (any one late: all)."""

    def __init__(self, seconds: float):
        self.end = time.perf_counter() + seconds

    def reserve(self, seconds: float) -> None:
        """End ``seconds`` earlier: time kept for the work that follows the training (the record)."""
        self.end -= seconds

    def left(self) -> float:
        return self.end - time.perf_counter()

    def passed(self) -> bool:
        late = torch.tensor([float(self.left() <= 0)])
        return distributed.all_reduce_sum(late).item() > 0


def measure_speed(model, train_loader, val_loader, optimizer, criterion, *, runtime, scaler, seconds: float) -> dict:
    """Seconds per training step and per validation batch on this machine now (every process's mean), and
    the CPU thread count the run keeps.

    One untimed step pays for the first allocations, then up to ``WARMUP_STEPS`` timed steps, fewer once
    ``seconds`` have gone by (on a slow machine the warm-up would eat the run's time) but never fewer than
    ``WARMUP_MIN_STEPS``; the step time is their median, so one step slowed by another program does not plan
    the run. On a CPU two steps also run on one thread: when other programs keep the cores busy, threads
    that wait for each other can make a step ten times slower than one thread alone (measured on a shared
    2-core machine), so the count with the faster of its two steps is kept (``torch.set_num_threads``;
    ``fit`` restores it at the end). The steps train copies: the weights, the optimizer's and the scaler's
    state are restored afterwards.
    """
    saved = [copy.deepcopy(x.state_dict()) for x in (model, optimizer, scaler)]
    batches = itertools.cycle(train_loader)
    model.train()
    _train_step(model, next(batches), optimizer, criterion, runtime, scaler)
    threads, enough, times = torch.get_num_threads(), Deadline(seconds), []
    if runtime.device.type == "cpu" and threads > 1:
        many = [_timed_step(model, batches, optimizer, criterion, runtime, scaler) for _ in range(2)]
        torch.set_num_threads(1)
        times = [_timed_step(model, batches, optimizer, criterion, runtime, scaler) for _ in range(2)]
        if min(times) > min(many):
            torch.set_num_threads(threads)
            times = many
    while len(times) < WARMUP_STEPS:
        if len(times) >= WARMUP_MIN_STEPS and enough.passed():
            break
        times.append(_timed_step(model, batches, optimizer, criterion, runtime, scaler))
    step_seconds = statistics.median(times)
    for target, state in zip((model, optimizer, scaler), saved):
        target.load_state_dict(state)
    optimizer.zero_grad(set_to_none=True)
    val_seconds = 0.0 if val_loader is None else _time_val_batch(model, val_loader, runtime)
    measured = distributed.all_reduce_sum(torch.tensor([step_seconds, val_seconds], dtype=torch.float64))
    world = distributed.current().world_size
    return {
        "step_seconds": measured[0].item() / world,
        "val_batch_seconds": measured[1].item() / world,
        "threads": torch.get_num_threads(),
    }


def _timed_step(model, batches, optimizer, criterion, runtime, scaler) -> float:
    """Seconds of one training step, loading its batch included."""
    started = time.perf_counter()
    _train_step(model, next(batches), optimizer, criterion, runtime, scaler)
    _sync(runtime)
    return time.perf_counter() - started


def _train_step(model, batch, optimizer, criterion, runtime, scaler) -> None:
    images, masks = runtime.to_device(*batch)
    with runtime.autocast():
        loss = criterion(model(images), masks)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()


@contextlib.contextmanager
def kept_threads():
    """Restore torch's CPU thread count on exit (``measure_speed`` may keep one thread for a run)."""
    threads = torch.get_num_threads()
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@torch.no_grad()
def _time_val_batch(model, loader, runtime) -> float:
    """One forward pass of a validation batch (the training steps have paid for the allocations)."""
    images = next(iter(loader))[0]
    images = runtime.to_device(images, images)[0]
    with eval_mode(model), runtime.autocast():
        started = time.perf_counter()
        model(images)
        _sync(runtime)
    return time.perf_counter() - started


def _sync(runtime) -> None:
    if runtime.device.type == "cuda":
        torch.cuda.synchronize(runtime.device)


def plan_run(
    deadline: Deadline, config, budget_steps: int, model, loaders, optimizer, criterion, *, runtime, scaler
) -> dict:
    """The plan of a run in minutes: ``measure_speed``, then ``plan_steps`` for the time the deadline leaves.

    Args:
        config: the run's ``TrainConfig``.
        budget_steps: the fixed budget's steps (``max_steps``, or ``epochs`` x steps per epoch).
        loaders: the training loader, this process's validation loader and the whole validation set's
            (the validation ones None without validation data).

    Returns:
        ``{"minutes", "planned_steps", "budget_steps", "step_seconds", "val_batch_seconds", "load"}``, stored
        in the checkpoints and ``config.json``, with the ``threads`` the run keeps. ``deadline`` is moved
        earlier by the record's validation, so that the training stops in time for it.
    """
    train_loader, val_loader, full_val_loader = loaders
    speed = measure_speed(
        model,
        train_loader,
        val_loader,
        optimizer,
        criterion,
        runtime=runtime,
        scaler=scaler,
        seconds=WARMUP_SHARE * deadline.left(),
    )
    val_batches = 0 if full_val_loader is None else len(full_val_loader)
    planned = plan_steps(
        deadline.left(),
        speed,
        budget_steps=budget_steps,
        steps_per_epoch=len(train_loader),
        val_batches=val_batches,
        eval_every=config.eval_every,
        warmup_steps=config.warmup_steps,
    )
    deadline.reserve(FINAL_VALIDATIONS * val_batches * speed["val_batch_seconds"])  # the record ends on time
    return {
        "minutes": config.minutes,
        "planned_steps": planned,
        "budget_steps": budget_steps,
        **speed,
        "load": machine_load(),
    }


def plan_steps(
    seconds: float,
    speed: dict,
    *,
    budget_steps: int,
    steps_per_epoch: int,
    val_batches: int,
    eval_every: int,
    warmup_steps: int = 0,
) -> int:
    """The steps that fit in ``seconds``, at most ``budget_steps``: training plus the validations they bring.

    Args:
        seconds: wall time left for training and validation.
        speed: ``measure_speed``'s seconds per training step and per validation batch.
        budget_steps: the fixed budget (``max_steps``, or ``epochs`` x ``steps_per_epoch``).
        val_batches: batches of one validation pass (0: no validation).
        eval_every: epochs between validations; the last epoch is always validated (the record's pass).
        warmup_steps: the schedule's linear warm-up; the plan keeps at least one step beyond it.
    """
    usable = MARGIN * seconds
    val_pass = val_batches * speed["val_batch_seconds"]
    steps = budget_steps
    for _ in range(3):  # fewer steps, fewer epochs, fewer validations: settles in a pass or two
        epochs = math.ceil(steps / steps_per_epoch)
        validations = (epochs - 1) // eval_every + FINAL_VALIDATIONS if val_batches else 0
        affordable = int((usable - validations * val_pass) / speed["step_seconds"])
        steps = min(budget_steps, affordable)
    return max(steps, warmup_steps + 1, 1)


def machine_load() -> float | None:
    """The 1-minute load average per usable core (1.0: every core busy), or None where the OS has none."""
    try:
        return os.getloadavg()[0] / len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def training_note(training: dict) -> str:
    """One sentence on what a run did with its time, e.g. ``"trained 410 steps in 3.0 min; fewer than the
    560 planned because the machine got busier after the warm-up (stopped at the 3-minute deadline)"``.

    Args:
        training: ``fit``'s ``history.attrs["training"]``: ``steps``, ``seconds``, ``budget_steps``, and for a
            run in minutes ``minutes``, ``planned_steps``, ``step_seconds``, ``stopped_at_deadline``.
    """
    done = f"trained {training['steps']} steps in {training['seconds'] / 60:.1f} min"
    minutes = training.get("minutes")
    if minutes is None:
        return f"{done} (the fixed budget)"
    if training.get("load") is not None:
        done += f" (machine load {training['load']:.1f} per core)"
    if training["stopped_at_deadline"]:
        return (
            f"{done}; fewer than the {training['planned_steps']} planned because the machine got busier after "
            f"the warm-up (stopped at the {minutes:g}-minute deadline)"
        )
    if training["planned_steps"] < training["budget_steps"]:
        return (
            f"{done}: {training['planned_steps']} of the budget's {training['budget_steps']} steps fit in "
            f"{minutes:g} min at the warm-up's {training['step_seconds']:.2f} s a step on this machine"
        )
    return f"{done}: the whole budget fit in {minutes:g} min"
