"""The files of a comparison folder: one record per model or prediction source, plus the comparison tables.

``comparison.{csv,md,tex,html}`` (one row per source), ``per_class_iou.{csv,md}``, ``chance.json`` and
``comparison.json`` (the order of the records). ``compare`` and ``workbench evaluate`` both write them
here. Figures are no business of the engine (it does not import ``viz``): the command line draws them from
the records, and the report embeds its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.groups import ImageGroups
from workbench.metrics import HEADLINE, NEAR_CHANCE, NEAR_CHANCE_FACTOR, Scores, chance_miou, chance_note, metric_notes
from workbench.metrics.bootstrap import UNIT_ATTRS
from workbench.records import Record, atomic_write_json, common_stems, export_table, write_comparison_order


def comparison_table(
    scores: Mapping[str, Scores],
    rows: Mapping[str, dict] | None = None,
    *,
    settings: str = "",
    ignore_index: int = 255,
    groups: ImageGroups | None = None,
) -> pd.DataFrame:
    """One row per source (index ``model``): ``rows[name]`` (training facts), the scalar scores, and ``note``:
    ``NEAR_CHANCE`` for a source whose mIoU is below ``NEAR_CHANCE_FACTOR`` x the majority-class chance level.

    Each ``HEADLINE`` score (``workbench.metrics.catalog``) gets ``<key>_low`` / ``<key>_high``: the interval of
    that source's ``scores.bootstrap()`` (its defaults, stated in ``attrs`` as ``method``, ``resamples``, ``level`` and
    ``seed``, which the exporters put in every caption). Sources without per-image statistics (scores of a
    run that kept no folder) get NaN there; when none has them, the interval columns are left out.

    Args:
        scores: name -> ``Scores`` (``record.scores``); a name of ``rows`` without scores (a diverged run)
            gets NaN scores.
        rows: extra columns per name (status, parameters, train time...).
        settings: a sentence on how the sources were made, for the caption.
        ignore_index: the void value, stated in the caption.
        groups: how the images were sampled (``wb.data.image_groups``, or ``record.groups``): the intervals
            resample those units (moving blocks of frames within each sequence, whole cities...); None: each
            image alone.
    """
    rows = dict(rows or {})
    names = list(rows) + [name for name in scores if name not in rows]
    options = {} if groups is None else groups.bootstrap_options()
    boots = {name: s.bootstrap(**options) for name, s in scores.items() if getattr(s, "image_stats", None) is not None}
    table = pd.DataFrame(
        [{"model": name, **rows.get(name, {}), **_scalar_scores(scores.get(name), boots.get(name))} for name in names]
    )
    table = table.set_index("model")
    if boots:
        table = _with_interval_columns(table)
    notes = metric_notes(ignore_index)  # the one statement of the conventions, as in Scores.table()
    attrs = {key: value for key, value in notes.items() if key != "caption"}
    chance_text = ""
    first = next(iter(scores.values()), None)
    if first is not None:  # the same targets for every source: any confusion matrix counts them
        chance = chance_miou(np.asarray(first.confusion).sum(axis=1))
        attrs.update(chance_miou_majority=chance["majority"], chance_miou_uniform=chance["uniform"])
        if "miou" in table:  # the flag of a model that has not learned yet, in the table itself
            table["note"] = [chance_note(miou, chance["majority"]) for miou in table["miou"]]
        chance_text = (
            f" Chance mIoU: {chance['majority']:.4f} (most frequent class everywhere), "
            f'{chance["uniform"]:.4f} (uniformly random class); note "{NEAR_CHANCE}": mIoU below '
            f"{NEAR_CHANCE_FACTOR:g} x the first."
        )
    attrs["caption"] = (
        f"{len(names)} sources scored on the same images.{' ' + settings if settings else ''} "
        f"{notes['caption']}{chance_text}"
    )
    if boots:
        boot_attrs = next(iter(boots.values())).attrs
        attrs.update({key: boot_attrs[key] for key in ("method", "resamples", "level", "seed")})
        attrs.update({key: boot_attrs[key] for key in UNIT_ATTRS if key in boot_attrs})
    table.attrs.update(attrs)
    return table


def _scalar_scores(scores: Scores | None, boot: pd.DataFrame | None = None) -> dict:
    """The scalar scores, each ``HEADLINE`` one followed by its interval when ``boot`` (its bootstrap) is given."""
    if scores is None:
        return {}
    values = {}
    for key, value in scores.as_dict().items():
        if np.ndim(value) != 0:
            continue
        values[key] = float(value)
        if boot is not None and key in HEADLINE and key in boot.index:
            values.update({f"{key}_low": float(boot.loc[key, "low"]), f"{key}_high": float(boot.loc[key, "high"])})
    return values


def _with_interval_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Every ``HEADLINE`` score column with a ``_low`` / ``_high`` column right after it (NaN where missing)."""
    columns = []
    for column in table.columns:
        if column.endswith(("_low", "_high")) and column.rsplit("_", 1)[0] in HEADLINE:
            continue
        columns.append(column)
        if column in HEADLINE:
            columns += [f"{column}_low", f"{column}_high"]
    return table.reindex(columns=columns)


def write_comparison(out: str | Path, table: pd.DataFrame, records: Mapping[str, Record]) -> None:
    """Write the comparison tables of ``records`` (all scored on the same images) into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for suffix in (".csv", ".md", ".tex", ".html"):
        export_table(table.reset_index(), out / f"comparison{suffix}")
    chance = {k.removeprefix("chance_miou_"): v for k, v in table.attrs.items() if k.startswith("chance_miou_")}
    atomic_write_json(out / "chance.json", {"miou": chance, "definition": chance_miou.__doc__.split("\n\n")[0].strip()})
    if records:
        _write_per_class_iou(out, records)
    write_comparison_order(out, list(records))  # last: a reader sees the whole comparison or none


def _write_per_class_iou(out: Path, records: Mapping[str, Record]) -> None:
    common_stems(records, out)
    first = next(iter(records.values()))
    iou = pd.DataFrame(
        {name: r.scores.iou for name, r in records.items()}, index=pd.Index(first.classes.names, name="class")
    ).reset_index()
    iou.attrs.update(
        caption="Per-class IoU, one column per source (NaN: class absent from targets and predictions; "
        f"pixels with target {first.classes.ignore_index} left out).",
        ignore_index=first.classes.ignore_index,
    )
    for suffix in (".csv", ".md"):
        export_table(iou, out / f"per_class_iou{suffix}")
