"""The review's tables as HTML: the headline table, the full table, per-class scores, other tools' conventions.

The headline table holds few columns with readable names, each score with its interval on a second line,
so that it fits a 1280-px projector; the full table (every score, interval columns, sources) is folded in
``<details>``. The per-class table is classes x models with a colour scale on the cell background.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.metrics import HEADLINE, LOWER_IS_BETTER, NEAR_CHANCE, SCALAR_KEYS, score_label
from workbench.metrics.bootstrap import UNIT_ATTRS
from workbench.records import Record, table_to_html
from workbench.report.page import count, interval, number, text
from workbench.report.summary import BootstrapSettings


def source_label(record: Record) -> str:
    """What a record scored, in words: ``fcn8s (resnet18)`` or ``predictions from preds/``."""
    source = record.source
    if source.get("kind") == "model":
        encoder = source.get("encoder")
        return f"{source.get('name')}" + (f" ({encoder})" if encoder else "")
    return f"predictions from {source.get('dir')}"


def headline_table(
    records: dict[str, Record],
    boot: dict[str, pd.DataFrame],
    flags: dict,
    settings: BootstrapSettings,
    configs: dict[str, dict],
) -> str:
    """One row per record: name, what it is, the headline scores with intervals, images, parameters."""
    keys = [k for k in HEADLINE if any(k in b.index for b in boot.values())]
    has_params = any("parameters" in c for c in configs.values())
    head = ['<th class="name">model</th>', '<th class="name">scored</th>']
    head += [f"<th>{text(score_label(k))}</th>" for k in keys] + ["<th>images</th>"]
    head += ["<th>parameters</th>"] if has_params else []
    best = {k: _best_name(boot, k) for k in keys}
    rows = []
    for name, record in records.items():
        flag = f' <span class="flag">{NEAR_CHANCE}</span>' if name in flags else ""
        cells = [
            f'<td class="name"><b>{text(name)}</b>{flag}</td>',
            f'<td class="name">{text(source_label(record))}</td>',
        ]
        for key in keys:
            cells.append(_score_cell(boot[name], key, bold=best[key] == name))
        cells.append(f"<td>{count(len(record.stems))}</td>")
        if has_params:
            cells.append(f"<td>{count(configs.get(name, {}).get('parameters'))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (
        f"Scores over all images of each record; the best of each column in bold. Below each value: its "
        f"{settings.describe(method(boot))}."
    )
    return (
        f'<table class="headline"><thead><tr>{"".join(head)}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody>\n<caption>{text(caption)}</caption></table>"
    )


def method(boot: dict[str, pd.DataFrame]) -> str:
    """How the intervals were drawn, from the bootstrap tables (every record of a comparison, the same images)."""
    return str(next(iter(boot.values())).attrs["method"])


def group_table(records: dict[str, Record], boot: dict[str, pd.DataFrame]) -> str:
    """The headline score of each model per sequence or city (``Scores.by_group``), and when there are fewer than
    5 groups the sentence that their variation cannot be estimated; empty when each image is its own unit."""
    first = next(iter(records.values()))
    if first.groups.unit == "image":
        return ""
    key = HEADLINE[0]
    tables = {name: r.scores.by_group(r.groups) for name, r in records.items()}
    shown = pd.DataFrame(
        {
            "images": next(iter(tables.values()))["images"],
            **{name: table[key].round(3) for name, table in tables.items()},
        }
    )
    shown.index.name = first.groups.unit
    unit, groups = first.groups.unit, len(shown)
    few = next(iter(boot.values())).attrs.get("few_groups", False)
    note = (
        f" With {groups} {unit}{'s' if groups != 1 else ''} the variation between {unit}s cannot be estimated: "
        f"the intervals above resample {'blocks of frames within each ' + unit if first.groups.sequences else unit + 's'}"
        f" and speak for these {unit}s only."
        if few
        else ""
    )
    caption = f"{score_label(key)} of each {unit} on its own, per model (images scored in each).{note}"
    shown.attrs["caption"] = caption
    return f'<div class="scroll">{table_to_html(shown.reset_index())}</div>'


def _best_name(boot: dict[str, pd.DataFrame], key: str) -> str | None:
    values = pd.Series({n: b.loc[key, "value"] for n, b in boot.items() if key in b.index}, dtype=float).dropna()
    if values.empty:
        return None
    return values.idxmin() if key in LOWER_IS_BETTER else values.idxmax()


def _score_cell(table: pd.DataFrame, key: str, *, bold: bool) -> str:
    if key not in table.index:
        return "<td>\u2013</td>"
    row = table.loc[key]
    value = number(row["value"])
    value = f"<b>{value}</b>" if bold else value
    return f'<td>{value}<span class="ci">{interval(row["low"], row["high"])}</span></td>'


def full_table_frame(
    records: dict[str, Record], boot: dict[str, pd.DataFrame], settings: BootstrapSettings
) -> pd.DataFrame:
    """Every scalar score (headed by its label, ``score_label``) with ``<label>_low`` / ``<label>_high`` columns,
    one row per record (index ``model``). Labels of words let the headers wrap, so the table fits the page."""
    rows = {}
    for name, record in records.items():
        row = {"scored": source_label(record), "images": len(record.stems)}
        for key in SCALAR_KEYS:
            if key in boot[name].index:
                value, label = boot[name].loc[key], score_label(key)
                row.update({label: value["value"], f"{label}_low": value["low"], f"{label}_high": value["high"]})
        sha = record.source.get("sha256")
        row["weights sha256"] = sha[:12] if sha else "\u2013"
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    first = next(iter(boot.values())).attrs
    table.attrs.update({key: first[key] for key in UNIT_ATTRS if key in first})
    table.attrs.update(
        method=method(boot),
        resamples=settings.resamples,
        level=settings.level,
        seed=settings.seed,
        caption="Every score of every record.",
    )  # caption_of adds the intervals
    return table


def full_table(records: dict[str, Record], boot: dict[str, pd.DataFrame], settings: BootstrapSettings) -> str:
    frame = full_table_frame(records, boot, settings)
    return (
        f"<details><summary>The full table: every score with its interval</summary>\n"
        f'<div class="scroll wide">{table_to_html(frame)}</div></details>'
    )


SETTINGS = ("epochs", "max_steps", "batch_size", "optimizer", "lr", "weight_decay", "loss", "crop_size", "seed")


def settings_table(configs: dict[str, dict]) -> str:
    """How each run was trained (its ``config.json``): one column per run, folded; empty without runs."""
    if not configs:
        return ""
    rows = {"parameters": {n: count(c.get("parameters")) for n, c in configs.items()}}
    rows.update({key: {n: c.get("config", {}).get(key) for n, c in configs.items()} for key in SETTINGS})
    rows.update(
        {key: {n: c.get("runtime", {}).get(key) for n, c in configs.items()} for key in ("device", "precision")}
    )
    head = '<th class="name">setting</th>' + "".join(f"<th>{text(n)}</th>" for n in configs)
    body = "".join(
        f'<tr><th class="name">{text(key)}</th>' + "".join(f"<td>{text(v)}</td>" for v in values.values()) + "</tr>"
        for key, values in rows.items()
    )
    return (
        f"<details><summary>Training settings (each run's config.json)</summary>\n"
        f'<div class="scroll"><table class="settings"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table></div></details>"
    )


def per_class_table(records: dict[str, Record]) -> str:
    """Classes x models IoU, with a white-to-blue scale on the cells and each class's share of the pixels."""
    first = next(iter(records.values()))
    names = list(first.classes.names)
    confusion = first.scores.confusion.sum(axis=1)
    share = confusion / confusion.sum() if confusion.sum() else np.full(len(names), np.nan)
    head = '<th class="name">class</th><th>pixels</th>' + "".join(f"<th>{text(n)}</th>" for n in records)
    rows = []
    for c, class_name in enumerate(names):
        cells = [
            f'<td class="name">{_swatch(first.classes.colors[c])} {text(class_name)}</td>',
            f"<td>{_percent(share[c])}</td>",
        ]
        cells += [_scaled_cell(r.scores.iou[c]) for r in records.values()]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    means = "".join(_scaled_cell(r.scores.miou, bold=True) for r in records.values())
    rows.append(f'<tr><td class="name"><b>mean (mIoU)</b></td><td></td>{means}</tr>')
    caption = (
        "IoU per class and model; darker is better (white 0, deep blue 1); \u2013: the class is undefined "
        "(neither in the targets nor predicted). Pixels: the class's share of the non-void target pixels."
    )
    return (
        f'<div class="scroll"><table class="per-class"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody>\n<caption>{text(caption)}</caption></table></div>"
    )


