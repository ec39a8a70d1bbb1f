"""Confusion matrices and per-class bars drawn on an axis the caller owns (learning curves: ``viz.curves``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage

from workbench.viz.convert import as_palette, class_names_of, to_numpy

NORMALIZE_CHOICES = ("true", "pred", "all", None)


def normalize_confusion(confusion, normalize: str | None = "true") -> np.ndarray:
    """A confusion matrix (rows: target, columns: predicted) as shares: of each row ("true"), column
    ("pred") or all pixels ("all"), or as counts (``None``). A class with no pixels gives a NaN row/column.
    """
    counts = to_numpy(confusion).astype(np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"confusion matrix must be square (C, C), got shape {counts.shape}.")
    if normalize not in NORMALIZE_CHOICES:
        raise ValueError(f"normalize={normalize!r}; choose one of {NORMALIZE_CHOICES}.")
    if normalize is None:
        return counts
    totals = {"true": counts.sum(1, keepdims=True), "pred": counts.sum(0, keepdims=True), "all": counts.sum()}
    with np.errstate(invalid="ignore", divide="ignore"):
        return counts / totals[normalize]


def plot_confusion_matrix(
    ax: Axes,
    confusion,
    class_names: Sequence[str],
    normalize: str | None = "true",
    *,
    cmap: str = "Blues",
    annotate: bool | None = None,
) -> AxesImage:
    """Show a confusion matrix as a heat map, rows the target class, columns the predicted class.

    Args:
        ax: the axis to draw on.
        confusion: ``(C, C)`` counts (``Scores.confusion``).
        class_names: C names for the ticks (or a ``Classes``).
        normalize: "true" (each row sums to 1: recall on the diagonal), "pred", "all" or ``None`` (counts).
        cmap: matplotlib colour map.
        annotate: write each cell's value; default when C <= 12.

    Returns:
        The ``AxesImage`` (cell texts are in ``ax.texts``).
    """
    values, class_names = normalize_confusion(confusion, normalize), class_names_of(class_names)
    if len(class_names) != len(values):
        raise ValueError(f"plot_confusion_matrix: {len(class_names)} class names for a {values.shape} matrix.")
    vmax = 1.0 if normalize else max(np.nanmax(values, initial=0.0), 1.0)
    shown = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, labels=class_names, rotation=90)
    ax.set_yticks(ticks, labels=class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("target class")
    if annotate is None:
        annotate = len(values) <= 12  # beyond that the numbers no longer fit their cells
    if annotate:
        _annotate_cells(ax, values, vmax, as_share=normalize is not None)
    return shown


def _annotate_cells(ax: Axes, values: np.ndarray, vmax: float, *, as_share: bool) -> None:
    for (row, col), value in np.ndenumerate(values):
        if np.isnan(value):
            continue
        text = f"{value:.2f}" if as_share else f"{value:.0f}"
        # White text on the dark end of the colour map, black on the light end.
        ax.text(
            col,
            row,
            text,
            ha="center",
            va="center",
            fontsize=7,  # points: 9.7 px at 100 dpi, readable where the figure is shown at its own size
            color="white" if value > 0.6 * vmax else "black",
        )


def per_class_values(table_or_values, class_names: Sequence[str] | None = None, metric: str = "iou"):
    """``(names, values)`` of one per-class metric, from a ``Scores.table()`` or a plain sequence.

    A table's mean row (any row whose class is not among the others, e.g. "mean") is left out when
    ``class_names`` is given; without names, rows named "mean" are dropped.
    """
    class_names = None if class_names is None else class_names_of(class_names)
    if isinstance(table_or_values, pd.DataFrame):
        return _values_from_table(table_or_values, class_names, metric)
    values = to_numpy(table_or_values).astype(np.float64).reshape(-1)
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(values))]
    if len(names) != len(values):
        raise ValueError(f"plot_per_class: {len(names)} class names for {len(values)} values.")
    return names, values


def _values_from_table(table: pd.DataFrame, class_names, metric: str):
    if metric not in table.columns:
        raise ValueError(f"plot_per_class: no column {metric!r} in the table; it has {list(table.columns)}.")
    name_column = next((c for c in ("class", "name", "class_name") if c in table.columns), None)
    names = table[name_column].astype(str) if name_column else pd.Series(table.index.astype(str), index=table.index)
    keep = names.isin([str(n) for n in class_names]) if class_names is not None else ~names.str.lower().eq("mean")
    rows = table[keep.to_numpy()]
    return list(names[keep.to_numpy()]), rows[metric].to_numpy(dtype=np.float64)


def plot_per_class(
    ax: Axes,
    table_or_values,
    class_names: Sequence[str] | None = None,
    metric: str = "iou",
    *,
    palette=None,
    show_mean: bool = True,
) -> BarContainer:
    """Bars of one per-class metric (IoU, accuracy, Dice, boundary IoU...), one bar per class.

    Args:
        ax: the axis to draw on.
        table_or_values: a ``Scores.table()`` DataFrame, or C values (NaN: class undefined, drawn as "n/a").
        class_names: tick labels; with a table, the rows to keep.
        metric: the table column to plot.
        palette: optional class colours for the bars (``(C, 3)`` uint8 or ``Classes``).
        show_mean: a dashed line at the mean over defined classes, as mIoU averages.

    Returns:
        The ``BarContainer``.
    """
    names, values = per_class_values(table_or_values, class_names, metric)
    colors = as_palette(palette)[: len(values)] / 255.0 if palette is not None else None
    bars = ax.bar(
        np.arange(len(values)), np.nan_to_num(values, nan=0.0), color=colors, edgecolor="black", linewidth=0.5
    )
    for position in np.flatnonzero(np.isnan(values)):
        ax.text(position, 0.01, "n/a", ha="center", va="bottom", fontsize="x-small", rotation=90)
    if show_mean and np.isfinite(values).any():
        mean = float(np.nanmean(values))
        ax.axhline(mean, color="black", linestyle="--", linewidth=1, label=f"mean {metric} {mean:.3f}")
        ax.legend(loc="upper right", fontsize="small")
    ax.set_xticks(np.arange(len(values)), labels=names, rotation=45, ha="right")
    ax.set_ylabel(metric)
    ax.set_ylim(0.0, max(1.0, float(np.nanmax(values, initial=0.0))))
    return bars
