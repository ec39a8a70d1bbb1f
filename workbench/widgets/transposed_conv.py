"""TransposedConvExplorer: transposed convolution as scatter-add, as ``V^T``, and as a convolution.

Three layers (STYLE.md item 8): ``workbench.ops.transposed_conv_walkthrough`` computes every array once per
settings change (cached, so returning to earlier settings is free); ``workbench.viz.ops_figures`` draws
them; this class only wires sliders to the two. Moving the step slider indexes into the precomputed
partial sums and redraws; nothing is recomputed. The three views sit in tabs and only the visible one is
drawn; a hidden view that went out of date is drawn when its tab is opened. Steps count from 1 on the
slider and in every title; the input and kernel count from 1 too, so that step 1 stamps a visible kernel.
Both can be typed instead (``workbench.widgets.typed_grid``), so that a book's worked example, d2l.ai's
``X = K = [[0, 1], [2, 3]]``, can be reproduced number for number.

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
from workbench.widgets.typed_grid import EXAMPLE, format_grid, parse_grid

__all__ = ["TransposedConvExplorer"]  # what workbench.widgets exports

SETTINGS = ("input_size", "kernel_size", "stride", "padding", "output_padding")
TYPED = {"input_values": "input_size", "kernel_values": "kernel_size"}  # text box -> the slider it overrides
MAX_SIDE = 5  # the size sliders' maximum, for typed grids too
VIEWS = ("scatter", "matrix", "conv")  # the step slider changes all three
TAB_TITLES = ("scatter-add", "matrix V^T", "as a convolution")
FIGURE_WIDTH, FIGURE_HEIGHT = 8.4, 3.6  # inches; at 96 dpi 806 x 346 pixels (a cell at 1280 px), titles ~15 px


def matrix_height(rows: int) -> float:
    """Inches for the matrix view of a ``V^T`` with ``rows`` rows: about 0.2 in (19 px) a row, 3.6 to 9 in."""
    return min(9.0, max(FIGURE_HEIGHT, 0.9 + 0.2 * rows))


class TransposedConvExplorer(SnapshotDisplay):
    """Sliders for input size, kernel size, stride, padding, output padding and scatter step; typed values.

    The input is ``1 .. H * W`` and the kernel ``1 .. K * K`` (row-major), so no stamp is zero: the defaults
    (2 x 2 input, 2 x 2 kernel, stride 1) give ``[[1, 4, 4], [6, 20, 16], [9, 24, 16]]``. Values typed into
    ``input_values`` / ``kernel_values`` (``"0 1; 2 3"``, up to 5 x 5, not necessarily square) replace them,
    and the matching size slider is disabled until the box is cleared: ``input_values="0 1; 2 3",
    kernel_values="0 1; 2 3"`` gives d2l.ai's ``[[0, 0, 1], [0, 4, 6], [4, 12, 9]]``.

    Args:
        input_size: the slider's first value.
        kernel_size: as ``input_size``.
        stride: as ``input_size``.
        padding: as ``input_size``.
        output_padding: as ``input_size``.
        input_values: typed values to start from: text as typed, or nested lists of numbers; blank:
            ``1, 2, 3, ...``.
        kernel_values: as ``input_values``.
        dpi: of the rendered views.

    Attributes:
        widget: the ipywidgets container to display.
        input_size, kernel_size, stride, padding, output_padding, step: the ``IntSlider`` controls
            (``step`` runs from 1 to H * W: the input pixel added last, row-major).
        input_values, kernel_values: the ``Text`` boxes (read when Enter is pressed or the box is left).
        status: ``HTML`` line; says why when the settings have no output (padding crops everything) or
            the typed values cannot be read (the message names the box and the value).
        images: ``{"scatter", "matrix", "conv"}`` -> ``ipywidgets.Image`` (PNG).
        tabs: the ``ipywidgets.Tab`` holding the three images (``selected_index`` picks the view).
        shapes: ``HTML`` table of the shape arithmetic with the current numbers.
        state: the data on display: ``settings`` (dict: the sliders' values, and the typed grids as
            tuples of rows or None), ``error`` (str or None), ``walkthrough``
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
        input_values="",
        kernel_values="",
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
        self.input_values, self.kernel_values = (
            widgets.Text(
                value=values if isinstance(values, str) else format_grid(values),
                placeholder=f"1, 2, 3, ... or type rows: {EXAMPLE}",
                description=name.replace("_", " "),
                continuous_update=False,  # read on Enter: half-typed rows are no error
                style={"description_width": "initial"},
                layout=widgets.Layout(width="340px"),
            )
            for name, values in (("input_values", input_values), ("kernel_values", kernel_values))
        )
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
                widgets.HBox([self.input_values, self.kernel_values]),
                self.status,
                self._views,
            ],
            snapshot=Snapshot(self._picture, name="TransposedConvExplorer"),
        )
        for name in (*SETTINGS, *TYPED):
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
        try:
            typed = {
                name: parse_grid(getattr(self, name).value, name=name.replace("_", " "), max_side=MAX_SIDE)
                for name in TYPED
            }
        except ValueError as err:
            self._show_error(str(err), lead="Cannot use the typed values")
            return
        self._clamp_sliders(typed)
        settings = {name: getattr(self, name).value for name in SETTINGS}
        settings.update(
            {name: None if grid is None else tuple(map(tuple, grid.tolist())) for name, grid in typed.items()}
        )
        self.state.update(settings=settings)
        try:
            walk = _walkthrough(**settings)
        except ValueError as err:
            self._show_error(str(err), lead="No output for these settings")
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

    def _clamp_sliders(self, typed: dict) -> None:
        """Keep output padding below the stride (torch's rule) and the step inside the input; a size slider
        whose values are typed is disabled, and shows the typed size when the grid is square."""
        self._adjusting = True
        try:
            self.output_padding.max = self.stride.value - 1
            for name, grid in typed.items():
                size = getattr(self, TYPED[name])
                size.disabled = grid is not None
                if grid is not None and grid.shape[0] == grid.shape[1]:
                    size.value = grid.shape[0]
            grid = typed["input_values"]
            self.step.max = self.input_size.value**2 if grid is None else grid.numel()
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

    def _show_error(self, message: str, *, lead: str) -> None:
        for key in ("walkthrough", "input", "kernel", "output", "matrix", "shapes", "partial", "canvas", "position"):
            self.state[key] = None
        self.state["error"] = message
        self.status.value = f"<span style='color:#b00'>{lead}: {html.escape(message)}</span>"
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
    input_size: int,
    kernel_size: int,
    stride: int,
    padding: int,
    output_padding: int,
    input_values: tuple | None,
    kernel_values: tuple | None,
) -> TransposedConvWalkthrough:
    """The walkthrough for one combination of settings (cached: sliders revisit settings often); typed
    values (tuples of rows) replace the ``1, 2, 3, ...`` grids."""
    x, kernel = (
        torch.arange(1, size**2 + 1, dtype=torch.float64).reshape(size, size)
        if values is None
        else torch.tensor(values, dtype=torch.float64)
        for size, values in ((input_size, input_values), (kernel_size, kernel_values))
    )
    return transposed_conv_walkthrough(x, kernel, stride=stride, padding=padding, output_padding=output_padding)


