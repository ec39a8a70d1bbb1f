"""The smallest font of a figure, recorded in its PNG by every encoder and by the IPython extension."""

import base64
import io

from IPython.core.interactiveshell import InteractiveShell
from IPython.core.pylabtools import select_figure_formats
from PIL import Image

from workbench.viz.encode import figure_to_png, new_figure, render_png
from workbench.viz.figure_fonts import FONT_KEY, load_ipython_extension, smallest_font_px


def recorded(png: bytes) -> float:
    return float(Image.open(io.BytesIO(png)).text[FONT_KEY])


def figure(legend_size: float = 6):
    fig = new_figure(4, 3, dpi=100)
    ax = fig.subplots()
    ax.plot([0, 1], label="line")
    ax.set_title("title", fontsize=20)
    ax.legend(fontsize=legend_size)
    return fig, ax


def test_the_smallest_drawn_text_in_pixels_of_the_png():
    fig, ax = figure(legend_size=6)
    assert recorded(figure_to_png(fig)) == round(6 * 100 / 72, 2)  # the legend, at the figure's dpi
    assert recorded(figure_to_png(fig, dpi=50)) == round(6 * 50 / 72, 2)
    assert recorded(render_png(fig)) == round(6 * 100 / 72, 2)
    ax.get_legend().remove()
    ax.tick_params(labelsize=7)
    assert smallest_font_px(fig, 72) == 7  # the tick labels
    ax.axis("off")  # tick labels are no longer drawn: the title is the smallest text left
    assert smallest_font_px(fig, 72) == 20


def test_a_figure_without_text_records_nothing():
    fig = new_figure(2, 2)
    fig.subplots().axis("off")
    assert smallest_font_px(fig, 72) is None
    assert FONT_KEY not in Image.open(io.BytesIO(figure_to_png(fig))).text


def test_the_extension_records_inline_figures_also_after_the_backend_sets_its_own_formatter():
    shell = InteractiveShell.instance()
    try:
        select_figure_formats(shell, {"png"})  # as matplotlib's inline backend does when it starts
        load_ipython_extension(shell)
        fig, _ = figure(legend_size=8)
        png = base64.b64decode(shell.display_formatter.format(fig)[0]["image/png"])
        assert recorded(png) == round(8 * fig.dpi / 72, 2)
        select_figure_formats(shell, {"png"})  # the backend activated again (pyplot imported after the extension)
        shell.events.trigger("pre_execute")
        png = base64.b64decode(shell.display_formatter.format(fig)[0]["image/png"])
        assert recorded(png) == round(8 * fig.dpi / 72, 2)
    finally:
        InteractiveShell.clear_instance()
