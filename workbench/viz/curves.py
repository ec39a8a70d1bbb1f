"""Learning curves of one or several runs as a grid of panels: one panel per quantity, one line per model.

A grid of four readable panels whatever the number of models (rather than one panel per model in a long
row): validation mIoU with the chance level, validation pixel accuracy, training loss and validation loss.
The x axis runs over whole epochs (integer ticks) from the start, so that a figure redrawn while training
fills from left to right instead of rescaling.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from workbench.metrics.chance import NEAR_CHANCE_FACTOR
from workbench.viz.encode import FIGURE_WIDTH_IN

# (history column, panel title, y-axis label)
CURVE_PANELS = (
    ("val_miou", "validation mIoU", "mIoU"),
    ("val_pixel_accuracy", "validation pixel accuracy", "pixel accuracy"),
    ("train_loss", "training loss", "loss"),
    ("val_loss", "validation loss", "loss"),
)


def plot_model_curves(
    ax: Axes,
    histories: Mapping[str, pd.DataFrame],
    column: str,
    *,
    epochs: int | None = None,
    title: str | None = None,
    ylabel: str | None = None,
) -> list[Line2D]:
    """One line per model of ``column`` against ``epoch``, on integer epoch ticks and labelled axes.

    Args:
        ax: the axis to draw on.
        histories: model name -> history with ``epoch`` and ``column`` (rows missing ``column`` are skipped;
            ``epoch`` may be fractional, e.g. a training loss logged between epoch ends).
        epochs: the run's length; the x axis spans ``[0, epochs]`` (and a margin) from the start.
        title: the axis title (default: the column name).
        ylabel: the y-axis label (default: the column name).

    Returns:
        The ``Line2D`` of each model with at least one value, in ``histories`` order (colours follow that order).
    """
    lines = []
    for index, (name, history) in enumerate(histories.items()):
        if column not in history or "epoch" not in history:
            continue
        rows = history[["epoch", column]].dropna()
        if len(rows):
            marker = "o" if len(rows) <= 30 else None
            lines.append(
                ax.plot(rows["epoch"], rows[column], marker=marker, markersize=3, label=name, color=f"C{index}")[0]
            )
    ax.set_title(title or column, fontsize="medium")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or column)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if epochs is not None:  # epoch e's scores sit at x = e, the losses logged during it between e - 1 and e
        ax.set_xlim(0, epochs + 0.25)
    ax.grid(alpha=0.3)
    return lines


def plot_chance_line(ax: Axes, chance: float, factor: float | None = None) -> list[Line2D]:
    """Dashed line at the chance mIoU and, with ``factor``, a dotted one at ``factor`` x chance (the flag's bar)."""
    lines = [ax.axhline(chance, color="0.4", linestyle="--", linewidth=1, label=f"chance {chance:.3f}")]
    if factor is not None:
        lines.append(ax.axhline(factor * chance, color="0.4", linestyle=":", linewidth=1, label=f"{factor:g} x chance"))
    return lines


def draw_learning_curves(
    fig: Figure,
    histories: Mapping[str, pd.DataFrame],
    *,
    epochs: int | None = None,
    chance: float | None = None,
    chance_factor: float | None = None,
    title: str | None = None,
) -> np.ndarray:
    """The four ``CURVE_PANELS`` as a 2 x 2 grid on ``fig`` (cleared first), one legend beside them.

    Args:
        fig: the figure to draw on (the caller owns it; e.g. ``Figure(figsize=(9, 6), layout="constrained")``).
        histories: model name -> history (``fit``'s DataFrame or rows with the same columns).
        epochs: the run's length (fixes the x axes).
        chance: the chance mIoU, drawn on the mIoU panel.
        chance_factor: the multiple of ``chance`` below which a run is flagged, drawn there too.
        title: the figure's title (e.g. what is training now).

    Returns:
        The ``(2, 2)`` array of axes.
    """
    fig.clear()
    axes = fig.subplots(2, 2, squeeze=False)
    for ax, (column, panel_title, ylabel) in zip(axes.flat, CURVE_PANELS):
        plot_model_curves(ax, histories, column, epochs=epochs, title=panel_title, ylabel=ylabel)
    miou_ax = axes[0, 0]
    if chance is not None and np.isfinite(chance):
        plot_chance_line(miou_ax, chance, chance_factor)
        miou_ax.set_ylim(bottom=0)
    handles, labels = miou_ax.get_legend_handles_labels()
    if handles:  # one legend beside the grid, off the curves
        fig.legend(handles, labels, fontsize="small", loc="outside right upper")
    if title:
        fig.suptitle(title, fontsize="medium")
    return axes


def learning_curves_figure(histories: Mapping[str, pd.DataFrame], *, chance: float | None = None) -> Figure:
    """The 2 x 2 grid of ``draw_learning_curves`` (one line per model), the chance mIoU and its flag bar drawn
    when ``chance`` is given."""
    fig = Figure(figsize=(FIGURE_WIDTH_IN, 5.2), layout="constrained")
    epochs = max((int(h["epoch"].max()) for h in histories.values() if len(h)), default=None)
    draw_learning_curves(fig, histories, epochs=epochs, chance=chance, chance_factor=NEAR_CHANCE_FACTOR)
    return fig