def shapes_html(walk: TransposedConvWalkthrough) -> str:
    """The shape arithmetic of the current settings, each formula with its numbers filled in (one line per
    dimension when typed values make the input or kernel non-square)."""
    s, p, op, shapes = walk.stride, walk.padding, walk.output_padding, walk.shapes
    (h, w), (oh, ow) = shapes["input"], shapes["output"]

    def per_dim(formula) -> str:
        texts = [formula(d) for d in range(2)]
        return texts[0] if texts[0] == texts[1] else f"rows: {texts[0]}; columns: {texts[1]}"

    def output(d):
        n, k, out = shapes["input"][d], shapes["kernel"][d], shapes["output"][d]
        return f"S(H-1) + K - 2P + OP = {s}({n}-1) + {k} - 2*{p} + {op} = {out}"

    def back(d):
        out, k = shapes["output"][d], shapes["kernel"][d]
        return f"floor((H' - K + 2P) / S) + 1 = floor(({out} - {k} + 2*{p}) / {s}) + 1 = {shapes['conv_back'][d]}"

    def conv_input(d):
        return (
            f"S(H-1)+1 + 2(K-P-1) + OP = {shapes['stuffed'][d]} + "
            f"2*({shapes['conv_padding'][d]}) + {op} = {shapes['conv_input'][d]}"
        )

    canvas = per_dim(lambda d: str(shapes["canvas"][d]))
    rows = [
        ("transposed conv output", per_dim(output)),
        ("uncropped canvas", f"S(H-1) + K + OP = {canvas}; padding crops {p} from each side"),
        ("convolution back", per_dim(back)),
        ("matrix V / V^T", f"V is {h * w} x {oh * ow}; Y' = V^T X' is ({oh * ow} x {h * w})({h * w} x 1)"),
        ("equivalent conv input", per_dim(conv_input)),
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
