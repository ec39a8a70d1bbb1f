"""DilatedConvExplorer: rate, kernel and depth sliders; the field grows, and equal rates leave holes.

Three layers (STYLE.md item 8): ``workbench.ops.dilation`` computes the tap mask and the stack's path
counts (microseconds: numpy on one axis, an outer product); ``workbench.viz.dilation_figures`` colours
them; this class wires the controls. Both panels are drawn on a fixed canvas at the stack's scale, so
the single kernel is seen shrinking inside it as layers are added.

Test without a browser: ``w = DilatedConvExplorer(); w.rate.value = 2`` then read ``w.state``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from workbench.ops.dilation import coverage, stack_rates, stacked_paths
from workbench.viz.dilation_figures import paths_rgb
from workbench.viz.encode import array_to_png, panels_to_png
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

__all__ = ["DilatedConvExplorer"]  # what workbench.widgets exports

CANVAS = 336  # pixels of each panel's side
MAX_KERNEL, MAX_RATE, MAX_LAYERS = 7, 6, 4


KERNEL_TITLE, STACK_TITLE = "one layer's taps", "paths from one unit through the stack"


class DilatedConvExplorer(SnapshotDisplay):
    """Kernel size, rate and number of layers, with equal rates or hybrid ones (1, 2, ..., rate, 1, 2, ...).

    The largest field (kernel 7, rate 6, 4 equal layers) is 145 pixels: 2 screen pixels each.

    Attributes:
        widget: the ipywidgets container to display (a ``SnapshotBox``: displayed with a picture that stays
            when the notebook is saved); or display the object itself.
        kernel_size, rate, layers: ``IntSlider``; pattern: ``ToggleButtons`` ``"equal"`` / ``"hybrid"``.
        kernel_image: one dilated kernel's taps; stack_image: paths from one output unit through the stack.
        info: ``HTML`` with the numbers.
        state: the data on display: ``kernel_size``, ``rate``, ``layers``, ``pattern``, ``rates``,
            ``kernel`` (one layer's 2D taps), ``paths`` (the stack's counts), ``field`` (its side),
            ``coverage`` (share of the field seen) and ``renders``.
    """

    def __init__(self, *, kernel_size: int = 3, rate: int = 2, layers: int = 2, pattern: str = "equal"):
        self.kernel_size = widgets.IntSlider(value=kernel_size, min=1, max=MAX_KERNEL, description="kernel")
        self.rate = widgets.IntSlider(value=rate, min=1, max=MAX_RATE, description="rate")
        self.layers = widgets.IntSlider(value=layers, min=1, max=MAX_LAYERS, description="layers")
        self.pattern = widgets.ToggleButtons(options=["equal", "hybrid"], value=pattern, description="rates")
        self.kernel_image, self.stack_image = widgets.Image(format="png"), widgets.Image(format="png")
        self.info = widgets.HTML()
        self.state: dict = {"renders": 0}
        panels = widgets.HBox(
            [
                widgets.VBox([widgets.HTML(f"<b>{KERNEL_TITLE}</b>"), self.kernel_image]),
                widgets.VBox([widgets.HTML(f"<b>{STACK_TITLE}</b>"), self.stack_image]),
            ]
        )
        self.widget = SnapshotBox(
            [widgets.HBox([self.kernel_size, self.rate]), widgets.HBox([self.layers, self.pattern]), panels, self.info],
            snapshot=Snapshot(self._picture, name="DilatedConvExplorer"),
        )
        for control in (self.kernel_size, self.rate, self.layers, self.pattern):
            control.observe(self._on_change, names="value")
        self._on_change()

    def _on_change(self, change=None) -> None:
        k, rate, layers, pattern = self.kernel_size.value, self.rate.value, self.layers.value, self.pattern.value
        rates = stack_rates(rate, layers, pattern)
        kernel, paths = stacked_paths(k, (rate,)), stacked_paths(k, rates)
        cell = CANVAS // paths.shape[0]  # the stack fills its panel; the kernel is drawn at the same scale
        self._panels = {
            KERNEL_TITLE: _on_canvas(paths_rgb(kernel, cell=cell)),
            STACK_TITLE: _on_canvas(paths_rgb(paths, cell=cell)),
        }
        self.kernel_image.value, self.stack_image.value = map(array_to_png, self._panels.values())
        self.state.update(
            kernel_size=k,
            rate=rate,
            layers=layers,
            pattern=pattern,
            rates=rates,
            kernel=kernel,
            paths=paths,
            field=paths.shape[0],
            coverage=coverage(paths),
            renders=self.state["renders"] + 1,
        )
        self.info.value = _info_html(self.state)
        self.widget.snapshot.update()

    def _picture(self) -> Picture:
        """Both panels with their titles, one PNG at the widget's size, and the numbers under them."""
        return Picture(panels_to_png(self._panels, height=CANVAS), f"<p>{self.info.value}</p>")


def _on_canvas(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` centred on a white ``CANVAS x CANVAS`` square (cropped if larger)."""
    canvas = np.full((CANVAS, CANVAS, 3), 255, dtype=np.uint8)
    rgb = rgb[:CANVAS, :CANVAS]
    top, left = (CANVAS - rgb.shape[0]) // 2, (CANVAS - rgb.shape[1]) // 2
    canvas[top : top + rgb.shape[0], left : left + rgb.shape[1]] = rgb
    return canvas


def _info_html(state: dict) -> str:
    rates = ", ".join(map(str, state["rates"]))
    field, seen = state["field"], state["coverage"]
    holes = (
        ""
        if seen == 1
        else (
            f" Only {seen:.0%} of it is seen: every rate shares the lattice of step "
            f"{np.gcd.reduce(state['rates'])}, so the grey pixels never reach this unit "
            "(gridding). Try <i>hybrid</i> rates, which share no common step."
        )
    )
    return (
        f"rates {rates}: receptive field 1 + ({' + '.join(map(str, state['rates']))}) x ({state['kernel_size']} - 1)"
        f" = <b>{field} x {field}</b> from {state['layers']} layer(s) of {state['kernel_size']}x"
        f"{state['kernel_size']} weights.{holes}"
    )
