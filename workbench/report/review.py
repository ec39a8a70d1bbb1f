"""``write_review``: one self-contained HTML file for a review meeting, made from a run folder.

The file holds the comparison table, the run settings, the metric conventions, learning curves, each
model's per-class table, confusion matrices and a mask gallery. Figures are PNGs embedded as ``data:``
URIs and the styles are inline, so it opens offline and can be mailed as one attachment. Every piece of
text that comes from data (class names, model and folder names, table cells) goes through
``html.escape``. Confusion matrices are not stored in a run folder: they are recomputed from the saved
weights when the validation data is passed (see :mod:`workbench.report.run_reader`).
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.metrics.scores import AVERAGING, BF_THETA_RULE, BOUNDARY_IOU_RULE
from workbench.records import atomic_write_text, table_to_html
from workbench.report.run_reader import RunSummary, read_run, replay_models
from workbench.viz import figure_to_png, gallery_figure, learning_curves_figure, plot_confusion_matrix

SETTINGS = ("epochs", "max_steps", "batch_size", "optimizer", "lr", "weight_decay", "loss", "crop_size", "seed")


def write_review(run_dir: str | Path, path: str | Path | None = None, *, data=None, gallery_size: int = 4,
                 weights: str = "last", device: str = "cpu", title: str | None = None) -> Path:
    """Write the review report of a run folder as one self-contained HTML file.

    Args:
        run_dir: a comparison folder (``compare``) or one model's run folder (``fit``).
        path: the HTML file; default ``run_dir/report.html``.
        data: the validation dataset the run was scored on. With it, confusion matrices and the mask gallery
            are computed from the saved weights; without it the report embeds ``mask_gallery.png`` when the
            folder has one and says how to get the confusion matrices.
        gallery_size: images in the mask gallery.
        weights: ``"last"`` or ``"best"`` checkpoint for the recomputed figures.
        device: where the saved weights run (``"cpu"``, ``"cuda"``, ``"auto"``).
        title: heading of the page; default names the run folder.

    Returns:
        The path written (atomically: a temporary file, then a rename).

    Raises:
        RunFolderError: ``run_dir`` is not a run folder.
    """
    run = read_run(run_dir)
    replays, gallery = None, []
    if data is not None:
        replays = replay_models(run, data, gallery_size=gallery_size, weights=weights, device=device)
        gallery = [data[i] for i in range(min(gallery_size, len(data)))]
    title = title or f"Segmentation review: {run.path.resolve().name}"
    sections = [_summary_section(run), _conventions_section(run), _curves_section(run), _per_class_section(run),
                _confusion_section(run, replays, weights), _gallery_section(run, replays, gallery, weights)]
    target = Path(path) if path is not None else run.path / "report.html"
    return atomic_write_text(target, page(title, sections))


def page(title: str, sections: list[str]) -> str:
    """The whole document: inline styles, no scripts, no external resources."""
    body = "\n".join(sections)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n")


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
table.workbench-table, table.settings { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em;
    display: block; max-width: 100%; overflow-x: auto; }  /* wide tables scroll instead of leaving the page */
table.workbench-table td, table.workbench-table th, table.settings td, table.settings th {
  border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
table.workbench-table td:first-child, table.settings th { text-align: left; }
caption { caption-side: bottom; text-align: left; font-size: 0.85em; color: #555; padding-top: 0.3em; }
figure { display: inline-block; margin: 0 1em 1em 0; vertical-align: top; }
figcaption { font-size: 0.85em; color: #555; max-width: 40em; }
img { max-width: 100%; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #444; vertical-align: middle; }
.note { background: #fff6dd; border-left: 4px solid #e0b000; padding: 0.4em 0.8em; }
"""


def _summary_section(run: RunSummary) -> str:
    table = run.comparison if run.comparison is not None else _history_summary(run)
    chance = ""
    if run.chance:
        levels = ", ".join(f"{html.escape(str(k))} {_number(v)}" for k, v in run.chance.items())
        chance = f"<p>Chance-level mIoU on this validation set (predictors that ignore the image): {levels}.</p>"
    return (f"<h2>Comparison</h2>\n{table_to_html(table)}{chance}\n<h3>Settings</h3>\n{_settings_table(run)}"
            f"\n<h3>Classes</h3>\n<p>{_class_legend(run)}</p>")


def _history_summary(run: RunSummary) -> pd.DataFrame:
    """Without comparison.csv: each model's last epoch from its history."""
    rows = {m: h.iloc[-1] for m, h in run.histories.items() if len(h)}
    table = pd.DataFrame(rows).T.rename_axis("model")
    table.attrs["caption"] = "Last epoch of each model's history.csv (no comparison.csv in this folder)."
    return table


def _settings_table(run: RunSummary) -> str:
    """The training settings of every model, one column per model (compare gives them all the same)."""
    rows = {}
    for name, info in run.configs.items():
        config, runtime, spec = info.get("config", {}), info.get("runtime", {}), info.get("model") or {}
        values = {"model": spec.get("name"), "encoder": spec.get("encoder"), "parameters": info.get("parameters"),
                  **{key: config.get(key) for key in SETTINGS}, "device": runtime.get("device"),
                  "precision": runtime.get("precision")}
        rows[name] = values
    frame = pd.DataFrame(rows)
    head = "".join(f"<th>{html.escape(str(m))}</th>" for m in frame.columns)
    body = "".join(f"<tr><th>{html.escape(str(key))}</th>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
                   + "</tr>" for key, row in zip(frame.index, frame.to_numpy()))
    return f'<table class="settings"><thead><tr><th>setting</th>{head}</tr></thead><tbody>{body}</tbody></table>'


