"""TransposedConvExplorer: transposed convolution as scatter-add, as ``V^T``, and as a convolution.

Three layers (STYLE.md item 8): ``workbench.ops.transposed_conv_walkthrough`` computes every array once per
settings change (cached, so returning to earlier settings is free); ``workbench.viz.ops_figures`` draws
them; this class only wires sliders to the two. Moving the step slider indexes into the precomputed
partial sums and redraws; nothing is recomputed. The three views sit in tabs and only the visible one is
drawn; a hidden view that went out of date is drawn when its tab is opened. Steps count from 1 on the
slider and in every title; the input and kernel count from 1 too, so that step 1 stamps a visible kernel.

Test without a browser: ``w = TransposedConvExplorer(); w.stride.value = 2`` then read ``w.state``.
"""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets
import torch

from workbench.ops import TransposedConvWalkthrough, transposed_conv_walkthrough
from workbench.viz.encode import new_figure, render_png
from workbench.viz.ops_figures import draw_equivalent_conv, draw_matrix_view, draw_scatter_step
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

__all__ = ["TransposedConvExplorer"]  # what workbench.widgets exports

SETTINGS = ("input_size", "kernel_size", "stride", "padding", "output_padding")
VIEWS = ("scatter", "matrix", "conv")  # the step slider changes all three
TAB_TITLES = ("scatter-add", "matrix V^T", "as a convolution")
FIGURE_WIDTH, FIGURE_HEIGHT = 10.0, 3.6  # inches; at 96 dpi 960 x 346 pixels, titles about 15 px tall


def matrix_height(rows: int) -> float:
    """Inches for the matrix view of a ``V^T`` with ``rows`` rows: about 0.2 in (19 px) a row, 3.6 to 9 in."""
    return min(9.0, max(FIGURE_HEIGHT, 0.9 + 0.2 * rows))


