"""The report's "Scores over the tolerance": BF, NSD and Boundary IoU at tau, d in ``catalog.TOLERANCES``, one
panel each, a line per model with its bootstrap band (``viz.plot_tolerance_curves``); shown when a record
counted the ladder (scored with ``tolerances=True``)."""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from workbench.metrics.catalog import LADDER_COUNTS, TOLERANCE_CURVES, TOLERANCE_RULES, TOLERANCES
from workbench.records import Record
from workbench.report.figures import FONT
from workbench.report.page import embed_figure, section
from workbench.report.summary import BootstrapSettings
from workbench.viz.tolerance_plots import plot_tolerance_curves


def tolerance_sections(records: dict[str, Record], settings: BootstrapSettings) -> list[str]:
    """The section, or none when no record holds the ladder's counts."""
    counted = {name: r for name, r in records.items() if all(k in r.scores.image_stats.counts for k in LADDER_COUNTS)}
    if not counted:
        return []
    return [
        section(
            "Scores over the tolerance",
            tolerance_figure(counted, settings, set(records) - set(counted)),
            section_id="tolerance",
        )
    ]


def tolerance_figure(records: dict[str, Record], settings: BootstrapSettings, skipped: set[str] = frozenset()) -> str:
    """Three panels (BF, NSD, Boundary IoU) against the tolerance in pixels, every model a line with its band."""
    fig = Figure(figsize=(11.4, 3.6), layout="constrained")
    method = None
    with matplotlib.rc_context(FONT):
        for ax, key in zip(fig.subplots(1, len(TOLERANCE_CURVES))[0:], TOLERANCE_CURVES):
            curves = {
                name: r.scores.tolerance_curve(
                    key,
                    resamples=settings.resamples,
                    level=settings.level,
                    seed=settings.seed,
                    **r.groups.bootstrap_options(),
                )
                for name, r in records.items()
            }
            plot_tolerance_curves(ax, curves, key=key)
            ax.set_title(None)
            method = next(iter(curves.values())).attrs.get("method")
    rungs = ", ".join(str(t) for t in TOLERANCES)
    caption = (
        f"BF and NSD at tau and Boundary IoU at band width d in {{{rungs}}} pixels, each rung what a fresh "
        f"evaluation at that tolerance gives (the headline scores use {TOLERANCE_RULES['boundary_f1']} for tau "
        f"and {TOLERANCE_RULES['boundary_miou']} for d). Bands: the central "
        f"{settings.level:.0%} of {settings.resamples} resamples ({method}). A curve that keeps rising "
        "at large tau means boundaries displaced by many pixels, not only jagged."
    )
    if skipped:
        caption += f" Not counted for {', '.join(sorted(skipped))} (scored without tolerances=True)."
    return embed_figure(fig, caption)
