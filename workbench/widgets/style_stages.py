"""StyleStages: replay a style-transfer run (Gatys et al., CVPR 2016) stage by stage.

Everything shown comes from the :class:`~workbench.style.StyleResult`: stage images, losses and each
stage's Gram matrices were kept by ``transfer``; the constructor converts the images and fixes the colour
range of each layer's Gram matrices once, so a control change only swaps artists' data and re-renders.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from workbench.style.neural_style import Stage, StyleResult
from workbench.viz.encode import figure_to_png
from workbench.viz.style_figures import draw_gram, draw_loss_curves, draw_stage_image, image_array, move_step_marker


def gram_limits(result: StyleResult, layer) -> tuple[float, float]:
    """One colour range for a layer's Gram matrices: the style target's and every stage's, so they compare."""
    grams = [result.style_grams[layer], *(stage.grams[layer] for stage in result.stages)]
    return float(min(g.min() for g in grams)), float(max(g.max() for g in grams))


class StyleStages:
    """A slider over the stages of a run: the stage image, the loss curves, and Gram matrices.

    Args:
        result: what :func:`workbench.style.transfer` returned.
        layer: the style layer whose Gram matrices are shown first (default: the first one).
        dpi: resolution of the rendered figure.

    Controls: ``stage`` (index into ``result.stages``), ``layer`` (style layer). State: ``current_stage``
    (the :class:`Stage` shown) and ``shown`` (step, layer, and the arrays drawn: ``image`` ``(H, W, 3)``,
    ``gram_target`` and ``gram_stage`` ``(C, C)``). Display ``widget`` in a notebook.
    """

    def __init__(self, result: StyleResult, *, layer=None, dpi: int = 80):
        if not result.stages:
            raise ValueError("StyleStages: the result has no stages; run workbench.style.transfer first.")
        self.result = result
        self.dpi = dpi
        self.layers = [name for name, _ in result.config.style_layers]
        self._images = [image_array(stage.image) for stage in result.stages]
        self._limits = {name: gram_limits(result, name) for name in self.layers}
        self._build_controls(self.layers[0] if layer is None else layer)
        self._build_figure()
        self._show()

    def _build_controls(self, layer) -> None:
        if layer not in self.layers:
            raise ValueError(f"StyleStages: {layer!r} is not a style layer of this run; choose one of {self.layers}.")
        last = len(self.result.stages) - 1
        self.stage = widgets.IntSlider(value=last, min=0, max=last, description="stage", continuous_update=False)
        self.layer = widgets.Dropdown(options=[(str(name), name) for name in self.layers], value=layer, description="Gram of")
        self.info = widgets.HTML()
        self.view = widgets.Image(format="png")
        note = widgets.HTML(f"<small>features: {html.escape(self.result.extractor)}</small>")
        self.widget = widgets.VBox([widgets.HBox([self.stage, self.layer]), self.info, self.view, note])
        for control in (self.stage, self.layer):
            control.observe(self._show, names="value")

    def _build_figure(self) -> None:
        self.figure = Figure(figsize=(11, 7), layout="constrained")
        axes = self.figure.subplots(2, 3)
        stage, layer = self.current_stage, self.layer.value
        draw_stage_image(axes[0, 0], self.result.content, title="content")
        draw_stage_image(axes[0, 1], self.result.style, title="style")
        curves = draw_loss_curves(axes[1, 0], self.result.history, step=stage.step)
        self._artists = {
            "image": draw_stage_image(axes[0, 2], self._images[self.stage.value], title="stage"),
            "marker": curves["marker"],
            "gram_target": draw_gram(axes[1, 1], self.result.style_grams[layer], title="Gram: style target"),
            "gram_stage": draw_gram(axes[1, 2], stage.grams[layer], title="Gram: stage"),
        }
        # both Grams share the colour limits set in _show, so one colour bar serves them
        self.figure.colorbar(self._artists["gram_stage"], ax=axes[1, 1:], shrink=0.8)

    @property
    def current_stage(self) -> Stage:
        """The stage the slider points at."""
        return self.result.stages[self.stage.value]

    @property
    def shown(self) -> dict:
        """What the figure shows now, read back from its artists."""
        return {
            "step": self.current_stage.step,
            "layer": self.layer.value,
            "marker_step": float(self._artists["marker"].get_xdata()[0]),
            **{name: np.asarray(self._artists[name].get_array()) for name in ("image", "gram_target", "gram_stage")},
        }

    def _show(self, change=None) -> None:
        stage, layer = self.current_stage, self.layer.value
        self._artists["image"].set_data(self._images[self.stage.value])
        self._artists["image"].axes.set_title(f"stage {self.stage.value}: step {stage.step}")
        move_step_marker(self._artists["marker"], stage.step)
        for name, gram in (("gram_target", self.result.style_grams[layer]), ("gram_stage", stage.grams[layer])):
            artist = self._artists[name]
            artist.set_data(gram)
            artist.set_extent((-0.5, len(gram) - 0.5, len(gram) - 0.5, -0.5))  # layers differ in C
            artist.set_clim(*self._limits[layer])
        self._artists["gram_stage"].axes.set_title(f"Gram at {layer}: step {stage.step}")
        self._artists["gram_target"].axes.set_title(f"Gram at {layer}: style target")
        self.info.value = self._losses_html(stage)
        self.view.value = figure_to_png(self.figure, dpi=self.dpi)

    @staticmethod
    def _losses_html(stage: Stage) -> str:
        cells = "".join(f"<td>{html.escape(name)}: {value:.4g}</td>" for name, value in stage.losses.items())
        return f"<table><tr><td><b>step {stage.step}</b></td>{cells}</tr></table>"
