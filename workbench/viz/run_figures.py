"""Whole figures of a comparison: learning curves of every model, and a mask gallery.

Unlike the ``plot_*`` functions these build their own ``matplotlib.figure.Figure`` (no pyplot, so nothing
is shown and nothing leaks between calls); the caller saves or embeds it. ``comparison_figures`` draws both
from evaluation records (the masks the records hold, the ``history.csv`` beside them), without any model;
``save_comparison_figures`` hands them, as PNG, to ``workbench.records.write_comparison_figures``, which
names and writes the files of a comparison folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from workbench.metrics.chance import chance_miou
from workbench.records import (
    LEARNING_CURVES,
    MASK_GALLERY,
    Record,
    read_comparison,
    read_history,
    write_comparison_figures,
)
from workbench.records.run_files import HISTORY_FILE
from workbench.viz.curves import learning_curves_figure
from workbench.viz.encode import FIGURE_WIDTH_IN, figure_to_png
from workbench.viz.mask_plots import gallery_indices, plot_mask_gallery


def gallery_figure(images: Sequence, targets: Sequence, preds: Mapping[str, Sequence], classes) -> Figure:
    """Rows of images: the image, its target, then each model's prediction (``preds``: name -> masks)."""
    rows, cols = len(images), 2 + len(preds)
    side = min(2.0, FIGURE_WIDTH_IN / cols)  # at most a notebook cell's width at full size
    fig = Figure(figsize=(side * cols, side * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    plot_mask_gallery(axes, list(images), list(targets), preds, classes.palette(), ignore_index=classes.ignore_index)
    return fig


def comparison_figures(records: Mapping[str, Record], data, *, gallery_size: int = 4) -> dict[str, Figure]:
    """``{"learning_curves": ..., "mask_gallery": ...}`` of a comparison, from its records.

    Args:
        records: name -> record (``workbench.records.read_comparison``), all scored on ``data``.
        data: the scored dataset: ``gallery_size`` of its images, spread evenly over it (``gallery_indices``:
            neighbouring frames of a video dataset look alike), are shown with their targets.
        gallery_size: rows of the gallery.

    Returns:
        The gallery, and the learning curves when the records are training runs (a ``history.csv`` beside
        them); prediction folders have none.
    """
    first = next(iter(records.values()))
    shown = gallery_indices(len(first.stems), gallery_size)
    samples = [data[i] for i in shown]
    preds = {name: [record.mask(record.stems[i]) for i in shown] for name, record in records.items()}
    figures = {MASK_GALLERY: gallery_figure([s[0] for s in samples], [s[1] for s in samples], preds, first.classes)}
    histories = {
        name: read_history(r.path / HISTORY_FILE) for name, r in records.items() if (r.path / HISTORY_FILE).is_file()
    }
    if histories:
        chance = chance_miou(first.scores.confusion.sum(1))["majority"]
        figures[LEARNING_CURVES] = learning_curves_figure(histories, chance=chance)
    return figures


def save_comparison_figures(folder: str | Path, data, *, gallery_size: int = 4, dpi: int = 100) -> list[Path]:
    """Write ``comparison_figures`` of the comparison folder ``folder`` beside its records, as the PNG files
    ``workbench.records.FIGURE_FILES`` names (``mask_gallery.png``, ``learning_curves.png``).

    ``workbench compare`` and ``workbench evaluate --preds NAME=DIR ...`` call this; in Python, call it after
    ``wb.engine.compare`` to get ``mask_gallery.png`` and ``learning_curves.png`` (the engine draws nothing).

    Returns:
        The files written (atomically).
    """
    folder = Path(folder)
    figures = comparison_figures(read_comparison(folder), data, gallery_size=gallery_size)
    return write_comparison_figures(folder, {name: figure_to_png(figure, dpi=dpi) for name, figure in figures.items()})
