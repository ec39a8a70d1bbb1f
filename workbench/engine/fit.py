"""``fit``: train a model for a budget of steps or minutes, validate it, and keep a run folder that is an
evaluation record.

As in torchvision's ``references/segmentation/train.py``, ``fit`` shows the whole loop in one screen: build
the pieces (runtime, loaders, loss, optimizer, schedule), resume or start the run folder, then per epoch
train, validate when due and save. The run folder (``RunFolder``: checkpoints, history, resume, the error of
a diverged run, the record) is one object; the last validation streams its predictions into the record,
finished once after the last checkpoint. With ``config.minutes`` a warm-up plans the steps and a deadline
ends the training on time (``minutes.py``). ``train_model`` is what the command line and ``compare`` call:
seed, create the model by name, fit.
"""

from __future__ import annotations

import functools
import platform
import time
from collections.abc import Callable

import pandas as pd
import torch
from torch import nn

from workbench.data.classes import Classes
from workbench.data.data_info import dataset_classes
from workbench.engine import distributed
from workbench.engine.config import TrainConfig
from workbench.engine.diverged import TrainingDiverged
from workbench.engine.loaders import create_eval_loader, create_train_loader
from workbench.engine.loop import train_one_epoch
from workbench.engine.losses import create_loss
from workbench.engine.minutes import Deadline, kept_threads, machine_load, plan_run, training_note
from workbench.engine.predict import predict
from workbench.engine.progress import RunBar, epoch_desc, run_epochs
from workbench.engine.run_folder import RunFolder
from workbench.engine.run_lock import RunLock
from workbench.engine.runtime import Runtime, create_runtime
from workbench.engine.schedule import lr_at
from workbench.engine.seeding import derive_seed, seed_everything
from workbench.metrics import SegmentationEvaluator
from workbench.models import create_model
from workbench.models.eval_mode import eval_mode


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
        validation), ``history.attrs["parameters"]`` the model's parameter count, ``history.attrs["training"]``
        the steps done in how many seconds (with ``config.minutes``, the plan too) and a ``note`` that says it.
        With a run folder and validation data, the folder is also an evaluation record.

    Raises:
        TrainingDiverged: the training or validation loss, or a weight, became NaN/inf; the last good
            checkpoint and history.csv are kept.
        RunLocked: another process is running in ``config.out_dir``.
        ResumeMismatch: ``config.resume`` with settings other than the run's (only the budget may grow).
    """
    dist, started_at = distributed.current(), time.perf_counter()
    with RunLock(config.out_dir if dist.is_main else None), kept_threads():
        deadline = None if config.minutes is None else Deadline(60 * config.minutes)
        runtime = create_runtime(
            device=config.device,
            precision=config.precision,
            channels_last=config.channels_last,
            local_rank=dist.local_rank,
        )
        classes = dataset_classes(train_data)
        model = runtime.prepare_model(model)
        _check_num_classes(model, classes.num_classes, runtime)
        criterion = create_loss(config.loss, class_weights=config.class_weights, ignore_index=config.ignore_index)
        criterion = criterion.to(runtime.device)
        optimizer, scaler = create_optimizer(model, config), runtime.grad_scaler()
        train_loader, val_loader, full_val_loader = _loaders(train_data, val_data, config, runtime, dist)
        budget_steps = config.max_steps or config.epochs * len(train_loader)
        meta = _checkpoint_meta(config, classes, model_spec)
        run = RunFolder(
            config.out_dir, model=model, optimizer=optimizer, scaler=scaler, meta=meta, writable=dist.is_main
        )
        if not (config.resume and run.resume(config, steps_per_epoch=len(train_loader), class_names=classes.names)):
            run.clear()
        if deadline is not None and run.step == 0:  # a resumed run keeps its plan, and so its schedule
            run.meta["plan"] = plan_run(deadline, config, budget_steps, model, (train_loader, val_loader, full_val_loader),
                                        optimizer, criterion, runtime=runtime, scaler=scaler)  # fmt: skip
        total_steps = (run.meta.get("plan") or {}).get("planned_steps", budget_steps)
        lr_fn = functools.partial(
            lr_at, base_lr=config.lr, total_steps=total_steps, power=config.poly_power, warmup_steps=config.warmup_steps
        )
        run.write_config(_run_info(run, config, classes, runtime, dist.world_size), classes)
        label, epochs = (model_spec or {}).get("name", "train"), run_epochs(total_steps, len(train_loader))
        bar = RunBar(label, epochs, done=run.epoch, enabled=config.progress and dist.is_main)
        ddp_model, scores, done = distributed.wrap_model(model, runtime.device), None, run.step >= total_steps
        try:
            while not done:
                started, steps_before = time.perf_counter(), run.step
                seed_everything(derive_seed(config.seed, run.epoch, 1))  # data order and dropout of (seed, epoch)
                train_loader.sampler.set_epoch(run.epoch)
                try:
                    train_loss, step = train_one_epoch(
                        ddp_model, train_loader, optimizer, criterion, runtime=runtime, scaler=scaler,
                        lr_fn=lr_fn, step=run.step, stop_step=total_steps, log_every=config.log_every, log=log,
                        progress=config.progress and dist.is_main, desc=epoch_desc(label, run.epoch + 1, epochs),
                        bar=bar.steps, deadline=deadline,
                    )  # fmt: skip
                except TrainingDiverged as err:
                    raise run.diverged(err.loss, step=err.step, lr=err.lr) from None
                distributed.broadcast_buffers(model)
                seconds = time.perf_counter() - started
                done = step >= total_steps or (deadline is not None and deadline.passed())  # stop on time
                row = {"epoch": run.epoch + 1, "step": step, "train_loss": train_loss, "lr": lr_fn(step - 1)}
                row["images_per_s"] = (step - steps_before) * config.batch_size * dist.world_size / seconds
                if val_loader is not None and (done or row["epoch"] % config.eval_every == 0):
                    bar.validating()
                    keep = done and run.path is not None  # the record's validation: the main process, all images
                    scores = None  # the other processes skip the record's validation together
                    if dist.is_main or not keep:
                        sink = run.start_record(classes, val_data) if keep else None
                        loader = full_val_loader if keep else val_loader
                        scores = _validate(model, loader, criterion, runtime, config, classes, row, sink=sink)
                run.end_epoch(
                    row, time.perf_counter() - started, save_last=done or row["epoch"] % config.save_every == 0
                )
                bar.epoch_done(row)
                if log is not None:
                    log(dict(row))
            if scores is None and run.needs_scores(val_data):  # resumed after its training was complete
                scores = run.saved_scores()
                if scores is None:  # the previous process stopped before writing its record
                    sink = run.start_record(classes, val_data)
                    scores = _validate(model, full_val_loader, criterion, runtime, config, classes, {}, sink=sink)
            training = _training(run, config, budget_steps, total_steps, time.perf_counter() - started_at)
            run.finish(scores, val_data, training=training)
        except BaseException:
            run.abort()
            raise
        finally:
            bar.close()
        distributed.barrier()  # the files are complete before any rank returns
        history = run.history()
        history.attrs.update(scores=scores, training=training)
        return history


def train_model(
    name: str,
    train_data,
    val_data,
    config: TrainConfig,
    *,
    encoder: str = "resnet18",
    log: Callable[[dict], None] | None = None,
) -> pd.DataFrame:
    """Seed, create the registered model ``name`` for the data's classes, and ``fit`` it.

    The seed is set first, so that a model starts from the same weights on every process, in every run
    and whatever was trained before it (``compare`` trains several in turn). Returns ``fit``'s history.
    """
    seed_everything(config.seed)
    model = create_model(name, dataset_classes(train_data).num_classes, encoder=encoder)
    return fit(model, train_data, val_data, config, log=log, model_spec={"name": name, "encoder": encoder})


def _training(run: RunFolder, config: TrainConfig, budget_steps: int, planned_steps: int, seconds: float) -> dict:
    """What the run did with its time (``history.attrs["training"]``, the record's ``source["training"]``):
    steps done, wall seconds of this call, the fixed budget, and for a run in minutes the plan and whether
    the deadline stopped it; ``note`` says it in a sentence (``minutes.training_note``)."""
    plan = run.meta.get("plan") or {}
    training = {"steps": run.step, "seconds": seconds, "budget_steps": budget_steps, "minutes": config.minutes}
    if config.minutes is not None:
        training.update(
            planned_steps=planned_steps,
            step_seconds=plan.get("step_seconds"),
            stopped_at_deadline=run.step < planned_steps,
            load=machine_load(),
        )
    return {**training, "note": training_note(training)}


def _loaders(train_data, val_data, config: TrainConfig, runtime: Runtime, dist):
    """The training loader and the validation loader of this process's shard, and the whole validation set's
    loader (the record's validation, on the main process)."""
    common = {"batch_size": config.batch_size, "num_workers": config.num_workers, "pin_memory": runtime.pin_memory}
    shard = {**common, "rank": dist.rank, "world_size": dist.world_size}
    train_loader = create_train_loader(train_data, seed=config.seed, **shard)
    if val_data is None:
        return train_loader, None, None
    return train_loader, create_eval_loader(val_data, **shard), create_eval_loader(val_data, **common)


def _validate(model, loader, criterion, runtime: Runtime, config: TrainConfig, classes: Classes, row: dict, *, sink):
    """Score the model on ``loader``; fill the row's val_* columns and return the ``Scores``.

    Without a ``sink`` each process scores its shard and the counts are summed. With one (the final
    validation of a run that keeps a folder, on the main process alone) the whole set is scored with the
    record's per-image statistics, and every predicted mask is streamed into the record.
    """
    keep = sink is not None
    evaluator = SegmentationEvaluator(
        classes.num_classes,
        config.ignore_index,
        device=runtime.device,
        per_image=keep,
        distances=keep and config.distances,
        errors=keep and config.errors,
        tolerances=keep and config.tolerances,
    )
    loss = predict(model, loader, evaluator, runtime=runtime, criterion=criterion, reduce=not keep, sink=sink)
    scores = evaluator.compute()  # no bar of its own: the run bar says "validating"
    row.update(val_loss=loss, val_miou=float(scores.miou), val_pixel_accuracy=float(scores.pixel_accuracy))
    return scores


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


def _checkpoint_meta(config: TrainConfig, classes: Classes, model_spec) -> dict:
    """What every checkpoint of the run carries besides the weights and its epoch and step."""
    return {
        "class_names": list(classes.names),
        "num_classes": classes.num_classes,
        "model": model_spec,
        "config": config.to_dict(),
        "budget_extensions": [],
    }


def _run_info(run: RunFolder, config: TrainConfig, classes: Classes, runtime: Runtime, world_size: int) -> dict:
    """``config.json``: the settings, the model, the classes and the machine."""
    return {
        "config": config.to_dict(),
        "budget_extensions": run.meta["budget_extensions"],  # resumes that gave the run more epochs or steps
        "plan": run.meta.get("plan"),  # a run in minutes: its warm-up's speeds and planned steps
        "model": run.meta["model"],
        "architecture": type(run.model).__name__,
        "parameters": sum(p.numel() for p in run.model.parameters()),
        "num_classes": classes.num_classes,
        "class_names": list(classes.names),
        "runtime": {
            "device": str(runtime.device),
            "precision": runtime.precision,
            "channels_last": runtime.channels_last,
            "world_size": world_size,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
    }
