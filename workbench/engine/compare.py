"""``compare``: train several models under one budget and seed, and tabulate how they score.

Each model trains in its own run folder ``out_dir/<name>/`` with the same ``TrainConfig``; the comparison
folder gets ``comparison.{csv,md,tex,html}`` (one row per model), ``per_class_iou.{csv,md}``,
``chance.json``, ``learning_curves.png`` and ``mask_gallery.png``.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from workbench.engine import distributed
from workbench.records.atomic import atomic_write_json
from workbench.engine.config import TrainConfig
from workbench.engine.fit import dataset_classes, fit
from workbench.engine.loop import TrainingDiverged
from workbench.engine.sampling import seed_everything
from workbench.metrics.scores import AVERAGING, BF_THETA_RULE, BOUNDARY_IOU_RULE
from workbench.models import create_model
from workbench.records import export_table
from workbench.viz import plot_learning_curves, plot_mask_gallery


def compare(model_names: Sequence[str], train_data, val_data, config: TrainConfig, *, out_dir: str | Path | None = None,
            encoder: str = "resnet18", gallery_size: int = 4, log: Callable[[dict], None] | None = None) -> pd.DataFrame:
    """Train each model with the same config and seed (so the same data order) and score it on ``val_data``.

    Args:
        model_names: names from ``workbench.models.list_models()``.
        train_data, val_data: datasets of ``(image (3, H, W), mask (H, W))`` with ``.classes``.
        config: the shared budget; ``config.out_dir`` is used when ``out_dir`` is None.
        out_dir: comparison folder (None writes nothing).
        encoder: backbone of every model that has one.
        gallery_size: validation images shown in ``mask_gallery.png``.
        log: passed to ``fit``; records also carry ``"model"``.

    Returns:
        One row per model (index ``model``): status (``"ok"`` or ``"diverged"``), parameters, train_time_s,
        images_per_s, epochs, steps and the scalar keys of ``Scores.as_dict()``. ``df.attrs`` holds the
        chance levels of ``chance_miou`` and the settings.
    """
    folder = out_dir if out_dir is not None else config.out_dir
    out = None if folder is None else Path(folder)
    classes = dataset_classes(train_data)
    gallery = [val_data[i] for i in range(min(gallery_size, len(val_data)))]
    rows, histories, preds, per_class = [], {}, {}, {}
    for name in model_names:
        seed_everything(config.seed)  # the same initial weights whatever the order of the models
        model = create_model(name, classes.num_classes, encoder=encoder)
        run_config = dataclasses.replace(config, out_dir=None if out is None else str(out / name))
        model_log = None if log is None else (lambda record, name=name: log({"model": name, **record}))
        row, history = _train(model, name, encoder, train_data, val_data, run_config, model_log)
        rows.append(row)
        histories[name] = history
        scores = history.attrs.get("scores")
        if scores is not None:
            per_class[name] = scores.as_dict()["iou"]
        preds[name] = predict(model, [image for image, _ in gallery])
    table = pd.DataFrame(rows).set_index("model")
    table.attrs.update(_table_attrs(config, classes, histories))
    if out is not None and distributed.current().is_main:
        write_comparison(out, table, histories, per_class, classes, gallery, preds)
    return table


def _train(model, name, encoder, train_data, val_data, config, log) -> tuple[dict, pd.DataFrame]:
    started = time.perf_counter()
    status = "ok"
    try:
        history = fit(model, train_data, val_data, config, log=log, model_spec={"name": name, "encoder": encoder})
    except TrainingDiverged as err:
        status, history = "diverged", err.history
    row = {"model": name, "status": status, "parameters": sum(p.numel() for p in model.parameters()),
           "train_time_s": time.perf_counter() - started,
           "images_per_s": history["images_per_s"].mean() if len(history) else np.nan,
           "epochs": int(history["epoch"].iloc[-1]) if len(history) else 0,
           "steps": int(history["step"].iloc[-1]) if len(history) else 0}
    scores = history.attrs.get("scores")
    if scores is not None:
        row.update({k: float(v) for k, v in scores.as_dict().items() if np.ndim(v) == 0})
    return row, history


@torch.no_grad()
def predict(model: torch.nn.Module, images: Sequence[torch.Tensor]) -> list[np.ndarray]:
    """Class maps ``(H, W)`` (uint8 numpy) of ``model`` for images ``(3, H, W)``, one forward each."""
    model.eval()
    device = next(model.parameters()).device
    return [model(image[None].to(device)).argmax(dim=1)[0].to(torch.uint8).cpu().numpy() for image in images]


def chance_miou(class_counts: Sequence[int]) -> dict[str, float]:
    """mIoU of two predictors that ignore the image, from the target's pixel count per class.

    ``majority``: the most frequent class everywhere (IoU n_k / N for it, 0 for the other present classes).
    ``uniform``: a uniformly random class per pixel, scored on its expected confusion matrix
    ``CM[c, j] = n_c / C`` (every class is then predicted somewhere, so all C classes count).
    """
    counts = np.asarray(class_counts, dtype=np.float64)
    total, num_classes = counts.sum(), len(counts)
    if total == 0:
        return {"majority": float("nan"), "uniform": float("nan")}
    majority = counts.max() / total / np.count_nonzero(counts)
    uniform_iou = (counts / num_classes) / (counts + total / num_classes - counts / num_classes)
    return {"majority": float(majority), "uniform": float(uniform_iou.mean())}


def _table_attrs(config: TrainConfig, classes, histories: dict[str, pd.DataFrame]) -> dict:
    """Metadata of the comparison table: budget, conventions (as ``Scores.table()`` states them), chance."""
    attrs = {"ignore_index": config.ignore_index, "boundary_iou_d": BOUNDARY_IOU_RULE, "bf_theta": BF_THETA_RULE,
             "averaging": AVERAGING, "seed": config.seed, "epochs": config.epochs, "max_steps": config.max_steps,
             "batch_size": config.batch_size, "optimizer": config.optimizer, "lr": config.lr, "loss": config.loss}
    chance_text = ""
    for scores in (h.attrs.get("scores") for h in histories.values()):
        if scores is not None:  # the same targets for every model: any model's confusion rows count them
            chance = chance_miou(np.asarray(scores.confusion).sum(axis=1))
            attrs.update(chance_miou_majority=chance["majority"], chance_miou_uniform=chance["uniform"])
            chance_text = (f" Chance mIoU: {chance['majority']:.4f} (most frequent class everywhere), "
                           f"{chance['uniform']:.4f} (uniformly random class).")
            break
    attrs["caption"] = (
        f"{len(histories)} models trained under one budget and seed ({config.loss} loss, {config.optimizer}, lr "
        f"{config.lr}, batch {config.batch_size}), scored on the validation set. Pixels with target "
        f"{config.ignore_index} (ignore_index) are left out. Boundary IoU band {BOUNDARY_IOU_RULE}; BF tolerance "
        f"{BF_THETA_RULE}. Averaging: {AVERAGING}.{chance_text}"
    )
    return attrs


def write_comparison(out: Path, table: pd.DataFrame, histories, per_class, classes, gallery, preds) -> None:
    """The comparison folder's tables and figures (see the module docstring)."""
    out.mkdir(parents=True, exist_ok=True)
    for suffix in (".csv", ".md", ".tex", ".html"):
        export_table(table.reset_index(), out / f"comparison{suffix}")
    if per_class:
        iou = pd.DataFrame(per_class, index=pd.Index(classes.names, name="class")).reset_index()
        iou.attrs.update(caption="Per-class IoU on the validation set, one column per model (NaN: class absent from "
                                 f"targets and predictions; pixels with target {classes.ignore_index} left out).",
                         ignore_index=classes.ignore_index)
        for suffix in (".csv", ".md"):
            export_table(iou, out / f"per_class_iou{suffix}")
    chance = {k.removeprefix("chance_miou_"): v for k, v in table.attrs.items() if k.startswith("chance_miou_")}
    atomic_write_json(out / "chance.json", {"miou": chance, "definition": chance_miou.__doc__.split("\n\n")[0].strip()})
    learning_curves_figure(histories).savefig(out / "learning_curves.png", dpi=100)
    gallery_figure(gallery, preds, classes).savefig(out / "mask_gallery.png", dpi=100)


