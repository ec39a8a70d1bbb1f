"""ReceptiveFieldExplorer: pick a model, a layer and a pixel; the layer's receptive field is drawn there.

Three layers (STYLE.md item 8): ``workbench.analysis.receptive_fields`` and
``workbench.analysis.effective_receptive_field`` compute, once per model, the analytic field of every
encoder stage and the effective field of the output's centre unit; ``workbench.viz.field_figures`` turns
them into RGB arrays; this class wires the controls. Moving the pixel only outlines a precomputed box.

Test without a browser: ``w = ReceptiveFieldExplorer(image); w.layer.value = "layer2"`` then read ``w.state``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from torch import nn

from workbench.analysis import ReceptiveField, effective_receptive_field, receptive_fields
from workbench.models import create_model, list_models
from workbench.viz import array_to_jpeg, array_to_png, as_rgb_image
from workbench.viz.encode import panels_to_png
from workbench.viz.field_figures import dimmed, field_box_rgb, heatmap_rgb
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

__all__ = ["ModelFields", "ReceptiveFieldExplorer", "encoder_stages", "model_fields"]  # what workbench.widgets exports

FIELD_TITLE, ERF_TITLE = "analytic field of the chosen unit", "effective field of the centre unit"
MIN_PICTURE_HEIGHT = 160  # pixels: a small image's panels still as wide as their titles in the snapshot
STAGES = ("conv1", "maxpool", "layer1", "layer2", "layer3", "layer4")  # torchvision ResNet stage names


@dataclass(frozen=True)
class ModelFields:
    """One model's precomputed fields: ``{stage: (field, module name)}`` and its effective field."""

    fields: dict[str, tuple[ReceptiveField, str]]
    erf: np.ndarray  # (H, W) in [0, 1], the output's centre unit
    erf_rgb: np.ndarray


def encoder_stages(model: nn.Module) -> dict[str, str]:
    """``{stage: module name}`` of the ResNet stages a model's encoder has, e.g. ``"layer2": "encoder.layer2"``."""
    names = {}
    for name, _ in model.named_modules():
        parent, _, stage = name.rpartition(".")
        if stage in STAGES and parent.rpartition(".")[-1] == "encoder":
            names[stage] = name
    return {stage: names[stage] for stage in STAGES if stage in names}


def model_fields(model: nn.Module, image_size: tuple[int, int], *, num_samples: int = 2) -> ModelFields:
    """The analytic field of each encoder stage and the effective field of ``model`` at ``image_size``."""
    stages = encoder_stages(model)
    fields = receptive_fields(model, list(stages.values()), input_size=image_size)
    erf = effective_receptive_field(model, image_size=image_size, num_samples=num_samples)
    return ModelFields({stage: (fields[name], name) for stage, name in stages.items()}, erf, heatmap_rgb(erf))


