"""``fit``: train a model for a fixed budget, validate it, and keep a run folder that is an evaluation record.

As in torchvision's ``references/segmentation/train.py``: ``fit`` shows the epoch loop (train one epoch,
validate when due, save), the pieces (runtime, loaders, loss, schedule, checkpoints) are plain functions
from the neighbouring files. The last validation keeps its predictions and writes the record files
(``workbench.records``) next to the checkpoints, once, after the last checkpoint.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader

from workbench.data.classes import Classes
from workbench.data.data_info import data_stems, dataset_classes, describe_data
from workbench.data.groups import image_groups
from workbench.engine import distributed
from workbench.engine.checkpoint import load_checkpoint, non_finite_names
from workbench.engine.config import TrainConfig
from workbench.engine.loaders import create_eval_loader, create_train_loader
from workbench.engine.loop import TrainingDiverged, train_one_epoch
from workbench.engine.losses import create_loss
from workbench.engine.predict import predict
from workbench.engine.progress import RunBar, epoch_desc, run_epochs
from workbench.engine.resume_check import check_resume
from workbench.engine.run_folder import RunFolder, history_frame
from workbench.engine.run_lock import RunLock
from workbench.engine.runtime import Runtime, create_runtime
from workbench.engine.schedule import lr_at
from workbench.engine.scoring import model_source
from workbench.engine.seeding import derive_seed, seed_everything
from workbench.metrics import SegmentationEvaluator
from workbench.models.eval_mode import eval_mode
from workbench.records import RecordError, RecordWriter, is_record, read_record


@dataclass
class _State:
    """What a checkpoint restores: epochs done, steps done, best mIoU, history rows, seconds spent."""

    epoch: int = 0
    step: int = 0
    best_miou: float = -math.inf
    rows: list = field(default_factory=list)
    elapsed: float = 0.0


def fit(
    model: nn.Module,
    train_data,
    val_data,
    config: TrainConfig,
    *,
    log: Callable[[dict], None] | None = None,
    model_spec: dict | None = None,
) -> pd.DataFrame:
    """Train ``model`` on ``train_data``, validating on ``val_data`` after every ``config.eval_every`` epochs.

    Args:
        model: maps images ``(N, 3, H, W)`` to logits ``(N, C, H, W)``; ``C`` must equal the number of classes.
        train_data: dataset of ``(image (3, H, W), mask (H, W))`` with a ``.classes`` attribute.
        val_data: dataset of the same kind, or None to skip validation.
        config: the run's settings; ``config.out_dir`` is the run folder (None keeps nothing).
        log: called with ``{"step", "train_loss", "lr"}`` every ``config.log_every`` steps and with the
            history row at the end of every epoch.
        model_spec: how to rebuild the model, e.g. ``{"name": "unet", "encoder": "resnet18"}``; stored in
            the checkpoints (so that ``load_model`` can recreate it) and in the record.

    Returns:
        The history, one row per epoch: epoch, step, train_loss, val_loss, val_miou, val_pixel_accuracy, lr,
        time (seconds since the run began), images_per_s (training throughput of that epoch).
        ``history.attrs["scores"]`` holds the final weights' ``workbench.metrics.Scores`` (None without
        validation). With a run folder and validation data, the folder is also an evaluation record.

    Raises:
        TrainingDiverged: the training or validation loss, or a weight, became NaN/inf; the last good
            checkpoint and history.csv are kept.
        RunLocked: another process is running in ``config.out_dir``.
        ResumeMismatch: ``config.resume`` with settings other than the run's (only the budget may grow).
    """
    with RunLock(config.out_dir if distributed.current().is_main else None):
        return _fit(model, train_data, val_data, config, log, model_spec)


def _fit(model, train_data, val_data, config: TrainConfig, log, model_spec) -> pd.DataFrame:
    ctx = _setup(model, train_data, val_data, config, log, model_spec)
    state = _resume(ctx) if config.resume else None
    if state is None:
        ctx.run.clear()
        state = _State()
    ctx.run.write_config(_run_info(ctx, model_spec), ctx.classes)
    final = None  # (scores, RecordWriter or None) of the last validation
    bar = RunBar(ctx.label, ctx.total_epochs, done=state.epoch, enabled=config.progress and ctx.dist.is_main)
    try:
        while state.step < ctx.total_steps:
            row, final = _one_epoch(ctx, state, final, bar)
            bar.epoch_done(row)
            if log is not None:
                log(dict(row))
    except BaseException:
        if final is not None and final[1] is not None:
            final[1].abort()  # the staged masks of a record that will not be finished
        raise
    finally:
        bar.close()
    scores = _finish_record(ctx, final)
    distributed.barrier()  # the files are complete before any rank returns
    history = history_frame(state.rows)
    history.attrs["scores"] = scores
    return history


def _one_epoch(ctx: _Context, state: _State, final, bar: RunBar):
    """Train one epoch, validate when due, save; returns the history row and the latest ``(scores, writer)``."""
    config, started, steps_before = ctx.config, time.perf_counter(), state.step
    train_loss = _train_epoch(ctx, state, bar)
    state.epoch += 1
    done = state.step >= ctx.total_steps
    row = {
        "epoch": state.epoch,
        "step": state.step,
        "train_loss": train_loss,
        "lr": ctx.lr_at(state.step - 1),
        "images_per_s": (state.step - steps_before)
        * config.batch_size
        * ctx.dist.world_size
        / (time.perf_counter() - started),
    }
    if ctx.val_loader is not None and (done or state.epoch % config.eval_every == 0):
        bar.validating()
        final = _validate(ctx, row, final=done)
        if not math.isfinite(row.get("val_loss", 0.0)):  # absent on the ranks that skip the final validation
            raise _diverged(ctx, state, row["val_loss"], what="validation loss")
    state.elapsed += time.perf_counter() - started
    row["time"] = state.elapsed
    state.rows.append(row)
    _save(ctx, state, row, save_last=done or state.epoch % config.save_every == 0)
    return row, final


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
    val_data: object
    val_loader: DataLoader | None  # this rank's shard
    run: RunFolder
    meta: dict  # checkpoint metadata shared by every save
    log: Callable | None

    @property
    def total_steps(self) -> int:
        return self.config.max_steps or self.config.epochs * len(self.train_loader)

    @property
    def total_epochs(self) -> int:
        return run_epochs(self.total_steps, len(self.train_loader))

    @property
    def label(self) -> str:
        """The model's name in progress bars (``"train"`` without a ``model_spec``)."""
        return (self.meta.get("model") or {}).get("name", "train")

    def lr_at(self, step: int) -> float:
        cfg = self.config
        return lr_at(
            step, base_lr=cfg.lr, total_steps=self.total_steps, power=cfg.poly_power, warmup_steps=cfg.warmup_steps
        )


