"""The comparison table: one row per source (model or prediction folder), scored on the same images.

Computed from each source's ``Scores``: its scalar scores, the bootstrap interval of each headline score, and
a flag for a source near the chance level; ``workbench.records.write_comparison`` writes it into the
comparison folder, ``workbench compare`` and ``workbench evaluate --preds`` print it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.metrics.bootstrap import UNIT_ATTRS
from workbench.metrics.catalog import HEADLINE
from workbench.metrics.chance import NEAR_CHANCE, NEAR_CHANCE_FACTOR, chance_miou, chance_note
from workbench.metrics.notes import metric_notes
from workbench.metrics.scores import Scores


def comparison_table(
    scores: Mapping[str, Scores],
    rows: Mapping[str, dict] | None = None,
    *,
    settings: str = "",
    ignore_index: int = 255,
    groups=None,
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
        groups: how the images were sampled (a ``workbench.data.ImageGroups``: ``wb.data.image_groups(data)``
            or ``record.groups``): the intervals resample those units (moving blocks of frames within each
            sequence, whole cities...); None: each image alone.
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
