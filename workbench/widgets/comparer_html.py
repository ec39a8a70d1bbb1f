"""The HTML around MaskComparer's panels: a legend per view, the shown image's scores, a class's pixel counts.

Plain functions of data (no widget state), so that the widget only wires controls and each table is tested
as text.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from workbench.data.classes import Classes
from workbench.metrics import PER_IMAGE_COLUMNS, score_label
from workbench.viz.bands import BAND_COLORS, BAND_LABELS, BandCode
from workbench.viz.error_kinds import KIND_COLORS, KIND_LABELS, KindCode
from workbench.viz.error_maps import ERROR_COLORS, ERROR_LABELS, OVERALL_CODES, ErrorCode
from workbench.widgets.legend import legend_html

TABLE = 'style="border-collapse:collapse;margin-top:6px"'
CELL = 'style="padding:2px 14px;text-align:right;white-space:nowrap"'
NAME_CELL = 'style="padding:2px 14px 2px 0;text-align:left;white-space:nowrap"'


def view_legends(classes: Classes) -> dict[str, str]:
    """One static legend per view: class colours, error colours or band colours."""
    class_items = list(zip(classes.names, classes.colors))
    error_items = [(ERROR_LABELS[c], ERROR_COLORS[c]) for c in OVERALL_CODES]
    class_error_items = [
        (ERROR_LABELS[c], ERROR_COLORS[c])
        for c in (ErrorCode.TRUE_POSITIVE, ErrorCode.FALSE_POSITIVE, ErrorCode.FALSE_NEGATIVE)
    ]
    band_items = [(BAND_LABELS[c], BAND_COLORS[c]) for c in (BandCode.TARGET_ONLY, BandCode.PRED_ONLY, BandCode.BOTH)]
    items = {
        "mask": class_items,
        "overlay": class_items,
        "error map": error_items,
        "class errors": class_error_items,
        "boundary bands": band_items,
    }
    legends = {view: legend_html(entries) for view, entries in items.items()}
    legends["class errors"] += " (of the chosen class; elsewhere the photograph; the target panel shows the target)"
    legends["error kinds"] = legend_html(
        (KIND_LABELS[c], KIND_COLORS[c]) for c in KindCode if c != KindCode.TRUE_NEG
    ) + (
        " (the chosen class's errors by kind, Bernhard et al. 2024: boundary = near both its correct and its "
        "background pixels, width 1% of the diagonal; segment = a whole false or missed object; extent = the "
        "rest; elsewhere the photograph)"
    )
    legends["boundary bands"] += (
        " over the photograph in grey: the bands Boundary IoU compares, width "
        "2% of the image diagonal; the image frame counts as a boundary"
    )
    return legends


def score_values(scores: dict[str, pd.DataFrame] | None) -> dict[str, np.ndarray] | None:
    """Each model's per-image scores as a plain float ``(N, 4)`` array, so that each refresh formats numbers
    without touching pandas; ``None`` without scores."""
    if scores is None:
        return None
    return {m: table.loc[:, list(PER_IMAGE_COLUMNS)].to_numpy(dtype=np.float64) for m, table in scores.items()}


def scores_html(values: dict[str, np.ndarray] | None, models: tuple[str, ...], index: int) -> str:
    """The per-image scores of image ``index``, one row per model in ``models`` (``values`` from
    :func:`score_values`); empty without scores."""
    if values is None:
        return ""
    header = "".join(f"<th {CELL}>{score_label(c)}</th>" for c in PER_IMAGE_COLUMNS)
    rows = "".join(
        f"<tr><th {NAME_CELL}>{html.escape(m)}</th>"
        + "".join(f"<td {CELL}>{v:.3f}</td>" for v in values[m][index])
        + "</tr>"
        for m in models
    )
    return f"<table {TABLE}><tr><th {NAME_CELL}>this image</th>{header}</tr>{rows}</table>"


def counts_html(counts: pd.DataFrame, class_name: str) -> str:
    """TP / FP / FN pixels and IoU of one class, one row per model (``MaskComparer.class_counts``)."""
    header = "".join(f"<th {CELL}>{c}</th>" for c in counts.columns)
    rows = "".join(
        f"<tr><th {NAME_CELL}>{html.escape(str(model))}</th>"
        + "".join(f"<td {CELL}>{v}</td>" for v in (*(int(x) for x in row[:3]), f"{row.iloc[3]:.3f}"))
        + "</tr>"
        for model, row in counts.iterrows()
    )
    return f"<table {TABLE}><tr><th {NAME_CELL}>{html.escape(class_name)} (pixels)</th>{header}</tr>{rows}</table>"