def _setup(model, train_data, val_data, config: TrainConfig, log, model_spec) -> _Context:
    dist = distributed.current()
    runtime = create_runtime(
        device=config.device, precision=config.precision, channels_last=config.channels_last, local_rank=dist.local_rank
    )
    classes = dataset_classes(train_data)
    model = runtime.prepare_model(model)
    _check_num_classes(model, classes.num_classes, runtime)
    criterion = create_loss(config.loss, class_weights=config.class_weights, ignore_index=config.ignore_index)
    shard = {
        "num_workers": config.num_workers,
        "pin_memory": runtime.pin_memory,
        "rank": dist.rank,
        "world_size": dist.world_size,
    }
    train_loader = create_train_loader(train_data, batch_size=config.batch_size, seed=config.seed, **shard)
    val_loader = None if val_data is None else create_eval_loader(val_data, batch_size=config.batch_size, **shard)
    meta = {
        "class_names": list(classes.names),
        "num_classes": classes.num_classes,
        "model": model_spec,
        "config": config.to_dict(),
        "budget_extensions": [],
    }
    return _Context(
        config,
        runtime,
        dist,
        classes,
        model,
        distributed.wrap_model(model, runtime.device),
        criterion.to(runtime.device),
        create_optimizer(model, config),
        runtime.grad_scaler(),
        train_loader,
        val_data,
        val_loader,
        RunFolder(config.out_dir, writable=dist.is_main),
        meta,
        log,
    )