class ReceptiveFieldExplorer(SnapshotDisplay):
    """Model and layer dropdowns and a pixel (x, y) over one image.

    Args:
        image: what the fields are drawn over (a dataset image ``(3, H, W)`` or RGB ``(H, W, 3)``).
        models: model names (built with random weights for ``num_classes``) or ``{name: nn.Module}``.
        num_classes: output classes of the models built by name.
        num_samples: random images averaged in each effective field.
        scale: on-screen pixels per image pixel.

    Attributes:
        widget: the ipywidgets container to display (a ``SnapshotBox``: displayed with a picture that stays
            when the notebook is saved); or display the object itself.
        model, layer: ``Dropdown`` controls; x, y: ``IntSlider`` for the pixel.
        image: ``ipywidgets.Image`` (JPEG), the field over the image; erf: ``ipywidgets.Image`` (PNG), the
            effective field.
        info: ``HTML`` with the numbers. precomputed: ``{model name: ModelFields}``.
        state: the data on display: ``model``, ``layer``, ``module`` (its name in the model), ``pixel``
            ``(y, x)``, ``field``, ``unit`` (of the layer's map), ``box`` (top, left, bottom, right),
            ``rgb`` (the array shown) and ``renders``.
    """

    def __init__(
        self,
        image,
        models: Mapping[str, nn.Module] | list[str] | None = None,
        *,
        num_classes: int = 2,
        num_samples: int = 2,
        scale: int = 2,
    ):
        self.rgb = as_rgb_image(image)
        height, width = self.rgb.shape[:2]
        built = (
            models
            if isinstance(models, Mapping)
            else {name: create_model(name, num_classes) for name in (models or list_models())}
        )
        self.precomputed = {
            name: model_fields(m, (height, width), num_samples=num_samples) for name, m in built.items()
        }
        self._scale, self._dark = scale, dimmed(self.rgb)
        self._erf_png = {name: array_to_png(_zoom(f.erf_rgb, scale)) for name, f in self.precomputed.items()}
        first = next(iter(self.precomputed))
        self.model = widgets.Dropdown(options=list(self.precomputed), value=first, description="model")
        stages = list(self.precomputed[first].fields)
        self.layer = widgets.Dropdown(options=stages, value=stages[-1], description="layer")
        self.x = widgets.IntSlider(value=width // 2, min=0, max=width - 1, description="x")
        self.y = widgets.IntSlider(value=height // 2, min=0, max=height - 1, description="y")
        self.image, self.erf = widgets.Image(format="jpeg"), widgets.Image(format="png")
        self.info = widgets.HTML()
        self.state: dict = {"renders": 0}
        erf_box = widgets.VBox([widgets.HTML(f"<b>{ERF_TITLE}</b>"), self.erf])
        field_box = widgets.VBox([widgets.HTML(f"<b>{FIELD_TITLE}</b>"), self.image])
        self.widget = SnapshotBox(
            [
                widgets.HBox([self.model, self.layer]),
                widgets.HBox([self.x, self.y]),
                widgets.HBox([field_box, erf_box]),
                self.info,
            ],
            snapshot=Snapshot(self._picture, name="ReceptiveFieldExplorer"),
        )
        self.model.observe(self._on_model, names="value")
        for control in (self.layer, self.x, self.y):
            control.observe(self._on_change, names="value")
        self._on_model()

    def _on_model(self, change=None) -> None:
        fields = self.precomputed[self.model.value].fields
        layer = self.layer.value if self.layer.value in fields else list(fields)[-1]
        self.layer.unobserve(self._on_change, names="value")
        self.layer.options = list(fields)
        self.layer.value = layer
        self.layer.observe(self._on_change, names="value")
        self.erf.value = self._erf_png[self.model.value]
        self._on_change()

    def _on_change(self, change=None) -> None:
        height, width = self.rgb.shape[:2]
        field, module = self.precomputed[self.model.value].fields[self.layer.value]
        grid = tuple(-(-n // j) for n, j in zip((height, width), field.jump))  # ceil: the layer's map size
        unit = field.unit_at(self.y.value, self.x.value, grid)
        box = field.box(*unit)
        rgb = field_box_rgb(self.rgb, box, center=field.center(*unit), dark=self._dark)
        self.image.value = array_to_jpeg(_zoom(rgb, self._scale))  # a photograph: JPEG encodes ~10x faster
        self.state.update(
            model=self.model.value,
            layer=self.layer.value,
            module=module,
            pixel=(self.y.value, self.x.value),
            field=field,
            unit=unit,
            box=box,
            rgb=rgb,
            renders=self.state["renders"] + 1,
        )
        self.info.value = _info_html(self.state)
        self.widget.snapshot.update()

    def _picture(self) -> Picture:
        """Both panels with their titles, one PNG at the widget's scale (at least tall enough for the titles to
        fit above them), and the numbers under them."""
        erf = self.precomputed[self.model.value].erf_rgb
        panels = {FIELD_TITLE: self.state["rgb"], ERF_TITLE: erf}
        height = max(self.state["rgb"].shape[0] * self._scale, MIN_PICTURE_HEIGHT)
        return Picture(panels_to_png(panels, height=height), f"<p>{self.info.value}</p>")


def _zoom(rgb: np.ndarray, scale: int) -> np.ndarray:
    return rgb.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else rgb


def _info_html(state: dict) -> str:
    field, (top, left, bottom, right) = state["field"], state["box"]
    return (
        f"<code>{html.escape(state['module'])}</code>: size {field.size[0]} x {field.size[1]}, jump "
        f"{field.jump[0]}, start {field.start[0]}. Unit {state['unit']} sees rows {top}..{bottom}, columns "
        f"{left}..{right} (negative or past the image: padding). Dimmed: pixels it cannot see."
    )