def scale_color(value: float) -> tuple[tuple[int, int, int], str]:
    """Background (white at 0 to deep blue at 1) and a text colour that stays readable on it."""
    t = float(np.clip(value, 0.0, 1.0))
    low, high = np.array([255, 255, 255]), np.array([33, 84, 163])
    rgb = tuple(int(round(v)) for v in low + t * (high - low))
    return rgb, ("#ffffff" if t > 0.55 else "#1d1d1f")


def _scaled_cell(value: float, *, bold: bool = False) -> str:
    if not np.isfinite(value):
        return '<td style="background: #eeeeee">\u2013</td>'
    (r, g, b), ink = scale_color(value)
    shown = f"<b>{number(value)}</b>" if bold else number(value)
    return f'<td style="background: rgb({r}, {g}, {b}); color: {ink}">{shown}</td>'


def _swatch(color) -> str:
    r, g, b = (int(v) for v in color)
    return f'<span class="swatch" style="background: rgb({r}, {g}, {b})"></span>'


def _percent(share: float) -> str:
    return "\u2013" if not np.isfinite(share) else f"{100 * share:.1f}%"


def conventions_table(records: dict[str, Record]) -> str:
    """``Scores.conventions()`` of every record: one row per convention, one column per model."""
    tables = {name: r.scores.conventions() for name, r in records.items()}
    first = next(iter(tables.values()))
    head = '<th class="name">convention</th><th class="name">reproduces</th>' + "".join(
        f"<th>{text(n)}</th>" for n in tables
    )
    rows = []
    for convention, row in first.iterrows():
        cells = [f'<td class="name">{text(convention)}</td>', f'<td class="name">{text(row["tool"])}</td>']
        cells += [f"<td>{number(t.loc[convention, 'value'])}</td>" for t in tables.values()]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (
        "The same predictions scored under other tools' averaging conventions, from the same per-image "
        "counts. The first row of each kind is the workbench's own number."
    )
    return (
        f'<div class="scroll"><table class="conventions"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody>\n<caption>{text(caption)}</caption></table></div>"
    )
