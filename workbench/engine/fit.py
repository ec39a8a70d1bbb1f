"""``fit``: train a model for a fixed budget, validate it, and keep a run folder.

The pieces (runtime, loaders, loss, schedule, checkpoints) are plain functions from the neighbouring
files; ``fit`` wires them for one run, resumes it when asked, and stops cleanly when the loss diverges.
"""
from __future__ import annotations

import math
import platform
import time
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader

from workbench.data.classes import Classes
from workbench.engine import distributed
from workbench.engine.config import TrainConfig
from workbench.engine.checkpoint import load_checkpoint
from workbench.engine.loop import TrainingDiverged, train_one_epoch, validate
from workbench.engine.losses import create_loss
from workbench.engine.run_folder import RunFolder, history_frame
from workbench.engine.runtime import Runtime, create_runtime
from workbench.engine.sampling import create_eval_loader, create_train_loader, derive_seed, seed_everything
from workbench.engine.schedule import lr_at
from workbench.metrics import SegmentationEvaluator


@dataclass
class _State:
    """What a checkpoint restores: epochs done, steps done, best mIoU, history rows, seconds spent."""

    epoch: int = 0
    step: int = 0
    best_miou: float = -math.inf
    rows: list = field(default_factory=list)
    elapsed: float = 0.0


def fit(model: nn.Module, train_data, val_data, config: TrainConfig, *, log: Callable[[dict], None] | None = None,
        model_spec: dict | None = None) -> pd.DataFrame:
    """Train ``model`` on ``train_data``, validating on ``val_data`` after every ``config.eval_every`` epochs.

    Args:
        model: maps images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``; ``C`` must equal the number of classes.
        train_data: dataset of ``(image (3, H, W), mask (H, W))`` with a ``.classes`` attribute.
        val_data: dataset of the same kind, or None to skip validation.
        config: the run's settings; ``config.out_dir`` is the run folder (None keeps nothing).
        log: called with ``{"step", "train_loss", "lr"}`` every ``config.log_every`` steps and with the
            history row at the end of every epoch.
        model_spec: how to rebuild the model, e.g. ``{"name": "unet", "encoder": "resnet18"}``; stored in
            the checkpoints so that ``load_model`` can recreate it.

    Returns:
        The history, one row per epoch: epoch, step, train_loss, val_loss, val_miou, val_pixel_accuracy, lr,
        time (seconds since the run began), images_per_s (training throughput of that epoch).
        ``history.attrs["scores"]`` holds the final weights' ``workbench.metrics.Scores`` (None when there
        was no validation in this call).

    Raises:
        TrainingDiverged: the loss became NaN/inf; the last good checkpoint and history.csv are kept.
    """
    ctx = _setup(model, train_data, val_data, config, log, model_spec)
    state = _resume(ctx) if config.resume else None
    if state is None:
        ctx.run.clear()
        state = _State()
    ctx.run.write_config(_run_info(ctx, model_spec), ctx.classes)
    last_scores = None
    while state.step < ctx.total_steps:
        last_scores = _one_epoch(ctx, state) or last_scores
    if last_scores is not None:
        ctx.run.write_scores(last_scores, ctx.classes.names)
    distributed.barrier()  # the files are complete before any rank returns
    history = history_frame(state.rows)
    history.attrs["scores"] = last_scores
    return history


@dataclass
class _Context:
    """Everything one run needs, built once by ``_setup``."""

    config: TrainConfig
    runtime: Runtime
    dist: distributed.DistInfo
    classes: Classes
    model: nn.Module  # the bare model: saved, loaded and validated
    ddp_model: nn.Module  # what trains: ``model`` or its DistributedDataParallel wrapper
    criterion: nn.Module
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    train_loader: DataLoader
    val_loader: DataLoader | None
    run: RunFolder
    meta: dict  # checkpoint metadata shared by every save
    log: Callable | None

    @property
    def total_steps(self) -> int:
        return self.config.max_steps or self.config.epochs * len(self.train_loader)

    def lr_at(self, step: int) -> float:
        cfg = self.config
        return lr_at(step, base_lr=cfg.lr, total_steps=self.total_steps, power=cfg.poly_power, warmup_steps=cfg.warmup_steps)


def _setup(model, train_data, val_data, config: TrainConfig, log, model_spec) -> _Context:
    dist = distributed.current()
    runtime = create_runtime(device=config.device, precision=config.precision, channels_last=config.channels_last,
                             local_rank=dist.local_rank)
    classes = dataset_classes(train_data)
    model = runtime.prepare_model(model)
    _check_num_classes(model, classes.num_classes, runtime)
    criterion = create_loss(config.loss, class_weights=config.class_weights, ignore_index=config.ignore_index)
    shard = {"num_workers": config.num_workers, "pin_memory": runtime.pin_memory, "rank": dist.rank, "world_size": dist.world_size}
    train_loader = create_train_loader(train_data, batch_size=config.batch_size, seed=config.seed, **shard)
    val_loader = None if val_data is None else create_eval_loader(val_data, batch_size=config.batch_size, **shard)
    meta = {"class_names": list(classes.names), "num_classes": classes.num_classes, "model": model_spec, "config": config.to_dict()}
    return _Context(config, runtime, dist, classes, model, distributed.wrap_model(model, runtime.device),
                    criterion.to(runtime.device), create_optimizer(model, config), runtime.grad_scaler(), train_loader,
                    val_loader, RunFolder(config.out_dir, writable=dist.is_main), meta, log)


