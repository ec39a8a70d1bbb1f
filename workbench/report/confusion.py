"""Confusion matrices as HTML heat maps, two to a row: sharp at any zoom, in print, and quick to build.

Rows are target classes, each normalised to sum to 1, so the diagonal is the per-class accuracy (recall)
and a row says which classes a target class is taken for. Columns are headed by class number (the names
head the rows) so that a matrix of a dozen classes fits half a 1280-px page. Beyond ``NUMBERED_UP_TO``
classes the cells carry only their colour, with the share in a tooltip.
"""

from __future__ import annotations

import numpy as np

from workbench.records import Record
from workbench.report.page import text
from workbench.report.score_tables import scale_color

NUMBERED_UP_TO = 16  # classes whose cells still fit their two-decimal share


def confusion_matrices(records: dict[str, Record]) -> str:
    parts = [_matrix(name, record) for name, record in records.items()]
    caption = (
        "Rows: target class, each summing to 1 (the diagonal is the per-class accuracy); columns: predicted "
        "class, by number. Darker is more; grey rows: classes absent from the targets."
    )
    return f'<div class="grid2">{"".join(parts)}</div>\n<p class="caption">{text(caption)}</p>'


def _matrix(name: str, record: Record) -> str:
    confusion = np.asarray(record.scores.confusion, dtype=np.float64)
    rows = confusion.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = confusion / rows
    names = [str(n) for n in record.classes.names]
    numbered = len(names) <= NUMBERED_UP_TO
    head = '<th class="name">target \\ predicted</th>' + "".join(
        f'<th title="{text(n)}">{i}</th>' for i, n in enumerate(names)
    )
    body = []
    for i, class_name in enumerate(names):
        cells = "".join(_cell(shares[i, j], names[i], names[j], numbered) for j in range(len(names)))
        body.append(f'<tr><th class="name" title="{text(class_name)}">{i} {text(class_name)}</th>{cells}</tr>')
    title = f"{name}: mIoU {record.scores.miou:.3f}"
    return (
        f'<div class="matrix"><h3>{text(title)}</h3><table class="confusion"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _cell(share: float, target: str, pred: str, numbered: bool) -> str:
    if not np.isfinite(share):
        return '<td style="background: #eeeeee"></td>'
    (r, g, b), ink = scale_color(share)
    tip = text(f"target {target}, predicted {pred}: {share:.3f}")
    shown = f"{share:.2f}" if numbered else ""
    return f'<td title="{tip}" style="background: rgb({r}, {g}, {b}); color: {ink}">{shown}</td>'
