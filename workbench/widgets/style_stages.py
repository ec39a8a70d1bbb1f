"""StyleStages: replay a style-transfer run (Gatys et al., CVPR 2016) stage by stage.

Everything shown comes from the :class:`~workbench.style.StyleResult`: stage images, losses and each
stage's Gram matrices were kept by ``transfer``. The constructor renders every picture the controls can
ask for: one PNG per stage (the stage image beside the loss curves with the stage's marker, its step and
losses in the title) and one palette PNG per stage and style layer (the Gram matrix through a fixed
colour table). A control change then only swaps precomputed bytes, so the image and the numbers of a
stage change together, in one message each, within a millisecond.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import numpy as np

from workbench.style.neural_style import Stage, StyleResult
from workbench.viz.encode import array_to_png, codes_to_png, figure_to_png, new_figure, render_png
from workbench.viz.score_maps import range_levels, score_colors
from workbench.viz.style_figures import draw_loss_curves, draw_stage_image, image_array, move_step_marker
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay, img_tag

__all__ = ["StyleStages", "gram_limits"]  # what workbench.widgets exports

GRAM_CMAP = "magma"
GRAM_PIXELS = 220  # displayed side of a Gram matrix; the browser scales its C x C cells (pixelated)


def gram_limits(result: StyleResult, layer) -> tuple[float, float]:
    """One colour range for a layer's Gram matrices: the style target's and every stage's, so they compare.

    From the smallest entry to the largest 99th percentile: a few very large entries (a channel that
    fires everywhere) would otherwise leave all the others black; they are drawn in the top colour.
    """
    grams = [result.style_grams[layer], *(stage.grams[layer] for stage in result.stages)]
    return float(min(g.min() for g in grams)), float(max(np.percentile(g, 99) for g in grams))


def layer_label(name) -> str:
    """A style layer's name with what it sees: ``"scale4: 1 feature per 4 x 4 px"``, ``"conv3_1: VGG19 block 3"``.

    The random-filter extractor's layers are pyramid levels and VGG19's are convolutions; the label says which,
    so the dropdown matches the prose whichever extractor the run used.
    """
    scale = re.fullmatch(r"scale(\d+)", str(name))
    if scale:
        side = int(scale.group(1))
        return f"{name}: 1 feature per {side} x {side} px" + (" (finest)" if side == 1 else "")
    conv = re.fullmatch(r"conv(\d+)_(\d+)", str(name))
    return f"{name}: VGG19 block {conv.group(1)}" if conv else str(name)


def layer_losses(stage: Stage) -> str:
    """``"style per layer: conv1_1 0.12, conv2_1 0.3, ..."`` from a stage's ``style/<layer>`` terms."""
    terms = [(name.removeprefix("style/"), value) for name, value in stage.losses.items() if name.startswith("style/")]
    return "style per layer: " + ", ".join(f"{name} {value:.3g}" for name, value in terms)


def stage_title(index: int, result: StyleResult) -> str:
    """``"stage 3 of 13, step 50: total 1.2, content 0.3, style 0.8, tv 0.1"`` (1-based stage number)."""
    stage = result.stages[index]
    terms = ", ".join(
        f"{name} {stage.losses[name]:.3g}" for name in ("total", "content", "style", "tv") if name in stage.losses
    )
    return f"stage {index + 1} of {len(result.stages)}, step {stage.step}: {terms}"