def _one_epoch(ctx: _Context, state: _State):
    """Train one epoch, validate when due, save; update ``state`` in place. Returns the Scores or None."""
    cfg, started, step_before = ctx.config, time.perf_counter(), state.step
    seed_everything(derive_seed(cfg.seed, state.epoch, 1))  # dropout and the like: a function of (seed, epoch)
    ctx.train_loader.sampler.set_epoch(state.epoch)
    try:
        train_loss, state.step = train_one_epoch(
            ctx.ddp_model, ctx.train_loader, ctx.optimizer, ctx.criterion, runtime=ctx.runtime, scaler=ctx.scaler,
            lr_fn=ctx.lr_at, step=state.step, stop_step=ctx.total_steps, log_every=cfg.log_every, log=ctx.log,
            progress=cfg.progress and ctx.dist.is_main, desc=f"epoch {state.epoch + 1}")
    except TrainingDiverged as err:
        saved = ctx.run.last if ctx.run.last is not None and ctx.run.last.is_file() else None
        raise TrainingDiverged(err.step, err.loss, err.lr, checkpoint=saved, history=history_frame(state.rows)) from None
    train_time = time.perf_counter() - started
    distributed.broadcast_buffers(ctx.model)
    state.epoch += 1
    done = state.step >= ctx.total_steps
    row = {"epoch": state.epoch, "step": state.step, "train_loss": train_loss, "lr": ctx.lr_at(state.step - 1),
           "images_per_s": (state.step - step_before) * cfg.batch_size * ctx.dist.world_size / train_time}
    due = ctx.val_loader is not None and (done or state.epoch % cfg.eval_every == 0)
    scores = _validate(ctx, row) if due else None
    state.elapsed += time.perf_counter() - started
    row["time"] = state.elapsed
    state.rows.append(row)
    _save(ctx, state, row, save_last=done or state.epoch % cfg.save_every == 0)
    if ctx.log is not None:
        ctx.log(dict(row))
    return scores


def _validate(ctx: _Context, row: dict):
    evaluator = SegmentationEvaluator(ctx.classes.num_classes, ctx.config.ignore_index, device=ctx.runtime.device)
    row["val_loss"] = validate(ctx.model, ctx.val_loader, evaluator, runtime=ctx.runtime, criterion=ctx.criterion,
                               progress=ctx.config.progress and ctx.dist.is_main)
    scores = evaluator.compute()
    summary = scores.as_dict()
    row["val_miou"], row["val_pixel_accuracy"] = float(summary["miou"]), float(summary["pixel_accuracy"])
    return scores


def _save(ctx: _Context, state: _State, row: dict, *, save_last: bool) -> None:
    ctx.run.write_history(state.rows)
    miou = row.get("val_miou", math.nan)
    improved = not math.isnan(miou) and miou > state.best_miou
    state.best_miou = miou if improved else state.best_miou
    best = state.best_miou if math.isfinite(state.best_miou) else None  # strict JSON: no -Infinity
    meta = {**ctx.meta, "epoch": state.epoch, "step": state.step, "best_miou": best, "elapsed": state.elapsed}
    if save_last:
        ctx.run.save("last", ctx.model, optimizer=ctx.optimizer, scaler=ctx.scaler, meta=meta)
    if improved:
        ctx.run.save("best", ctx.model, meta=meta)


def _resume(ctx: _Context) -> _State | None:
    """State from ``last.safetensors`` (weights and optimizer loaded in place), or None without one."""
    run = ctx.run
    if run.last is None or not run.last.is_file():
        return None
    info = load_checkpoint(run.last, ctx.model, optimizer=ctx.optimizer, scaler=ctx.scaler, class_names=ctx.classes.names)
    best = info.get("best_miou")
    return _State(epoch=info["epoch"], step=info["step"], best_miou=-math.inf if best is None else best,
                  rows=run.read_history(info["epoch"]), elapsed=info.get("elapsed", 0.0))


def create_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD with momentum or AdamW over all parameters, as ``config.optimizer`` says."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    return torch.optim.AdamW(model.parameters(), lr=config.lr, betas=(config.momentum, 0.999), weight_decay=config.weight_decay)


def dataset_classes(dataset) -> Classes:
    """The ``Classes`` of a dataset, looking through wrappers such as ``torch.utils.data.Subset``."""
    while dataset is not None:
        if isinstance(getattr(dataset, "classes", None), Classes):
            return dataset.classes
        dataset = getattr(dataset, "dataset", None)
    raise ValueError("the training data has no .classes (a workbench.data.Classes); use a workbench dataset or set "
                     "dataset.classes = Classes(names=..., colors=...).")


@torch.no_grad()
def _check_num_classes(model: nn.Module, num_classes: int, runtime: Runtime) -> None:
    was_training = model.training
    model.eval()
    probe = torch.zeros(1, 3, 64, 64, device=runtime.device)
    with runtime.autocast():
        channels = model(probe).shape[1]
    model.train(was_training)
    if channels != num_classes:
        raise ValueError(f"the model predicts {channels} classes but the data has {num_classes}; build the model "
                         f"with num_classes={num_classes}.")


def _run_info(ctx: _Context, model_spec) -> dict:
    runtime = ctx.runtime
    return {
        "config": ctx.config.to_dict(),
        "model": model_spec,
        "architecture": type(ctx.model).__name__,
        "parameters": sum(p.numel() for p in ctx.model.parameters()),
        "num_classes": ctx.classes.num_classes,
        "class_names": list(ctx.classes.names),
        "runtime": {"device": str(runtime.device), "precision": runtime.precision, "channels_last": runtime.channels_last,
                    "world_size": ctx.dist.world_size, "torch": torch.__version__, "python": platform.python_version()},
    }