def _train_epoch(ctx: _Context, state: _State, bar: RunBar) -> float:
    """One epoch of ``train_one_epoch`` with the data order and dropout of ``(seed, epoch)``; the mean loss."""
    seed_everything(derive_seed(ctx.config.seed, state.epoch, 1))
    ctx.train_loader.sampler.set_epoch(state.epoch)
    try:
        train_loss, state.step = train_one_epoch(
            ctx.ddp_model,
            ctx.train_loader,
            ctx.optimizer,
            ctx.criterion,
            runtime=ctx.runtime,
            scaler=ctx.scaler,
            lr_fn=ctx.lr_at,
            step=state.step,
            stop_step=ctx.total_steps,
            log_every=ctx.config.log_every,
            log=ctx.log,
            progress=ctx.config.progress and ctx.dist.is_main,
            desc=epoch_desc(ctx.label, state.epoch + 1, ctx.total_epochs),
            bar=bar.steps,
        )
    except TrainingDiverged as err:
        raise _diverged(ctx, state, err.loss, step=err.step, lr=err.lr) from None
    distributed.broadcast_buffers(ctx.model)
    return train_loss


def _validate(ctx: _Context, row: dict, *, final: bool):
    """Score the model on the validation data; fill the row's val_* columns. Returns ``(scores, writer)``.

    Each process scores its shard and the counts are summed, except for the final validation of a run that
    keeps a folder: there the main process alone scores the whole set, streaming every predicted mask into
    the record's ``RecordWriter`` (finished by ``_finish_record`` once the last checkpoint is saved; other
    processes return None).
    """
    keep = final and ctx.run.path is not None  # the same on every rank: the others skip it together
    if keep and not ctx.dist.is_main:
        return None
    loader = create_eval_loader(ctx.val_data, batch_size=ctx.config.batch_size) if keep else ctx.val_loader
    evaluator = SegmentationEvaluator(
        ctx.classes.num_classes,
        ctx.config.ignore_index,
        device=ctx.runtime.device,
        per_image=keep,
        distances=keep and ctx.config.distances,
        errors=keep and ctx.config.errors,
        tolerances=keep and ctx.config.tolerances,
    )
    writer = None
    if keep and ctx.run.writable:
        writer = RecordWriter(
            ctx.run.path, ctx.classes, data_stems(ctx.val_data), owned=True, groups=image_groups(ctx.val_data)
        )
    try:
        loss = predict(
            ctx.model,
            loader,
            evaluator,
            runtime=ctx.runtime,
            criterion=ctx.criterion,
            reduce=not keep,
            sink=None if writer is None else writer.add_masks,
        )  # no bar: the run bar says "validating"
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    scores = evaluator.compute()
    row.update(val_loss=loss, val_miou=float(scores.miou), val_pixel_accuracy=float(scores.pixel_accuracy))
    return scores, writer


def _finish_record(ctx: _Context, final):
    """Write the run folder's record from the final validation; the scores of the final weights (or None).

    A resumed run whose training was already complete has no final validation in this call: its record is
    read back, or, when the previous process stopped before writing it, computed now from ``last``.
    """
    run = ctx.run
    if final is None and run.writable and ctx.val_data is not None and run.last.is_file():
        if is_record(run.path):
            try:
                return read_record(run.path).scores
            except RecordError:  # damaged or changed since: evaluate the final weights again
                pass
        final = _validate(ctx, {}, final=True)
    if final is None:
        return None
    scores, writer = final
    if writer is not None:
        source = model_source(ctx.model, ctx.meta["model"], run.last)
        source["weights"] = run.last.name  # relative: the checkpoint sits in the record folder
        with writer:
            writer.finish(source=source, data=describe_data(ctx.val_data), scores=scores)
    return scores


