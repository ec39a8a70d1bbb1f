"""One training epoch, in the style of torchvision's segmentation reference (``train_one_epoch``).

A plain function; ``fit`` (in ``fit.py``) calls it once per epoch and validates with ``predict.predict``.
The loss is checked for NaN/inf every ``log_every`` steps rather than every step so that a GPU never waits on
the CPU in between.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader

from workbench.engine import distributed
from workbench.engine.diverged import TrainingDiverged  # noqa: F401  (raised here, public here too)
from workbench.engine.runtime import Runtime
from workbench.progress_bar import tqdm


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    criterion: nn.Module,
    *,
    runtime: Runtime,
    scaler: torch.amp.GradScaler,
    lr_fn: Callable[[int], float],
    step: int,
    stop_step: int,
    log_every: int = 10,
    log: Callable[[dict], None] | None = None,
    progress: bool = True,
    desc: str = "train",
    bar: tqdm | None = None,
    deadline=None,
) -> tuple[float, int]:
    """Train on ``loader`` until it ends, ``step`` reaches ``stop_step`` or the ``deadline`` passes.

    Args:
        model: the model (or its DDP wrapper) mapping images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``.
        loader: batches ``(images (N, 3, H, W), masks (N, H, W))``.
        lr_fn: learning rate of a step (``schedule.lr_at`` with the run's settings).
        step: optimizer steps taken before this epoch.
        log: called every ``log_every`` steps with ``{"step", "train_loss", "lr"}``.
        progress: show a tqdm bar.
        desc: the bar's label.
        bar: an open tqdm bar to reuse (reset to this epoch's length and given ``desc``), so that a run shows
            one bar for all its epochs; None makes a new one, closed at the end.
        deadline: a ``minutes.Deadline``, checked with the loss every ``log_every`` steps: once it has
            passed, the epoch ends there (None: no deadline).

    Returns:
        The mean training loss of the epoch over all processes, and the step count after it.

    Raises:
        TrainingDiverged: a loss was NaN or infinite.
    """
    model.train()
    window, losses = [], []
    total = min(len(loader), max(0, stop_step - step))
    own_bar = bar is None
    if own_bar:
        bar = tqdm(total=total, leave=False, disable=not progress, desc=desc)
    else:
        bar.set_description_str(desc, refresh=False)
        bar.reset(total=total)
    for images, masks in itertools.islice(loader, total):
        images, masks = runtime.to_device(images, masks)
        lr = lr_fn(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with runtime.autocast():
            logits = model(images)
        loss = criterion(logits, masks)  # the losses compute in float32 whatever the autocast dtype
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        step += 1
        bar.update(1)
        window.append(loss.detach())
        if len(window) == log_every:
            losses += _check_finite(window, step, lr, log, bar)
            window = []
            if deadline is not None and deadline.passed():
                break
    if window:
        losses += _check_finite(window, step, lr, log, bar)
    if own_bar:
        bar.close()
    totals = distributed.all_reduce_sum(torch.tensor([sum(losses), len(losses)], dtype=torch.float64))
    return (totals[0] / totals[1]).item() if totals[1] > 0 else math.nan, step


def _check_finite(window: list[torch.Tensor], step: int, lr: float, log, bar) -> list[float]:
    """Fetch a window of losses in one sync; raise on the first non-finite one (on any rank)."""
    values = torch.stack(window).float().cpu()
    bad = distributed.all_reduce_sum(torch.tensor([float((~values.isfinite()).any())]))
    if bad.item() > 0:
        first = step - len(window)
        where = (~values.isfinite()).nonzero()
        if len(where) == 0:  # another rank diverged in this window; its step is not known here
            raise TrainingDiverged(first, float("nan"), lr)
        index = int(where[0, 0])
        raise TrainingDiverged(first + index, float(values[index]), lr)
    mean = values.mean().item()
    bar.set_postfix(loss=f"{mean:.4f}", lr=f"{lr:.2e}", refresh=False)
    if log is not None:
        log({"step": step, "train_loss": mean, "lr": lr})
    return values.tolist()
