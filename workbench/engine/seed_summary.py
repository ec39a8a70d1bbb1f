"""The summary of a comparison repeated under several seeds: ``<out>/seeds.{csv,md}``, one row per model.

Training variance next to test-set sampling variance: for each headline score, the mean and the sample
standard deviation (``ddof=1``) over the seeds' runs, and the first seed's score with its image-level
bootstrap interval (from that seed's comparison table, see ``comparison_table``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.metrics import HEADLINE
from workbench.records import export_table
from workbench.records.tables import INTERVAL_ATTRS

SEED_FOLDER = "seed-{seed}"  # each seed's comparison folder inside the comparison folder


def seed_folder(out: str | Path, seed: int) -> Path:
    """``out/seed-<seed>``: the normal comparison folder of one seed."""
    return Path(out) / SEED_FOLDER.format(seed=seed)


def seed_summary(tables: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """One row per model (index ``model``) from the comparison tables of each seed (seed -> table).

    Columns: ``seeds_ok`` (runs that did not diverge), then per ``HEADLINE`` key present: ``<key>_mean``,
    ``<key>_std`` (over seeds, ``ddof=1``; NaN with one seed), ``<key>`` (the first seed's score) with
    ``<key>_low`` / ``<key>_high`` (its bootstrap interval, when that table has one).
    """
    if not tables:
        raise ValueError("seed_summary: no seeds; pass at least one seed (e.g. seeds=(0, 1, 2)).")
    seeds = list(tables)
    first = tables[seeds[0]]
    keys = [key for key in HEADLINE if key in first]
    summary = pd.DataFrame(index=pd.Index(first.index, name="model"))
    if "status" in first:
        summary["seeds_ok"] = [sum(tables[s].loc[m, "status"] == "ok" for s in seeds) for m in first.index]
    for key in keys:
        per_seed = np.array([[tables[s].loc[m, key] for s in seeds] for m in first.index], dtype=float)
        summary[f"{key}_mean"] = per_seed.mean(axis=1)
        summary[f"{key}_std"] = per_seed.std(axis=1, ddof=1) if len(seeds) > 1 else np.nan
        summary[key] = first[key].to_numpy(dtype=float)
        for side in ("low", "high"):
            if f"{key}_{side}" in first:
                summary[f"{key}_{side}"] = first[f"{key}_{side}"].to_numpy(dtype=float)
    shown = ", ".join(str(s) for s in seeds)
    summary.attrs.update({key: first.attrs[key] for key in INTERVAL_ATTRS if key in first.attrs})
    summary.attrs.update(
        seeds=shown,
        first_seed=seeds[0],
        caption=(
            f"{len(first.index)} models, each trained under the seeds {shown} with one budget; one record per run in "
            f"{SEED_FOLDER.format(seed='<seed>')}/<model>/. <score>_mean and <score>_std: mean and sample standard "
            f"deviation (ddof=1) over the seeds (training variance); <score>: the score of seed {seeds[0]}'s run, in "
            f"brackets its bootstrap interval over the test images (sampling variance)."
        ),
    )
    return summary


def write_seed_summary(out: str | Path, summary: pd.DataFrame) -> None:
    """``out/seeds.csv`` and ``out/seeds.md``."""
    for suffix in (".csv", ".md"):
        export_table(summary, Path(out) / f"seeds{suffix}")