def _diverged(ctx: _Context, state: _State, loss: float, *, what: str = "training loss", step=None, lr=None):
    """The TrainingDiverged to raise: names the last good checkpoint and carries the completed epochs' history."""
    saved = ctx.run.last if ctx.run.last is not None and ctx.run.last.is_file() else None
    step = state.step if step is None else step
    return TrainingDiverged(
        step,
        loss,
        ctx.lr_at(max(step - 1, 0)) if lr is None else lr,
        checkpoint=saved,
        history=history_frame(state.rows),
        what=what,
    )


def _save(ctx: _Context, state: _State, row: dict, *, save_last: bool) -> None:
    """history.csv, then ``best`` (when improved), then ``last``: ``last`` is written once all else of the epoch
    is, so a run killed anywhere in here resumes from the previous ``last`` and redoes the whole epoch."""
    bad = non_finite_names(ctx.model.state_dict())
    if bad:  # e.g. a BatchNorm running_var that overflowed while the loss stayed finite
        state.rows.pop()
        raise _diverged(ctx, state, math.nan, what=f"the weights ({', '.join(bad[:3])})")
    ctx.run.write_history(state.rows)
    miou = row.get("val_miou", math.nan)
    improved = not math.isnan(miou) and miou > state.best_miou
    state.best_miou = miou if improved else state.best_miou
    best = state.best_miou if math.isfinite(state.best_miou) else None  # strict JSON: no -Infinity
    meta = {**ctx.meta, "epoch": state.epoch, "step": state.step, "best_miou": best, "elapsed": state.elapsed}
    if improved:
        ctx.run.save("best", ctx.model, meta=meta)
    if save_last:
        ctx.run.save("last", ctx.model, optimizer=ctx.optimizer, scaler=ctx.scaler, meta=meta)


def _resume(ctx: _Context) -> _State | None:
    """State from ``last.safetensors`` (weights and optimizer loaded in place), or None without one."""
    run = ctx.run
    if run.last is None or not run.last.is_file():
        return None
    info = load_checkpoint(
        run.last, ctx.model, optimizer=ctx.optimizer, scaler=ctx.scaler, class_names=ctx.classes.names
    )
    extension = check_resume(
        run.last,
        info.get("config"),
        ctx.config,
        steps_per_epoch=len(ctx.train_loader),
        step=info["step"],
        saved_model=info.get("model"),
        model=ctx.meta["model"],
    )
    ctx.meta["budget_extensions"] = list(info.get("budget_extensions") or []) + ([extension] if extension else [])
    best = info.get("best_miou")
    return _State(
        epoch=info["epoch"],
        step=info["step"],
        best_miou=-math.inf if best is None else best,
        rows=run.read_history(info["epoch"]),
        elapsed=info.get("elapsed", 0.0),
    )


def create_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD with momentum or AdamW over all parameters, as ``config.optimizer`` says."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(), lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
        )
    return torch.optim.AdamW(
        model.parameters(), lr=config.lr, betas=(config.momentum, 0.999), weight_decay=config.weight_decay
    )


@torch.no_grad()
def _check_num_classes(model: nn.Module, num_classes: int, runtime: Runtime) -> None:
    probe = torch.zeros(1, 3, 64, 64, device=runtime.device)
    with eval_mode(model), runtime.autocast():
        channels = model(probe).shape[1]
    if channels != num_classes:
        raise ValueError(
            f"the model predicts {channels} classes but the data has {num_classes}; build the model "
            f"with num_classes={num_classes}."
        )


def _run_info(ctx: _Context, model_spec) -> dict:
    runtime = ctx.runtime
    return {
        "config": ctx.config.to_dict(),
        "budget_extensions": ctx.meta["budget_extensions"],  # resumes that gave the run more epochs or steps
        "model": model_spec,
        "architecture": type(ctx.model).__name__,
        "parameters": sum(p.numel() for p in ctx.model.parameters()),
        "num_classes": ctx.classes.num_classes,
        "class_names": list(ctx.classes.names),
        "runtime": {
            "device": str(runtime.device),
            "precision": runtime.precision,
            "channels_last": runtime.channels_last,
            "world_size": ctx.dist.world_size,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
    }
