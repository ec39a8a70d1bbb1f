"""The review's verdicts, from the records alone: the best model per headline score, and whether its lead is real.

Intervals are the bootstrap of ``Scores.bootstrap`` over the units in which the images were sampled (the
record's ``groups``: each image alone, whole cities, or moving blocks of frames within each video sequence);
the lead of the best model over the runner-up is tested with ``paired_bootstrap`` (the same resamples for
both), and "holds" when the interval of the difference excludes zero. A model is flagged "near chance" when its mIoU is below 1.5 times
the majority-class chance level: the mIoU of predicting the most frequent target class everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.metrics import HEADLINE, LOWER_IS_BETTER, NEAR_CHANCE_FACTOR, chance_miou, paired_bootstrap
from workbench.records import Record


@dataclass(frozen=True)
class BootstrapSettings:
    """How the intervals are drawn (stated next to every interval)."""

    resamples: int = 2000
    level: float = 0.95
    seed: int = 0

    def describe(self, method: str) -> str:
        """The intervals in words, ``method`` being the bootstrap tables' (``attrs["method"]``)."""
        return f"{self.level:.0%} intervals: {method}, {self.resamples} resamples, seed {self.seed}"


@dataclass(frozen=True)
class Lead:
    """The best record on one score, and the paired comparison with the runner-up (None when alone)."""

    key: str
    best: str
    value: float
    low: float
    high: float
    runner_up: str | None
    paired: pd.Series | None

    @property
    def holds(self) -> bool | None:
        """True when the paired interval of (best - runner-up) excludes zero on the better side."""
        if self.paired is None:
            return None
        if self.key in LOWER_IS_BETTER:
            return bool(self.paired["high"] < 0)
        return bool(self.paired["low"] > 0)


def intervals(records: dict[str, Record], settings: BootstrapSettings) -> dict[str, pd.DataFrame]:
    """name -> ``Scores.bootstrap`` table (``value``, ``low``, ``high`` by score key), over each record's
    sampling units (``record.groups``)."""
    return {
        name: r.scores.bootstrap(
            resamples=settings.resamples, level=settings.level, seed=settings.seed, **r.groups.bootstrap_options()
        )
        for name, r in records.items()
    }


def leads(
    records: dict[str, Record],
    boot: dict[str, pd.DataFrame],
    settings: BootstrapSettings,
    *,
    paired: bool,
    keys=HEADLINE,
) -> list[Lead]:
    """One ``Lead`` per score key that some record defines.

    Args:
        records: name -> record.
        boot: ``intervals(records, settings)``.
        paired: whether the records scored the same images (otherwise no paired comparison is made).
    """
    found = []
    for key in keys:
        values = pd.Series(
            {name: table.loc[key, "value"] for name, table in boot.items() if key in table.index}, dtype=float
        ).dropna()
        if values.empty:
            continue
        ranked = values.sort_values(ascending=key in LOWER_IS_BETTER, kind="stable")
        best, runner_up = ranked.index[0], (ranked.index[1] if len(ranked) > 1 else None)
        comparison = None
        if runner_up is not None and paired:
            comparison = paired_bootstrap(
                records[best].scores,
                records[runner_up].scores,
                key=key,
                resamples=settings.resamples,
                level=settings.level,
                seed=settings.seed,
                **records[best].groups.bootstrap_options(),
            )
        row = boot[best].loc[key]
        found.append(Lead(key, best, float(row["value"]), float(row["low"]), float(row["high"]), runner_up, comparison))
    return found


def majority_chance_miou(confusion) -> float:
    """``wb.metrics.chance_miou``'s majority level from a confusion matrix ``(C, C)`` (its rows are the target
    pixel counts): the mIoU of predicting the most frequent target class everywhere; NaN when it is empty."""
    return chance_miou(np.asarray(confusion).sum(axis=1))["majority"]


def near_chance(records: dict[str, Record]) -> dict[str, tuple[float, float]]:
    """name -> (mIoU, majority-class chance mIoU) of each record below ``NEAR_CHANCE_FACTOR`` x chance."""
    flagged = {}
    for name, record in records.items():
        chance = majority_chance_miou(record.scores.confusion)
        miou = record.scores.miou
        if np.isfinite(chance) and (not np.isfinite(miou) or miou < NEAR_CHANCE_FACTOR * chance):  # NaN mIoU too
            flagged[name] = (float(miou), chance)
    return flagged
