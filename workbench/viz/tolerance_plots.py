"""Scores over the tolerance (``Scores.tolerance_curve``): one line per model, with its bootstrap band."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from workbench.metrics.catalog import TOLERANCE_CURVES, TOLERANCE_RULES, default_tolerance, score_label


def plot_tolerance_curves(
    ax: Axes,
    scores_by_model: Mapping[str, object],
    key: str = "boundary_f1",
    *,
    image_size: tuple[int, int] | None = None,
    intervals: bool = True,
    **bootstrap_options,
) -> list[Line2D]:
    """A boundary score against its tolerance, one line per model with its percentile-bootstrap band.

    Args:
        ax: the axis to draw on.
        scores_by_model: name -> ``Scores`` evaluated with ``tolerances=True`` (or a ``tolerance_curve`` table).
        key: ``"boundary_f1"``, ``"nsd"`` or ``"boundary_miou"``.
        image_size: ``(H, W)`` of the images, to mark DESIGN.md's default tolerance at that size (a dotted
            vertical line); None states the default's rule in the legend title instead.
        intervals: False draws the lines alone.
        bootstrap_options: for ``Scores.tolerance_curve`` (``resamples``, ``level``, ``seed``, ``groups``, ``block``).

    Returns:
        The model lines, in the order given.
    """
    if key not in TOLERANCE_CURVES:
        raise ValueError(f"plot_tolerance_curves: key must be one of {list(TOLERANCE_CURVES)}, got {key!r}.")
    lines, method = [], None
    for name, scores in scores_by_model.items():
        curve = (
            scores
            if hasattr(scores, "columns")
            else scores.tolerance_curve(key, intervals=intervals, **bootstrap_options)
        )
        x = curve.index.to_numpy(dtype=np.float64)
        (line,) = ax.plot(x, curve["value"], marker="o", markersize=3, label=name)
        if intervals and "low" in curve:
            ax.fill_between(x, curve["low"], curve["high"], color=line.get_color(), alpha=0.2, linewidth=0)
            method = curve.attrs.get("method", method)
        lines.append(line)
    symbol = "d" if key == "boundary_miou" else "tau"
    title = None
    if image_size is not None:
        default = default_tolerance(key, *image_size)
        ax.axvline(
            default,
            color="0.4",
            linestyle=":",
            linewidth=1,
            label=f"default {symbol} = {default:.3g} px ({image_size[0]}x{image_size[1]})",
        )
    else:
        title = f"default {symbol}: {TOLERANCE_RULES[key]}"
    ax.set_xscale("log")
    ax.set_xticks(x, labels=[f"{v:g}" for v in x])
    ax.minorticks_off()
    ax.set_xlabel(("band width d" if key == "boundary_miou" else "tolerance tau") + " (px)")
    ax.set_ylabel(score_label(key))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small", title=title, title_fontsize="small")  # where it covers fewest points
    if method:
        ax.set_title(f"{score_label(key)} over the tolerance; bands: {method}", fontsize="small")
    return lines
