"""UnpoolingExplorer: max-pool a small map, then unpool it by nearest, bed of nails or max-unpooling.

Three layers (STYLE.md item 8): ``workbench.ops.unpooling_walkthrough`` computes every (method, scale)
combination once, when the explorer is built; ``workbench.viz.ops_figures.draw_unpooling`` draws one;
the controls only pick which precomputed walkthrough is on display.

Test without a browser: ``w = UnpoolingExplorer(); w.method.value = "max"`` then read ``w.state``.
"""

from __future__ import annotations

import ipywidgets as widgets
import torch

from workbench.ops.unpooling import METHODS, UnpoolingWalkthrough, unpooling_walkthrough
from workbench.viz.encode import new_figure, render_png
from workbench.viz.ops_figures import draw_unpooling
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

__all__ = ["UnpoolingExplorer"]  # what workbench.widgets exports

EXPLANATIONS = {
    "nearest": "every pooled value fills its whole block: blocky, but no zeros",
    "bed of nails": "every pooled value sits at the top-left of its block, zeros elsewhere: positions are lost",
    "max": "every pooled value goes back where the maximum was (boxed), zeros elsewhere: the pooling's "
    "indices remember the positions (SegNet)",
}


class UnpoolingExplorer(SnapshotDisplay):
    """A method toggle and a scale slider over a ``(size, size)`` map of random integers 0..99.

    Args:
        size: side of the input map.
        scales: the pooling windows offered (each <= size).
        scale: the initial window.
        method: the initial method.
        seed: for the input values.
        dpi: of the rendered figure.

    Attributes:
        widget: the ipywidgets container to display.
        method: ``ToggleButtons`` over ``"nearest"``, ``"bed of nails"``, ``"max"``. scale: ``IntSlider``.
        image: ``ipywidgets.Image`` (PNG) of input, pooled map and output. status: ``HTML`` explanation.
        walkthroughs: ``{(method, scale): UnpoolingWalkthrough}``, all computed up front.
        state: the data on display: ``method``, ``scale``, ``input``, ``pooled``, ``indices``,
            ``output``, ``sources`` (input positions of the maxima), ``shapes`` and ``renders``.
    """

    def __init__(
        self, *, size: int = 12, scales=(2, 3, 4), scale: int = 2, method: str = "max", seed: int = 0, dpi: float = 72
    ):
        if method not in METHODS or scale not in scales or max(scales) > size:
            raise ValueError(
                f"method must be one of {METHODS} (got {method!r}), scale one of {tuple(scales)} "
                f"(got {scale}), and every scale <= size ({size})."
            )
        generator = torch.Generator().manual_seed(seed)
        # values 0..99: few ties, so the maxima (and where max-unpooling puts them back) are easy to follow
        self.input = torch.randint(0, 100, (size, size), generator=generator).double()
        self.walkthroughs = {(m, s): unpooling_walkthrough(self.input, m, s) for m in METHODS for s in scales}
        self.method = widgets.ToggleButtons(options=METHODS, value=method, description="method")
        self.scale = widgets.SelectionSlider(options=list(scales), value=scale, description="scale")
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        self._figure = new_figure(9.0, 3.4, dpi=dpi)
        self._axes = list(self._figure.subplots(1, 3))
        self._figure.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.03, wspace=0.1)
        self._grids = None
        self.state: dict = {"renders": 0}
        snapshot = Snapshot(lambda: Picture(self.image.value, self.status.value), name="UnpoolingExplorer")
        self.widget = SnapshotBox([widgets.HBox([self.method, self.scale]), self.status, self.image], snapshot=snapshot)
        self.method.observe(self._on_change, names="value")
        self.scale.observe(self._on_change, names="value")
        self._on_change()

    def _on_change(self, change=None) -> None:
        walk = self.walkthroughs[(self.method.value, self.scale.value)]
        self._set_state(walk)
        sources = walk.sources.tolist() if walk.method == "max" else None
        self._grids = draw_unpooling(
            self._axes,
            walk.input.numpy(),
            walk.pooled.numpy(),
            walk.output.numpy(),
            scale=walk.scale,
            method=walk.method,
            sources=sources,
            grids=self._grids,
        )
        self.image.value = render_png(self._figure)
        self.status.value = f"<b>{walk.method}</b>: {EXPLANATIONS[walk.method]}"
        self.state["renders"] += 1
        self.widget.snapshot.update()

    def _set_state(self, walk: UnpoolingWalkthrough) -> None:
        self.state.update(
            method=walk.method,
            scale=walk.scale,
            input=walk.input,
            pooled=walk.pooled,
            indices=walk.indices,
            output=walk.output,
            sources=walk.sources,
            shapes={
                "input": tuple(walk.input.shape),
                "pooled": tuple(walk.pooled.shape),
                "output": tuple(walk.output.shape),
            },
        )