class TransposedConvExplorer(SnapshotDisplay):
    """Sliders for input size, kernel size, stride, padding, output padding and scatter step.

    The input is ``1 .. H * W`` and the kernel ``1 .. K * K`` (row-major), so no stamp is zero: the defaults
    (2 x 2 input, 2 x 2 kernel, stride 1) give ``[[1, 4, 4], [6, 20, 16], [9, 24, 16]]``.

    Attributes:
        widget: the ipywidgets container to display.
        input_size, kernel_size, stride, padding, output_padding, step: the ``IntSlider`` controls
            (``step`` runs from 1 to H * W: the input pixel added last, row-major).
        status: ``HTML`` line; says why when the settings have no output (padding crops everything).
        images: ``{"scatter", "matrix", "conv"}`` -> ``ipywidgets.Image`` (PNG).
        tabs: the ``ipywidgets.Tab`` holding the three images (``selected_index`` picks the view).
        shapes: ``HTML`` table of the shape arithmetic with the current numbers.
        state: the data on display: ``settings`` (dict), ``error`` (str or None), ``walkthrough``
            (:class:`~workbench.ops.TransposedConvWalkthrough`), ``input``, ``kernel``, ``output``
            ``(H', W')``, ``matrix`` V, ``shapes``, ``step`` (1-based), ``position`` ``(i, j)``, ``partial`` (output
            after the step), ``canvas`` (uncropped partial sum), ``view`` (the visible tab's view) and
            ``renders`` (images drawn, per view).
    """

    def __init__(
        self,
        *,
        input_size: int = 2,
        kernel_size: int = 2,
        stride: int = 1,
        padding: int = 0,
        output_padding: int = 0,
        dpi: float = 96,
    ):
        slider = functools.partial(widgets.IntSlider, continuous_update=True, style={"description_width": "initial"})
        self.input_size = slider(value=input_size, min=1, max=5, description="input size")
        self.kernel_size = slider(value=kernel_size, min=1, max=5, description="kernel size")
        self.stride = slider(value=stride, min=1, max=4, description="stride")
        self.padding = slider(value=padding, min=0, max=4, description="padding")
        self.output_padding = slider(
            value=min(output_padding, stride - 1), min=0, max=max(stride - 1, 0), description="output padding"
        )
        self.step = slider(value=1, min=1, max=input_size**2, description="step")
        self.status = widgets.HTML()
        self.shapes = widgets.HTML()
        self.images = {
            name: widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto")) for name in VIEWS
        }
        self._figures = _figures(dpi)
        self._grids = {name: None for name in VIEWS}
        self._adjusting = False  # set while this class moves a slider's bounds, so the echo is ignored
        self._stale: set[str] = set()  # views whose image is out of date (drawn when their tab opens)
        self.state: dict = {"renders": {name: 0 for name in VIEWS}}
        self.tabs = widgets.Tab(children=[self.images[name] for name in VIEWS], titles=TAB_TITLES)
        self._views = widgets.VBox([self.tabs, self.shapes])
        self.widget = SnapshotBox(
            [
                widgets.HBox([self.input_size, self.kernel_size, self.stride]),
                widgets.HBox([self.padding, self.output_padding, self.step]),
                self.status,
                self._views,
            ],
            snapshot=Snapshot(self._picture, name="TransposedConvExplorer"),
        )
        for name in SETTINGS:
            getattr(self, name).observe(self._on_settings, names="value")
        self.step.observe(self._on_step, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self._on_settings()
        if not self.state["error"]:  # build every view's artists now, not on the first opening of its tab
            for name in self._stale.copy():
                self._draw(name)
                self._stale.discard(name)

    def _on_settings(self, change=None) -> None:
        if self._adjusting:
            return
        self._clamp_sliders()
        settings = {name: getattr(self, name).value for name in SETTINGS}
        self.state.update(settings=settings)
        try:
            walk = _walkthrough(**settings)
        except ValueError as err:
            self._show_error(str(err))
            return
        self._show_walkthrough(walk)
        self._render(VIEWS)

    def _on_step(self, change=None) -> None:
        if self._adjusting or self.state.get("error"):
            return
        self._set_step(self.step.value)
        self._render(VIEWS)

    def _on_tab(self, change=None) -> None:
        if not self.state.get("error"):
            self._render(())

    def _clamp_sliders(self) -> None:
        """Keep output padding below the stride (torch's rule) and the step inside the input."""
        self._adjusting = True
        try:
            self.output_padding.max = self.stride.value - 1
            self.step.max = self.input_size.value**2
        finally:
            self._adjusting = False

    def _show_walkthrough(self, walk: TransposedConvWalkthrough) -> None:
        self.state.update(
            error=None,
            walkthrough=walk,
            input=walk.input,
            kernel=walk.kernel,
            output=walk.output,
            matrix=walk.matrix,
            shapes=walk.shapes,
        )
        self._set_step(self.step.value)
        self.status.value = ""
        self.shapes.value = shapes_html(walk)
        self._views.layout.display = None

    def _show_error(self, message: str) -> None:
        for key in ("walkthrough", "input", "kernel", "output", "matrix", "shapes", "partial", "canvas", "position"):
            self.state[key] = None
        self.state["error"] = message
        self.status.value = f"<span style='color:#b00'>No output for these settings: {html.escape(message)}</span>"
        self._views.layout.display = "none"
        self.widget.snapshot.update()

    def _set_step(self, step: int) -> None:
        steps, index = self.state["walkthrough"].steps, step - 1  # the slider counts from 1
        self.state.update(
            step=step,
            position=tuple(steps.positions[index].tolist()),
            partial=steps.outputs[index],
            canvas=steps.canvases[index],
        )

    def _render(self, views) -> None:
        """Mark ``views`` out of date, then draw the visible view if it is."""
        self._stale.update(views)
        name = VIEWS[self.tabs.selected_index or 0]
        self.state["view"] = name
        if name in self._stale:
            self._draw(name)
            self._stale.discard(name)
        self.widget.snapshot.update()

    def _draw(self, name: str) -> None:
        walk, step = self.state["walkthrough"], self.state["step"] - 1
        figure, axes = self._figures[name]
        if name == "scatter":
            self._grids[name] = draw_scatter_step(axes, walk, step, self._grids[name])
        elif name == "matrix":
            # V^T has H'W' rows: grow the figure with them so that each row keeps a readable number
            figure.set_size_inches(FIGURE_WIDTH, matrix_height(walk.matrix.shape[1]))
            self._grids[name] = draw_matrix_view(axes, walk, step, self._grids[name])
        else:
            self._grids[name] = draw_equivalent_conv(axes, walk, step, self._grids[name])
        self.images[name].value = render_png(figure)
        self.state["renders"][name] += 1

    def _picture(self) -> Picture:
        """The visible view and the shape table, or the message when the settings have no output."""
        if self.state.get("error"):
            return Picture(None, self.status.value)
        return Picture(self.images[self.state["view"]].value, self.shapes.value)


@functools.lru_cache(maxsize=128)
def _walkthrough(
    input_size: int, kernel_size: int, stride: int, padding: int, output_padding: int
) -> TransposedConvWalkthrough:
    """The walkthrough for one combination of settings (cached: sliders revisit settings often)."""
    x = torch.arange(1, input_size**2 + 1, dtype=torch.float64).reshape(input_size, input_size)
    kernel = torch.arange(1, kernel_size**2 + 1, dtype=torch.float64).reshape(kernel_size, kernel_size)
    return transposed_conv_walkthrough(x, kernel, stride=stride, padding=padding, output_padding=output_padding)


def shapes_html(walk: TransposedConvWalkthrough) -> str:
    """The shape arithmetic of the current settings, each formula with its numbers filled in."""
    (h, _), (k, _) = walk.shapes["input"], walk.shapes["kernel"]
    s, p, op = walk.stride, walk.padding, walk.output_padding
    out, canvas = walk.shapes["output"][0], walk.shapes["canvas"][0]
    rows = [
        ("transposed conv output", f"S(H-1) + K - 2P + OP = {s}({h}-1) + {k} - 2*{p} + {op} = {out}"),
        ("uncropped canvas", f"S(H-1) + K + OP = {canvas}; padding crops {p} from each side"),
        (
            "convolution back",
            f"floor((H' - K + 2P) / S) + 1 = floor(({out} - {k} + 2*{p}) / {s}) + 1 = {walk.shapes['conv_back'][0]}",
        ),
        ("matrix V / V^T", f"V is {h * h} x {out * out}; Y' = V^T X' is ({out * out} x {h * h})({h * h} x 1)"),
        (
            "equivalent conv input",
            f"S(H-1)+1 + 2(K-P-1) + OP = {walk.shapes['stuffed'][0]} + "
            f"2*({walk.shapes['conv_padding'][0]}) + {op} = {walk.shapes['conv_input'][0]}",
        ),
    ]
    cells = "".join(f"<tr><td><b>{name}</b></td><td><code>{text}</code></td></tr>" for name, text in rows)
    legend = (
        "<p>Red: the input pixel of this step and the window it adds <code>x[i,j] * K</code> to (in the "
        "convolution tab: where that pixel sits among the inserted zeros, and the output pixels whose "
        "windows cover it); green dashed: the part of the canvas kept as output. Grey: padding, white: "
        "inserted zeros. Partial sums are coloured on each step's own range.</p>"
    )
    return f"<table>{cells}</table>{legend}"


def _figures(dpi: float) -> dict:
    """One persistent figure per view; the widget only updates their artists."""
    figures = {}
    for name in VIEWS:
        ratios = [6, 1, 1] if name == "matrix" else [1, 1, 1]
        figure = new_figure(FIGURE_WIDTH, FIGURE_HEIGHT, dpi=dpi)
        axes = figure.subplots(1, 3, gridspec_kw={"width_ratios": ratios})
        figure.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.03, wspace=0.2)
        figures[name] = (figure, list(axes))
    return figures