class StyleStages(SnapshotDisplay):
    """A slider over the stages of a run: the stage image, the loss curves, and Gram matrices.

    Args:
        result: what :func:`workbench.style.transfer` returned.
        layer: the style layer whose Gram matrices are shown first (default: the first one).
        dpi: resolution of the rendered stage figures.

    Controls: ``stage`` (index into ``result.stages``), ``layer`` (style layer). State: ``current_stage``
    (the :class:`Stage` shown) and ``shown`` (stage, step, layer, title, and the arrays and PNG bytes on
    display). ``stage_pngs`` and ``gram_pngs`` hold what the constructor rendered. Display ``widget``
    (or the object itself) in a notebook.
    """

    def __init__(self, result: StyleResult, *, layer=None, dpi: int = 80):
        if not result.stages:
            raise ValueError("StyleStages: the result has no stages; run workbench.style.transfer first.")
        self.result = result
        self.layers = [name for name, _ in result.config.style_layers]
        layer = self.layers[0] if layer is None else layer
        if layer not in self.layers:
            raise ValueError(f"StyleStages: {layer!r} is not a style layer of this run; choose one of {self.layers}.")
        self._images = [image_array(stage.image) for stage in result.stages]
        self._limits = {name: gram_limits(result, name) for name in self.layers}
        self.titles = [stage_title(i, result) for i in range(len(result.stages))]
        self.stage_pngs = self._render_stages(dpi)
        self.gram_pngs, self.target_pngs, self.colorbar_pngs = self._render_grams(dpi)
        self._build_controls(layer)
        self._show()

    def _render_stages(self, dpi: int) -> list[bytes]:
        """Stage image and loss curves, one PNG per stage (one figure, its artists updated per stage)."""
        figure = new_figure(9.0, 3.4, dpi=dpi)
        image_ax, curve_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
        figure.subplots_adjust(left=0.02, right=0.86, top=0.86, bottom=0.15, wspace=0.25)  # legend at the right
        image = draw_stage_image(image_ax, self._images[0])
        marker = draw_loss_curves(curve_ax, self.result.history, step=0)["marker"]
        title = figure.suptitle("", fontsize=10)
        pngs = []
        for index, stage in enumerate(self.result.stages):
            image.set_data(self._images[index])
            move_step_marker(marker, stage.step)
            title.set_text(self.titles[index])
            pngs.append(render_png(figure))
        return pngs

    def _render_grams(self, dpi: int):
        """Palette PNGs of every stage's and the target's Gram matrices, and a colour bar per layer."""
        colors = score_colors(GRAM_CMAP)
        stages, targets, bars = {}, {}, {}
        for layer in self.layers:
            low, high = self._limits[layer]
            targets[layer] = codes_to_png(range_levels(self.result.style_grams[layer], low, high), colors)
            stages[layer] = [codes_to_png(range_levels(s.grams[layer], low, high), colors) for s in self.result.stages]
            bars[layer] = _colorbar_png(low, high, dpi)
        return stages, targets, bars

    def _build_controls(self, layer) -> None:
        last = len(self.result.stages) - 1
        self.stage = widgets.IntSlider(
            value=last, min=0, max=last, description="stage", continuous_update=True, readout=False
        )
        self.layer = widgets.Dropdown(
            options=[(layer_label(name), name) for name in self.layers], value=layer, description="Gram of"
        )
        self.info = widgets.HTML()
        self.view = widgets.Image(format="png", layout=widgets.Layout(width="720px"))
        square = widgets.Layout(width=f"{GRAM_PIXELS}px", height=f"{GRAM_PIXELS}px")
        self.gram_target = widgets.Image(format="png", layout=square)
        self.gram_stage = widgets.Image(format="png", layout=square)
        self.colorbar = widgets.Image(format="png")
        self._gram_titles = widgets.HTML()
        for image in (self.gram_target, self.gram_stage):
            image.add_class("wb-pixelated")
        # which features the run used is the notebook's to say (once); result.extractor holds it
        inputs = widgets.HTML("<style>img.wb-pixelated {image-rendering: pixelated}</style>")
        originals = widgets.HBox(
            [_fixed_image(self.result.content, "content"), _fixed_image(self.result.style, "style")]
        )
        grams = widgets.HBox([self.gram_target, self.gram_stage, self.colorbar])
        self.widget = SnapshotBox(
            [widgets.HBox([self.stage, self.layer]), self.view, self.info, self._gram_titles, grams, originals, inputs],
            snapshot=Snapshot(self._picture, name="StyleStages"),
        )
        for control in (self.stage, self.layer):
            control.observe(self._show, names="value")

    @property
    def current_stage(self) -> Stage:
        """The stage the slider points at."""
        return self.result.stages[self.stage.value]

    @property
    def shown(self) -> dict:
        """What is on display: which stage and layer, its title, the arrays behind the pictures, their bytes."""
        index, layer = self.stage.value, self.layer.value
        return {
            "stage": index,
            "step": self.current_stage.step,
            "layer": layer,
            "title": self.titles[index],
            "image": self._images[index],
            "gram_target": self.result.style_grams[layer],
            "gram_stage": self.current_stage.grams[layer],
            "gram_limits": self._limits[layer],
            "pngs": {
                "stage": bytes(self.view.value),
                "gram_target": bytes(self.gram_target.value),
                "gram_stage": bytes(self.gram_stage.value),
            },
        }

    def _show(self, change=None) -> None:
        index, layer = self.stage.value, self.layer.value
        self.view.value = self.stage_pngs[index]
        self.info.value = html.escape(layer_losses(self.current_stage))  # the totals are in the picture's title
        self.gram_stage.value = self.gram_pngs[layer][index]
        self.gram_target.value = self.target_pngs[layer]
        self.colorbar.value = self.colorbar_pngs[layer]
        low, high = self._limits[layer]
        self._gram_titles.value = (
            f"Gram matrices at <b>{html.escape(str(layer))}</b>: style target (left) and "
            f"stage {index + 1} (right), one colour range {low:.3g} to {high:.3g}"
        )
        self.widget.snapshot.update()

    def _picture(self) -> Picture:
        grams = "".join(
            img_tag(image.value, width=GRAM_PIXELS, alt=alt)
            for image, alt in ((self.gram_target, "Gram of the style target"), (self.gram_stage, "Gram of the stage"))
        )
        return Picture(self.view.value, f"<p>{self._gram_titles.value}</p><p>{grams}{img_tag(self.colorbar.value)}</p>")


def _fixed_image(image, title: str) -> widgets.VBox:
    png = array_to_png((image_array(image) * 255).round().astype(np.uint8))
    return widgets.VBox(
        [widgets.HTML(f"<b>{title}</b>"), widgets.Image(value=png, format="png", layout=widgets.Layout(width="160px"))]
    )


def _colorbar_png(low: float, high: float, dpi: int) -> bytes:
    """A vertical colour bar from ``low`` to ``high`` in the Gram colour map, as tall as a Gram panel."""
    figure = new_figure(0.9, GRAM_PIXELS / dpi, dpi=dpi)
    ax = figure.add_axes((0.1, 0.05, 0.25, 0.9))
    ax.imshow(np.linspace(high, low, 256)[:, None], cmap=GRAM_CMAP, aspect="auto", extent=(0, 1, low, high))
    ax.set_xticks([])
    ax.yaxis.tick_right()
    ax.tick_params(labelsize=8)
    return figure_to_png(figure)
