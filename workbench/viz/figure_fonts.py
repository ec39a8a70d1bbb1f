"""The smallest text a figure's PNG holds, written into the PNG, so that a page showing it can check readability.

A figure is readable when its smallest text is at least 9 pixels high *as shown*. Only the figure knows its
font sizes and only the page knows how much it shrinks the picture, so each PNG carries the first in a text
chunk (:data:`FONT_KEY`: the smallest font of a drawn text, in the PNG's own pixels) and a page multiplies it
by the shown width over the PNG's width (``tests/browser/test_notebook_screenshots.py`` does).

``figure_to_png`` writes it; notebook figures shown by matplotlib's inline backend get it from the IPython
extension here (``%load_ext workbench.viz.figure_fonts``, or ``InteractiveShellApp.extensions`` in a kernel
profile, as the browser test sets up).
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text

FONT_KEY = "workbench:smallest-font-px"


def drawn_texts(fig: Figure) -> list[Text]:
    """The figure's non-empty visible texts, less the tick labels and axis labels of axes drawn without axes."""
    hidden = set()
    for ax in fig.axes:
        if not ax.get_visible():
            hidden.update(ax.findobj(Text))
        for axis in (ax.xaxis, ax.yaxis):
            if not (ax.axison and axis.get_visible()):
                hidden.update(axis.findobj(Text))
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and t not in hidden]


def smallest_font_px(fig: Figure, dpi: float) -> float | None:
    """The smallest drawn font of ``fig`` in pixels of a PNG rendered at ``dpi`` (``None``: no text)."""
    sizes = [t.get_fontsize() for t in drawn_texts(fig)]
    return min(sizes) * dpi / 72 if sizes else None


def png_metadata(fig: Figure, dpi: float) -> dict[str, str]:
    """The PNG text chunk of ``fig`` rendered at ``dpi``, for ``savefig(metadata=...)`` (empty: no text)."""
    px = smallest_font_px(fig, dpi)
    return {} if px is None else {FONT_KEY: f"{px:.2f}"}


class _RecordingFormatter:
    """IPython's PNG formatter for figures with the font chunk added (wraps the inline backend's own)."""

    def __init__(self, inner):
        self.inner = inner

    def __call__(self, fig: Figure):
        return self.inner(fig, metadata=png_metadata(fig, fig.dpi))


def _record_inline_figures(shell) -> None:
    """Wrap the PNG formatter of figures, unless done: matplotlib's inline backend sets its own whenever it
    is activated (on the first ``import matplotlib.pyplot``), so this runs again before and after every cell
    (after: before the inline backend shows the cell's figures)."""
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        current = formatter.lookup_by_type(Figure)
    except KeyError:  # no inline backend yet: nothing to wrap
        return
    if not isinstance(current, _RecordingFormatter):
        formatter.for_type(Figure, _RecordingFormatter(current))


def load_ipython_extension(shell) -> None:
    """IPython entry point: every inline figure's PNG carries :data:`FONT_KEY` from now on."""
    _record_inline_figures(shell)
    for event in ("pre_execute", "post_execute"):  # post_execute: registered before the backend's own
        shell.events.register(event, lambda: _record_inline_figures(shell))
