"""The review's pictures: learning curves at their display size (10-pt text reads on a projector), and a gallery.

Learning curves from each run's ``history.csv``, and a gallery of the best, median and worst images of
the best model by per-image mIoU, with the predicted masks read from the records, as a table of PNGs.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.records import Record
from workbench.report.page import data_uri, embed_figure, text
from workbench.report.samples import record_samples
from workbench.viz import array_to_png, as_rgb_image, colorize

FONT = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9}
CURVES = (("val_miou", "validation mIoU"), ("train_loss", "training loss"), ("val_loss", "validation loss"))


def learning_curves(histories: dict[str, pd.DataFrame]) -> str:
    """One panel per curve in the histories, every model a line in each."""
    panels = [
        (column, label)
        for column, label in CURVES
        if any(column in h and h[column].notna().any() for h in histories.values())
    ]
    if not panels:
        return '<p class="note">The histories hold no validation or loss columns.</p>'
    fig = Figure(figsize=(3.7 * len(panels), 3.4), layout="constrained")
    with matplotlib.rc_context(FONT):
        for ax, (column, label) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
            for name, history in histories.items():
                if column in history:
                    x = history["epoch"] if "epoch" in history else np.arange(1, len(history) + 1)
                    ax.plot(x, history[column], marker="o" if len(history) <= 30 else None, markersize=3, label=name)
            ax.set(title=label, xlabel="epoch")
            ax.grid(alpha=0.3)
        fig.axes[0].legend(loc="best")
    return embed_figure(fig, "Per epoch, from each run's history.csv: " + ", ".join(label for _, label in panels) + ".")


def gallery_stems(record: Record) -> list[tuple[str, str]]:
    """``(label, stem)`` of the best, median and worst image by per-image mIoU (fewer for tiny records)."""
    miou = record.per_image["miou"].astype(float).dropna().sort_values(kind="stable")
    if miou.empty:
        return []
    picks = {"best": miou.index[-1], "median": miou.index[(len(miou) - 1) // 2], "worst": miou.index[0]}
    seen, chosen = set(), []
    for label, stem in picks.items():
        if stem not in seen:
            seen.add(stem)
            chosen.append((label, stem))
    return chosen


def gallery(records: dict[str, Record], best: str, *, max_models: int = 4) -> str:
    """Best, median and worst images of ``best``: photograph and target (when the data is here), then masks.

    An HTML table of PNGs, one per cell, scaled up without smoothing so every pixel of a mask stays sharp.
    """
    chosen = gallery_stems(records[best])
    if not chosen:
        return '<p class="note">No image with a defined per-image mIoU.</p>'
    stems = [stem for _, stem in chosen]
    shown = [best] + [n for n in records if n != best][: max_models - 1]
    samples, why = record_samples(records[best], stems)
    classes = records[best].classes
    columns = (["photograph", "target"] if samples else []) + shown
    head = "".join(f"<th>{text(c)}</th>" for c in columns)
    rows = []
    for row, (label, stem) in enumerate(chosen):
        score = records[best].per_image.loc[stem, "miou"]
        pictures = []
        if samples:
            image, target = samples[row]
            pictures += [array_to_png(as_rgb_image(image)), _mask_png(np.asarray(target), classes)]
        pictures += [_mask_png(records[name].mask(stem), classes) for name in shown]
        cells = "".join(f'<td><img alt="{text(stem)}" src="{data_uri(png)}"></td>' for png in pictures)
        # The label on a row of its own above the pictures: a long stem wraps there instead of under a picture.
        rows.append(
            f'<tr class="label"><th class="name" colspan="{len(columns)}">{text(label)}: {text(stem)}, '
            f"mIoU {score:.3f}</th></tr>\n<tr>{cells}</tr>"
        )
    note = "" if samples else f'<p class="note">Photographs and targets left out: {text(why)}.</p>'
    caption = (
        f"The best, median and worst image of {best} by per-image mIoU, with every model's mask of the same "
        "image (from the records). Void pixels are black."
    )
    return (
        f'{note}<table class="gallery"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody>\n<caption>{text(caption)}</caption></table>"
    )


def _mask_png(mask: np.ndarray, classes) -> bytes:
    return array_to_png(colorize(mask, classes.palette(), ignore_index=classes.ignore_index))
