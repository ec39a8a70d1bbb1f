"""``compare``: train several models under one budget and seed, and tabulate how they score.

Each model trains in its own run folder ``out_dir/<name>/`` (a record: see ``workbench.records``) with the
same ``TrainConfig``; the comparison folder gets the tables of ``records.write_comparison``, made from
those records. With ``seeds``, the whole comparison runs once per seed, each in its own comparison folder
``out_dir/seed-<k>/``, and ``out_dir/seeds.{csv,md}`` summarises them (``seed_summary``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.groups import image_groups
from workbench.engine import distributed
from workbench.engine.config import TrainConfig
from workbench.engine.diverged import TrainingDiverged
from workbench.engine.fit import train_model
from workbench.engine.loaders import train_steps_per_epoch
from workbench.engine.progress import CompareBar
from workbench.engine.run_lock import RunLock
from workbench.engine.seed_summary import seed_folder, seed_summary, write_seed_summary
from workbench.metrics import comparison_table
from workbench.models import list_models
from workbench.records import is_record, read_record, write_comparison

SETTINGS = (
    "epochs",
    "max_steps",
    "minutes",
    "batch_size",
    "optimizer",
    "lr",
    "loss",
)  # TrainConfig fields in the table


def compare(
    model_names: Sequence[str],
    train_data,
    val_data,
    config: TrainConfig,
    *,
    out_dir: str | Path | None = None,
    encoder: str = "resnet18",
    log: Callable[[dict], None] | None = None,
    seeds: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Train each model with the same config and seed (so the same data order) and score it on ``val_data``.

    Args:
        model_names: names from ``workbench.models.list_models()``.
        train_data: a dataset of ``(image (3, H, W), mask (H, W))`` with ``.classes``.
        val_data: the validation dataset, of the same kind.
        config: the shared budget; ``config.out_dir`` is used when ``out_dir`` is None.
        out_dir: comparison folder (None writes nothing).
        encoder: backbone of every model that has one.
        log: passed to ``fit``; records also carry ``"model"`` (and ``"seed"`` with ``seeds``).
        seeds: None (one comparison under ``config.seed``), or training seeds: the comparison is repeated
            under each (same budget), each seed's runs in the comparison folder ``out_dir/seed-<k>/``.

    Progress (``config.progress``): a bar over the steps of all models, "model k of N: name", whose time
    estimate covers the whole comparison, with each finished model's validation mIoU; inside it ``fit``'s
    bars.

    Returns:
        One row per model (index ``model``): status (``"ok"`` or ``"diverged"``), parameters, train_time_s,
        images_per_s, epochs, steps, the scalar keys of ``Scores.as_dict()``, the headline scores' bootstrap
        intervals (``<key>_low`` / ``<key>_high``, for runs with a folder) and ``note`` (the near-chance
        flag, see ``comparison_table``). ``df.attrs`` holds the chance levels of ``chance_miou``, the
        training settings (``train_seed``, epochs, ...), ``training`` (each model's sentence on the steps it
        did in how many minutes: ``minutes.training_note``) and the bootstrap's ``method``, ``resamples``,
        ``level`` and ``seed``.
        With ``seeds``: ``seed_summary`` of the seeds' tables, one row per model (mean and standard
        deviation over seeds next to the first seed's bootstrap interval), also written to
        ``out_dir/seeds.{csv,md}``; each seed's own table is ``out_dir/seed-<k>/comparison.csv``.
    """
    check_model_names(model_names)  # before training anything
    folder = out_dir if out_dir is not None else config.out_dir
    out = None if folder is None else Path(folder)
    if seeds is not None:
        return _compare_seeds(model_names, train_data, val_data, config, out, encoder, log, seeds)
    return _compare_one(model_names, train_data, val_data, config, out, encoder, log)


def _compare_seeds(
    model_names, train_data, val_data, config: TrainConfig, out: Path | None, encoder, log, seeds: Sequence[int]
) -> pd.DataFrame:
    seeds = [int(seed) for seed in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"compare: seeds {seeds} must be one or more distinct integers, e.g. seeds=(0, 1, 2).")
    with RunLock(out if distributed.current().is_main else None):
        tables = {}
        for seed in seeds:
            seed_log = None if log is None else (lambda record, seed=seed: log({**record, "seed": seed}))
            tables[seed] = _compare_one(
                model_names,
                train_data,
                val_data,
                dataclasses.replace(config, seed=seed),
                None if out is None else seed_folder(out, seed),
                encoder,
                seed_log,
            )
        summary = seed_summary(tables)
        if out is not None and distributed.current().is_main:
            write_seed_summary(out, summary)
        return summary


def _compare_one(
    model_names, train_data, val_data, config: TrainConfig, out: Path | None, encoder, log
) -> pd.DataFrame:
    """One comparison under ``config.seed`` in the folder ``out`` (None: nothing written)."""
    with RunLock(out if distributed.current().is_main else None):  # one comparison per folder
        rows, scores, training = {}, {}, {}
        bar = CompareBar(
            model_names,
            _steps_per_model(config, len(train_data)),
            enabled=config.progress and distributed.current().is_main,
        )
        try:
            for index, name in enumerate(model_names):
                run_config = dataclasses.replace(config, out_dir=None if out is None else str(out / name))
                rows[name], history = _train(name, encoder, train_data, val_data, run_config, bar.model_log(index, log))
                training[name] = history.attrs.get("training", {}).get("note", "diverged")
                if history.attrs.get("scores") is not None:
                    scores[name] = history.attrs["scores"]
                bar.model_done(index, scores[name].miou if name in scores else None)
        finally:
            bar.close()
        settings = (
            f"Trained under one budget and seed (seed {config.seed}, {config.loss} loss, {config.optimizer}, lr {config.lr}, batch "
            f"{config.batch_size})."
        )
        table = comparison_table(
            scores, rows, settings=settings, ignore_index=config.ignore_index, groups=image_groups(val_data)
        )
        table.attrs.update({k: getattr(config, k) for k in SETTINGS}, train_seed=config.seed, training=training)
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


def _train(name, encoder, train_data, val_data, config, log) -> tuple[dict, pd.DataFrame]:
    """``train_model`` one model; its row of the comparison table and its history (a diverged run's too)."""
    started = time.perf_counter()
    status = "ok"
    try:
        history = train_model(name, train_data, val_data, config, encoder=encoder, log=log)
    except TrainingDiverged as err:
        status, history = "diverged", err.history
    row = {
        "status": status,
        "parameters": history.attrs["parameters"],
        "train_time_s": time.perf_counter() - started,
        "images_per_s": history["images_per_s"].mean() if len(history) else np.nan,
        "epochs": int(history["epoch"].iloc[-1]) if len(history) else 0,
        "steps": int(history["step"].iloc[-1]) if len(history) else 0,
    }
    return row, history
