"""The review's pictures: learning curves at their display size (10-pt text reads on a projector), and a gallery.

Learning curves from each run's ``history.csv``, and a gallery of the best, median and worst images of
the best model by per-image mIoU, with the predicted masks read from the records, as a table of PNGs.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from workbench.records import Record
from workbench.report.page import data_uri, embed_figure, text
from workbench.report.samples import record_samples
from workbench.viz import CURVE_PANELS, array_to_png, as_rgb_image, colorize, learning_curves_figure

FONT = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9}


def learning_curves(histories: dict[str, pd.DataFrame]) -> str:
    """The learning curves of ``workbench.viz`` (``learning_curves_figure``: one panel per quantity, every model
    a line in each) at the report's font sizes."""
    if not any(column in h and h[column].notna().any() for h in histories.values() for column, _, _ in CURVE_PANELS):
        return '<p class="note">The histories hold no validation or loss columns.</p>'
    with matplotlib.rc_context(FONT):
        fig = learning_curves_figure(histories)
    panels = ", ".join(title for _, title, _ in CURVE_PANELS)
    return embed_figure(fig, f"Per epoch, from each run's history.csv: {panels}.")


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
