"""``compare``: train several models under one budget and seed, and tabulate how they score.

Each model trains in its own run folder ``out_dir/<name>/`` (a record: see ``workbench.records``) with the
same ``TrainConfig``; the comparison folder gets the tables of ``comparison.write_comparison``, made from
those records.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from workbench.engine import distributed
from workbench.engine.comparison import comparison_table, write_comparison
from workbench.engine.config import TrainConfig
from workbench.engine.data_info import dataset_classes
from workbench.engine.fit import fit
from workbench.engine.loop import TrainingDiverged
from workbench.engine.progress import CompareBar
from workbench.engine.run_lock import RunLock
from workbench.engine.sampling import seed_everything, train_steps_per_epoch
from workbench.models import create_model, list_models
from workbench.records import is_record, read_record

SETTINGS = ("seed", "epochs", "max_steps", "batch_size", "optimizer", "lr", "loss")  # TrainConfig fields in the table


def compare(model_names: Sequence[str], train_data, val_data, config: TrainConfig, *, out_dir: str | Path | None = None,
            encoder: str = "resnet18", log: Callable[[dict], None] | None = None) -> pd.DataFrame:
    """Train each model with the same config and seed (so the same data order) and score it on ``val_data``.

    Args:
        model_names: names from ``workbench.models.list_models()``.
        train_data, val_data: datasets of ``(image (3, H, W), mask (H, W))`` with ``.classes``.
        config: the shared budget; ``config.out_dir`` is used when ``out_dir`` is None.
        out_dir: comparison folder (None writes nothing).
        encoder: backbone of every model that has one.
        log: passed to ``fit``; records also carry ``"model"``.

    Progress (``config.progress``): a bar over the steps of all models, "model k of N: name", whose time
    estimate covers the whole comparison, with each finished model's validation mIoU; inside it ``fit``'s
    bars.

    Returns:
        One row per model (index ``model``): status (``"ok"`` or ``"diverged"``), parameters, train_time_s,
        images_per_s, epochs, steps, the scalar keys of ``Scores.as_dict()`` and ``note`` (the near-chance
        flag, see ``comparison_table``). ``df.attrs`` holds the
        chance levels of ``chance_miou`` and the settings.
    """
    check_model_names(model_names)  # before training anything
    folder = out_dir if out_dir is not None else config.out_dir
    out = None if folder is None else Path(folder)
    with RunLock(out if distributed.current().is_main else None):  # one comparison per folder
        classes = dataset_classes(train_data)
        rows, scores = {}, {}
        bar = CompareBar(model_names, _steps_per_model(config, len(train_data)),
                         enabled=config.progress and distributed.current().is_main)
        try:
            for index, name in enumerate(model_names):
                seed_everything(config.seed)  # the same initial weights whatever the order of the models
                model = create_model(name, classes.num_classes, encoder=encoder)
                run_config = dataclasses.replace(config, out_dir=None if out is None else str(out / name))
                rows[name], history = _train(model, name, encoder, train_data, val_data, run_config,
                                             bar.model_log(index, log))
                if history.attrs.get("scores") is not None:
                    scores[name] = history.attrs["scores"]
                bar.model_done(index, scores[name].miou if name in scores else None)
        finally:
            bar.close()
        settings = (f"Trained under one budget and seed ({config.loss} loss, {config.optimizer}, lr {config.lr}, batch "
                    f"{config.batch_size}).")
        table = comparison_table(scores, rows, settings=settings, ignore_index=config.ignore_index)
        table.attrs.update({k: getattr(config, k) for k in SETTINGS})
        if out is not None and distributed.current().is_main:
            records = {name: read_record(out / name) for name in model_names if is_record(out / name)}
            write_comparison(out, table, records)
        return table


def check_model_names(model_names: Sequence[str]) -> None:
    """Raise a ValueError listing every unknown name (and the valid ones) at once."""
    unknown = [name for name in model_names if name not in list_models()]
    if unknown:
        raise ValueError(f"compare: unknown models {unknown}; choose from {list_models()}.")


def _steps_per_model(config: TrainConfig, num_train: int) -> int:
    """Optimizer steps of each model's run, as ``fit`` counts them."""
    per_epoch = train_steps_per_epoch(num_train, config.batch_size, distributed.current().world_size)
    return config.max_steps or config.epochs * per_epoch


def _train(model, name, encoder, train_data, val_data, config, log) -> tuple[dict, pd.DataFrame]:
    started = time.perf_counter()
    status = "ok"
    try:
        history = fit(model, train_data, val_data, config, log=log, model_spec={"name": name, "encoder": encoder})
    except TrainingDiverged as err:
        status, history = "diverged", err.history
    row = {"status": status, "parameters": sum(p.numel() for p in model.parameters()),
           "train_time_s": time.perf_counter() - started,
           "images_per_s": history["images_per_s"].mean() if len(history) else np.nan,
           "epochs": int(history["epoch"].iloc[-1]) if len(history) else 0,
           "steps": int(history["step"].iloc[-1]) if len(history) else 0}
    return row, history
