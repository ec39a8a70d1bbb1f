"""HTML legends for the widgets: one coloured swatch per entry, in the colours the panels use."""

from __future__ import annotations

import html
from collections.abc import Iterable

from workbench.data.classes import Classes


def swatch(name: str, color) -> str:
    """A small box of ``color`` (RGB 0..255) followed by ``name``, kept on one line."""
    r, g, b = (int(v) for v in color)
    box = f"display:inline-block;width:0.9em;height:0.9em;background:rgb({r},{g},{b});border:1px solid #444"
    return f'<span style="white-space:nowrap;margin-right:0.6em"><span style="{box}"></span> {html.escape(str(name))}</span>'


def legend_html(entries: Iterable[tuple[str, object]]) -> str:
    """Swatches of ``(name, colour)`` pairs in one line that wraps."""
    return " ".join(swatch(name, color) for name, color in entries)


def class_legend_html(classes: Classes) -> str:
    """The class colours of an argmax map, in class-id order."""
    return legend_html(zip(classes.names, classes.colors))