def learning_curves_figure(histories: dict[str, pd.DataFrame]) -> Figure:
    """Validation mIoU of every model on one axis, then each model's losses on its own axis."""
    fig = Figure(figsize=(4 * (len(histories) + 1), 3.2), layout="constrained")
    axes = fig.subplots(1, len(histories) + 1, squeeze=False)[0]
    miou = pd.DataFrame({"epoch": next(iter(histories.values()))["epoch"]} if histories else {})
    for name, history in histories.items():
        miou[name] = history["val_miou"].reindex(miou.index)
    plot_learning_curves(axes[0], miou, columns=list(histories))
    axes[0].set_title("validation mIoU")
    for ax, (name, history) in zip(axes[1:], histories.items()):
        plot_learning_curves(ax, history, columns=("train_loss", "val_loss"))
        ax.set_title(f"{name}: loss")
    return fig


def gallery_figure(gallery, preds: dict[str, list], classes) -> Figure:
    """Rows of validation images: the image, its target, then each model's prediction."""
    rows, cols = len(gallery), 2 + len(preds)
    fig = Figure(figsize=(2 * cols, 2 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    plot_mask_gallery(axes, [image for image, _ in gallery], [mask for _, mask in gallery], preds, classes.palette(),
                      ignore_index=classes.ignore_index)
    return fig