def _class_legend(run: RunSummary) -> str:
    items = []
    for class_id, (name, (r, g, b)) in enumerate(zip(run.classes.names, run.classes.colors)):
        swatch = f'<span class="swatch" style="background: rgb({int(r)}, {int(g)}, {int(b)})"></span>'
        items.append(f"{swatch} {class_id} {html.escape(str(name))}")
    return " &nbsp; ".join(items) + f" &nbsp; (void: {run.classes.ignore_index}, drawn black)"


def _conventions_section(run: RunSummary) -> str:
    items = [
        f"Pixels whose target is {run.classes.ignore_index} (ignore_index, void) are left out of every score.",
        "One confusion matrix CM is summed over the validation set (rows: target class, columns: predicted class).",
        "Pixel accuracy = trace(CM) / sum(CM). Per class: accuracy = CM[c,c] / row_c, "
        "IoU = CM[c,c] / (row_c + col_c - CM[c,c]), Dice = 2 CM[c,c] / (row_c + col_c).",
        "A class is undefined (NaN, shown as NaN) when its denominator is zero over the set; means (mIoU, mean "
        "accuracy, mean Dice, boundary mIoU) are taken over defined classes.",
        f"Boundary IoU, per class over the set: |G and P| / |G or P| of the inner boundary bands of target and "
        f"prediction, band width {BOUNDARY_IOU_RULE}.",
        f"Boundary F1, per image and class: F1 of boundary precision and recall within a tolerance {BF_THETA_RULE}.",
        f"Averaging: {AVERAGING}.",
    ]
    listed = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<h2>Metric definitions</h2>\n<ul>{listed}</ul>"


def _curves_section(run: RunSummary) -> str:
    caption = "Validation mIoU per epoch of every model, then each model's training and validation loss."
    return f"<h2>Learning curves</h2>\n{_figure(learning_curves_figure(run.histories), caption)}"


def _per_class_section(run: RunSummary) -> str:
    parts = ["<h2>Per-class scores</h2>"]
    for name in run.models:
        table = run.per_class.get(name)
        text = table_to_html(table) if table is not None else '<p class="note">Not validated: no per_class.csv.</p>'
        parts.append(f"<h3>{html.escape(name)}</h3>\n{text}")
    return "\n".join(parts)


def _confusion_section(run: RunSummary, replays, weights: str) -> str:
    if replays is None:
        return ('<h2>Confusion matrices</h2>\n<p class="note">A run folder does not store confusion matrices. Pass '
                "the validation data (write_review(run_dir, data=...), or --data for `workbench report`) to "
                "compute them from the saved weights.</p>")
    parts = ["<h2>Confusion matrices</h2>", f"<p>Computed from each model's {html.escape(weights)}.safetensors on "
             "the validation data. Rows are target classes, each normalised to sum to 1, so the diagonal is the "
             "per-class accuracy (recall).</p>"]
    for name, replay in replays.items():
        fig = _confusion_figure(replay.scores.confusion, run.classes.names)
        stored = _stored_miou(run, name)
        caption = f"{name}: {replay.scores.num_images} images, mIoU {_number(replay.scores.miou)}"
        if stored is not None and not np.isclose(stored, replay.scores.miou, rtol=0, atol=1e-6):
            caption += f" (the run stored {_number(stored)}: other data, weights or precision than the run's)"
        parts.append(_figure(fig, caption))
    return "\n".join(parts)


def _confusion_figure(confusion, class_names) -> Figure:
    side = 2.5 + 0.45 * len(class_names)
    fig = Figure(figsize=(side, side), layout="constrained")
    plot_confusion_matrix(fig.subplots(), confusion, [str(n) for n in class_names], normalize="true")
    return fig


def _stored_miou(run: RunSummary, name: str) -> float | None:
    table = run.per_class.get(name)
    if table is None or "iou" not in table.columns:
        return None
    mean = table.loc[table["class"].astype(str) == "mean", "iou"]
    return float(mean.iloc[-1]) if len(mean) else None


def _gallery_section(run: RunSummary, replays, gallery, weights: str) -> str:
    head = "<h2>Mask gallery</h2>"
    if replays and gallery:
        fig = gallery_figure([image for image, _ in gallery], [mask for _, mask in gallery],
                             {m: r.preds for m, r in replays.items()}, run.classes)
        caption = (f"The first {len(gallery)} validation images: photograph, target, then each model's prediction "
                   f"({weights}.safetensors). Void pixels are black.")
        return f"{head}\n{_figure(fig, caption)}"
    stored = run.path / "mask_gallery.png"
    if stored.is_file():
        caption = "mask_gallery.png as written by compare: photograph, target, then each model's prediction."
        return f"{head}\n{_embed(stored.read_bytes(), caption)}"
    return f'{head}\n<p class="note">No mask_gallery.png in the folder; pass the validation data to draw one.</p>'


def _figure(fig: Figure, caption: str) -> str:
    return _embed(figure_to_png(fig, dpi=90), caption)


def _embed(png: bytes, caption: str) -> str:
    """A figure element with the PNG inline as a data URI: the file needs nothing beside it."""
    source = f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}"
    text = html.escape(caption)
    return f'<figure><img alt="{text}" src="{source}"><figcaption>{text}</figcaption></figure>'


def _number(value) -> str:
    return "NaN" if value is None or not np.isfinite(value) else f"{float(value):.4f}"
