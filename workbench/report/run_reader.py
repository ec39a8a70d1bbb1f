"""Read a run folder back: the comparison table, each model's history, per-class table and config.

A run folder is what ``workbench.engine.compare`` writes (``comparison.csv``, ``chance.json`` and one
folder per model), or a single model's folder from ``fit``. A model folder holds ``config.json``,
``classes.json``, ``history.csv`` and, once validated, ``scores.json``, ``per_class.csv`` and
``last.safetensors`` / ``best.safetensors``. Confusion matrices and predictions are not stored, so
``replay_models`` recomputes them from the saved weights and the validation data.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.classes import Classes
from workbench.engine import create_eval_loader, create_runtime, dataset_classes, load_model, predict
from workbench.metrics import Scores, SegmentationEvaluator

MODEL_FILES = ("config.json", "classes.json", "history.csv")  # what makes a folder a model's run folder


class RunFolderError(ValueError):
    """A folder that is not a run folder written by ``workbench.engine.fit`` or ``compare``."""


@dataclass(frozen=True)
class RunSummary:
    """What a run folder holds, read once.

    Attributes:
        path: the run folder.
        models: model names (sub-folder names; a single-model folder's own name), in comparison order.
        classes: the classes the models predict (``classes.json``).
        comparison: ``comparison.csv`` (one row per model) with its header comments in ``attrs``, or None.
        chance: ``chance.json``'s mIoU of chance predictors, or None.
        histories: model -> ``history.csv`` (one row per epoch).
        per_class: model -> ``per_class.csv`` (``Scores.table()``), absent for a model never validated.
        configs: model -> ``config.json`` (TrainConfig, model spec, runtime).
        model_dirs: model -> its folder.
    """

    path: Path
    models: tuple[str, ...]
    classes: Classes
    comparison: pd.DataFrame | None
    chance: dict | None
    histories: dict[str, pd.DataFrame]
    per_class: dict[str, pd.DataFrame]
    configs: dict[str, dict]
    model_dirs: dict[str, Path]


def read_table_csv(path: str | Path) -> pd.DataFrame:
    """Read a table written by ``export_table(df, "x.csv")``: its ``# key: value`` lines become ``attrs``.

    Unlike ``pd.read_csv(path, comment="#")`` this keeps a ``#`` inside a cell, and strings such as
    ``"NA"`` or ``"None"`` stay strings (only empty cells and ``NaN`` are missing values).
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    header = list(_leading(lines, "# "))
    table = pd.read_csv(io.StringIO("".join(lines[len(header):])), keep_default_na=False, na_values=["", "NaN", "nan"])
    for line in header:
        key, _, value = line[2:].rstrip("\n").partition(": ")
        table.attrs[key] = value
    return table


def _leading(lines: list[str], prefix: str):
    for line in lines:
        if not line.startswith(prefix):
            return
        yield line


def read_run(run_dir: str | Path) -> RunSummary:
    """Read a comparison folder (``compare``) or one model's run folder (``fit``).

    Raises:
        RunFolderError: ``run_dir`` is missing or holds no model folder; the message lists the files expected.
    """
    path = Path(run_dir)
    model_dirs = _model_dirs(path)
    comparison = read_table_csv(path / "comparison.csv") if (path / "comparison.csv").is_file() else None
    if comparison is not None and "model" in comparison.columns:  # the comparison's order, then any others
        listed = [str(m) for m in comparison["model"] if str(m) in model_dirs]
        model_dirs = {m: model_dirs[m] for m in listed + sorted(set(model_dirs) - set(listed))}
    chance = json.loads((path / "chance.json").read_text()).get("miou") if (path / "chance.json").is_file() else None
    first = next(iter(model_dirs.values()))
    return RunSummary(
        path=path, models=tuple(model_dirs), classes=Classes.from_json(first / "classes.json"), comparison=comparison,
        chance=chance, histories={m: pd.read_csv(d / "history.csv") for m, d in model_dirs.items()},
        per_class={m: read_table_csv(d / "per_class.csv") for m, d in model_dirs.items()
                   if (d / "per_class.csv").is_file()},
        configs={m: json.loads((d / "config.json").read_text()) for m, d in model_dirs.items()}, model_dirs=model_dirs,
    )  # fmt: skip


def _model_dirs(path: Path) -> dict[str, Path]:
    if _is_model_dir(path):
        return {path.resolve().name: path}
    found = {d.name: d for d in sorted(path.iterdir()) if _is_model_dir(d)} if path.is_dir() else {}
    if not found:
        raise RunFolderError(
            f"{path} is not a run folder: expected {', '.join(MODEL_FILES)} in it (one model's run, from fit) or in "
            f"its sub-folders (a comparison, from compare, with comparison.csv beside them). Give the folder passed "
            f"as out_dir / --out to `workbench train` or `workbench compare`."
        )
    return found


def _is_model_dir(path: Path) -> bool:
    return path.is_dir() and all((path / name).is_file() for name in MODEL_FILES)


@dataclass(frozen=True)
class ModelReplay:
    """One model's saved weights run again on the validation data.

    Attributes:
        scores: ``workbench.metrics.Scores`` of the whole data (its ``confusion`` is ``(C, C)`` int64).
        preds: class maps ``(H, W)`` of the first gallery images.
    """

    scores: Scores
    preds: list[np.ndarray]


def replay_models(run: RunSummary, data, *, gallery_size: int = 4, weights: str = "last",
                  device: str = "cpu") -> dict[str, ModelReplay]:
    """Load each model's ``<weights>.safetensors`` and score it on ``data`` (models without that file are skipped).

    Args:
        run: from :func:`read_run`.
        data: the validation dataset of ``(image (3, H, W), mask (H, W))`` with the run's classes.
        gallery_size: images (from the start of ``data``) whose predictions are kept.
        weights: ``"last"`` (the weights ``scores.json`` describes) or ``"best"`` (highest validation mIoU).
        device: ``"cpu"``, ``"cuda"`` or ``"auto"``; scoring runs in float32.
    """
    if weights not in ("last", "best"):
        raise ValueError(f"weights={weights!r}: choose 'last' (the weights scores.json describes) or 'best'.")
    if list(dataset_classes(data).names) != list(run.classes.names):
        raise ValueError(f"the data's classes {list(dataset_classes(data).names)} differ from the run's "
                         f"{list(run.classes.names)}; pass the validation data the run was trained with.")
    runtime = create_runtime(device=device, precision="fp32", channels_last=False)
    classes = dataset_classes(data)
    replays = {}
    for name, folder in run.model_dirs.items():
        if (folder / f"{weights}.safetensors").is_file():
            model = runtime.prepare_model(load_model(folder / f"{weights}.safetensors"))
            evaluator = SegmentationEvaluator(classes.num_classes, classes.ignore_index, device=runtime.device)
            preds = predict(model, create_eval_loader(data, batch_size=8), evaluator, runtime=runtime, keep_masks=True,
                            reduce=False)
            replays[name] = ModelReplay(evaluator.compute(), preds.masks[:gallery_size])
    return replays
