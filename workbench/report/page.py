"""The review page's frame: inline styles (screen and print), escaped text, embedded PNGs, number formats.

The page has no scripts and no external resources, so it opens offline and can be mailed as one file.
Everything that comes from data goes through ``text()`` (``html.escape``) before it reaches the page.
"""

from __future__ import annotations

import base64
import html
import io
import math

import numpy as np
from matplotlib.figure import Figure

FIGURE_DPI = 100  # figures are drawn at their display size, so 10-pt text reads as 14 px on screen
SHARPNESS = 1.5  # pixels per display pixel: sharp on projectors and in print, and quick to draw

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 1em 1.5em 3em; color: #1d1d1f; line-height: 1.45; font-size: 16px; }
h1 { font-size: 1.7em; margin: 0.3em 0 0.2em; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; border-bottom: 1px solid #ddd; padding-bottom: 0.15em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
p.meta { color: #555; margin: 0 0 1em; }
table { border-collapse: collapse; margin: 0.4em 0 1.2em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d0d0; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.name, th.name { text-align: left; }
table.headline { width: 100%; table-layout: auto; }
table.headline td .ci { display: block; font-size: 0.8em; color: #555; white-space: nowrap; }
.wide table { font-size: 0.85em; }
.scroll { max-width: 100%; overflow-x: auto; }
caption { caption-side: bottom; text-align: left; font-size: 0.85em; color: #555; padding-top: 0.4em; }
ul.summary { padding-left: 1.2em; } ul.summary li { margin: 0.25em 0; }
.flag { background: #fde8e8; color: #9b1c1c; border-radius: 3px; padding: 0 0.35em; font-size: 0.85em;
        white-space: nowrap; font-weight: 600; }
.note { background: #fff6dd; border-left: 4px solid #e0b000; padding: 0.4em 0.8em; }
details { margin: 0.5em 0 1em; } summary { cursor: pointer; color: #1f4e99; }
.grid2 { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1em 1.5em; }
figure { margin: 0 0 1em; } figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85em; color: #555; margin-top: 0.3em; }
table.gallery { table-layout: fixed; width: 100%; }
table.gallery thead th { text-align: center; }
table.gallery tr.label th { text-align: left; overflow-wrap: anywhere; padding-top: 0.5em; }
table.gallery td { padding: 2px; text-align: center; vertical-align: middle; }
table.gallery img { width: 100%; height: auto; image-rendering: pixelated; display: block; }
table.confusion { font-size: 0.78em; margin: 0.2em 0 0.6em; }
table.confusion th, table.confusion td { padding: 0.2em 0.3em; min-width: 2.4em; text-align: center; }
table.confusion th.name { text-align: left; white-space: nowrap; max-width: 14em; overflow: hidden;
                          text-overflow: ellipsis; }
.matrix h3 { margin: 0.2em 0; } p.caption { font-size: 0.85em; color: #555; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #444; vertical-align: middle; }
.legend span.item { white-space: nowrap; margin-right: 1em; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2, h3 { break-after: avoid; break-inside: avoid; }
  /* a heading keeps room for what follows it: no heading alone at the foot of a page */
  h2::after, h3::after { content: ""; display: block; height: 7em; margin-bottom: -7em; }
  table, figure, tr { break-inside: avoid; } tr.label { break-after: avoid; }
  /* folded tables print unfolded: paper has no summary to click */
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; font-weight: 600; color: inherit; }
  .scroll { overflow: visible; } .wide table { font-size: 7.5pt; } .wide th, .wide td { padding: 0.15em 0.3em; }
  .grid2 { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); }
  a { color: inherit; text-decoration: none; }
}
"""


def text(value) -> str:
    """Any value as escaped HTML text."""
    return html.escape(str(value))


def page(title: str, subtitle: str, sections: list[str]) -> str:
    """The whole document: inline styles, no scripts, no external resources."""
    body = "\n".join(sections)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{text(title)}</title>\n'
        f'<style>{STYLE}</style>\n</head>\n<body>\n<h1>{text(title)}</h1>\n<p class="meta">{subtitle}</p>\n'
        f"{body}\n</body>\n</html>\n"
    )


def section(heading: str, body: str, *, section_id: str) -> str:
    return f'<section id="{section_id}">\n<h2>{text(heading)}</h2>\n{body}\n</section>'


def data_uri(png: bytes) -> str:
    """PNG bytes inline: the file needs nothing beside it."""
    return f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}"


def embed_png(png: bytes, caption: str, *, width: int | None = None) -> str:
    """A figure element with the PNG inline as a data URI."""
    source = data_uri(png)
    size = f' style="width: {int(width)}px"' if width else ""
    return f'<figure><img alt="{text(caption)}" src="{source}"{size}><figcaption>{text(caption)}</figcaption></figure>'


def embed_figure(fig: Figure, caption: str) -> str:
    """A matplotlib figure at its own size (``FIGURE_DPI``), shrunk only when the page is narrower.

    Saved without ``bbox_inches="tight"``: the figures use constrained layout, which already fits them,
    and a tight box would draw every figure twice.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=SHARPNESS * FIGURE_DPI)
    return embed_png(buffer.getvalue(), caption, width=fig.get_size_inches()[0] * FIGURE_DPI)


def number(value, digits: int = 3) -> str:
    """A score as text: ``digits`` decimals, an en dash for NaN or None."""
    if value is None or not math.isfinite(float(value)):
        return "\u2013"
    return f"{float(value):.{digits}f}"


def interval(low, high, digits: int = 3) -> str:
    """``[low, high]``, or an empty string when either end is undefined."""
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return ""
    return f"[{number(low, digits)}, {number(high, digits)}]"


def count(value) -> str:
    """An integer count with thousands separators (``11,196,917``)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "\u2013"
    return f"{int(value):,}"
