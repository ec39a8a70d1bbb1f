"""Where each model loses its IoU (Bernhard et al., WACV 2024): per class and model, one bar of the class's
union split into IoU and the six error kinds of ``Scores.error_breakdown()``, in the colours of the
MaskComparer's "error kinds" view. Drawn as HTML, so it stays sharp on a projector and in print."""

from __future__ import annotations

import numpy as np

from workbench.metrics.catalog import ERROR_KINDS
from workbench.records import Record
from workbench.report.page import section, text
from workbench.viz.error_kinds import KIND_COLORS, KIND_LABELS, KindCode

SHARES = (("iou", KindCode.CORRECT), *((kind, KindCode[kind.upper()]) for kind in ERROR_KINDS))
BAR = (
    "display:flex;height:1.1em;min-width:12em;border:1px solid #888;print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact"
)


def error_breakdown_sections(records: dict[str, Record]) -> list[str]:
    """The report's "Where each model loses its IoU" section, or none when no record counted the error kinds."""
    counted = {name: r for name, r in records.items() if all(k in r.scores.image_stats.counts for k in ERROR_KINDS)}
    if not counted:
        return []
    return [
        section(
            "Where each model loses its IoU",
            error_breakdown_bars(counted, skipped=set(records) - set(counted)),
            section_id="error-breakdown",
        )
    ]


def error_breakdown_bars(records: dict[str, Record], skipped: set[str] = frozenset()) -> str:
    """A table of stacked bars: a row per class plus the mean over defined classes, a column per model."""
    first = next(iter(records.values()))
    tables = {name: r.scores.error_breakdown(r.classes) for name, r in records.items()}
    head = '<th class="name">class</th>' + "".join(f"<th>{text(name)}</th>" for name in records)
    rows = []
    for index, class_name in enumerate([*first.classes.names, "mean"]):
        shown = "<b>mean</b>" if class_name == "mean" else text(class_name)
        cells = "".join(f"<td>{_bar(table.iloc[index])}</td>" for table in tables.values())
        rows.append(f'<tr><td class="name">{shown}</td>{cells}</tr>')
    legend = " ".join(_swatch(KIND_COLORS[code], "IoU" if key == "iou" else KIND_LABELS[code]) for key, code in SHARES)
    caption = (
        "Each bar is the class's union (target or prediction, void left out) split into the IoU and its "
        "false positives (FP) and false negatives (FN) by kind (Bernhard et al., WACV 2024): boundary, "
        "within 1% of the image diagonal of both correct and background pixels; segment, a whole false or "
        "missed object; extent, the rest. The shares sum to 1. Mean: over the classes defined for the "
        "model. \u2013: the class is in neither map."
    )
    if skipped:
        caption += f" Not counted for {', '.join(sorted(skipped))} (scored without errors=True)."
    return (
        f'<p>{legend}</p>\n<table class="per-class"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody>\n<caption>{text(caption)}</caption></table>"
    )


def _bar(row) -> str:
    if not np.isfinite(row["iou"]):
        return "\u2013"
    parts, title = [], []
    for key, code in SHARES:
        share = float(row[key])
        name = "IoU" if key == "iou" else KIND_LABELS[code]
        title.append(f"{name} {share:.3f}")
        if share > 0:
            r, g, b = (int(v) for v in KIND_COLORS[code])
            parts.append(f'<span style="flex:0 0 {100 * share:.2f}%;background:rgb({r},{g},{b})"></span>')
    label = f'<span style="font-size:0.85em">IoU {row["iou"]:.3f}</span>'
    return f'<div style="{BAR}" title="{text("; ".join(title))}">{"".join(parts)}</div>{label}'


def _swatch(color, name: str) -> str:
    r, g, b = (int(v) for v in color)
    return (
        f'<span style="white-space:nowrap;margin-right:0.8em"><span class="swatch" '
        f'style="background: rgb({r}, {g}, {b})"></span> {text(name)}</span>'
    )
