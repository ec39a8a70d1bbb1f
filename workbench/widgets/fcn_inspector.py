"""FCNInspector: what an FCN's transposed convolutions see and produce, at strides 32, 16 and 8.

FCN-8s (Long et al., CVPR 2015) scores the stride-32 features, upsamples x2 (``upscore2``), adds the
stride-16 skip scores, upsamples x2 again (``upscore_pool4``), adds the stride-8 scores and upsamples x8
(``upscore8``). The score map entering each transposed convolution is the prediction of the 32s, 16s or
8s path; showing them side by side at image size shows what each skip adds. ``capture_fcn`` runs the
model once with forward hooks; the widget only recolours what it captured.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from torch import nn

from workbench.data.classes import Classes
from workbench.models.eval_mode import eval_mode
from workbench.viz.convert import as_rgb_image
from workbench.viz.encode import array_to_png, codes_to_png, panels_to_png
from workbench.viz.score_maps import score_colors, score_levels, upsample_nearest
from workbench.widgets.legend import class_legend_html
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

__all__ = ["FCNCapture", "FCNInspector", "capture_fcn"]  # what workbench.widgets exports

VIEWS = ("argmax", "class score")
HIGHLIGHT = "#d62728"  # outline of the panel that shows the chosen layer's input


@dataclass(frozen=True)
class FCNCapture:
    """One forward pass of an FCN on one image, as float32 numpy score maps ``(C, h, w)``.

    ``layer_inputs[name]`` / ``layer_outputs[name]`` are the scores entering and leaving the transposed
    convolution ``name`` (before any crop); ``logits`` is the model output ``(C, H, W)``; ``padded_size``
    is the size the model padded the image to (the last layer's output size).
    """

    image: np.ndarray  # uint8 (H, W, 3)
    layer_names: tuple[str, ...]
    layer_inputs: dict[str, np.ndarray]
    layer_outputs: dict[str, np.ndarray]
    logits: np.ndarray
    padded_size: tuple[int, int]

    def stride(self, scores: np.ndarray) -> int:
        """Pixels of the padded image per cell of a layer's input or output map ``(C, h, w)``."""
        return max(1, round(self.padded_size[0] / scores.shape[-2]))

    def stage_maps(self) -> dict[str, np.ndarray]:
        """The score map of each path, ``"32s"`` / ``"16s"`` / ``"8s"`` (those the model has), then ``"logits"``."""
        stages = {f"{self.stride(self.layer_inputs[n])}s": self.layer_inputs[n] for n in self.layer_names}
        return {**stages, "logits": self.logits}


def capture_fcn(model: nn.Module, image) -> FCNCapture:
    """Run ``model`` once (eval mode, no gradients) on one image and record its upsampling layers.

    Args:
        model: an FCN from ``workbench.models`` (anything with ``upsample_names`` naming its
            ``nn.ConvTranspose2d`` layers, coarse to fine).
        image: a dataset's normalised float ``(3, H, W)`` tensor (or ``(1, 3, H, W)``).

    Raises:
        ValueError: when the model has no ``upsample_names`` (not an FCN) or the image has another shape.
    """
    names = _upsample_names(model)
    batch = _as_batch(image, model)
    inputs, outputs = {}, {}

    def hook(name):
        def record(module, args, output):
            inputs[name] = args[0][0].detach().float().cpu().numpy()
            outputs[name] = output[0].detach().float().cpu().numpy()

        return record

    handles = [getattr(model, name).register_forward_hook(hook(name)) for name in names]
    try:
        with eval_mode(model), torch.no_grad():
            logits = model(batch)[0].float().cpu().numpy()
    finally:
        for handle in handles:
            handle.remove()
    padded = outputs[names[-1]].shape[-2:]
    return FCNCapture(as_rgb_image(batch[0].cpu()), names, inputs, outputs, logits, tuple(padded))


def _upsample_names(model: nn.Module) -> tuple[str, ...]:
    names = tuple(getattr(model, "upsample_names", ()))
    if not names:
        raise ValueError(
            f"FCNInspector needs an FCN: {type(model).__name__} has no upsample_names. The FCNs are fcn32s, "
            "fcn16s and fcn8s (workbench.models.create_model('fcn8s', num_classes=...))."
        )
    missing = [n for n in names if not isinstance(getattr(model, n, None), nn.ConvTranspose2d)]
    if missing:
        raise ValueError(f"upsample_names lists {missing}, which are not nn.ConvTranspose2d layers of the model.")
    return names


def _as_batch(image, model: nn.Module) -> torch.Tensor:
    batch = torch.as_tensor(image, dtype=torch.float32)
    batch = batch.unsqueeze(0) if batch.ndim == 3 else batch
    if batch.ndim != 4 or batch.shape[:2] != (1, 3):
        raise ValueError(f"FCNInspector: expected one normalised image (3, H, W), got shape {tuple(batch.shape)}.")
    device = next(model.parameters()).device
    return batch.to(device)


class FCNInspector(SnapshotDisplay):
    """One row: the image, the 32s / 16s / 8s score maps and the logits, and what the chosen layer makes.

    Args:
        model: a (trained) FCN from ``workbench.models`` (fcn32s, fcn16s or fcn8s).
        image: a dataset's normalised float ``(3, H, W)`` tensor.
        classes: the ``Classes`` the model predicts (names for ``class_id``, colours for argmax maps).
        panel_width: the largest display width of a panel in pixels; panels shrink to share one row
            (image, three paths, logits and one upsampled map fit 1280 px with the file browser open).

    Controls: ``view`` ("argmax" / "class score"), ``class_id`` (class of the score view), ``layer``
    (transposed convolution whose input is outlined and whose output is the last panel). State:
    ``capture`` (raw score maps), ``stage_maps`` (path -> ``(C, h, w)``), ``current_arrays`` (panel ->
    displayed uint8 ``(H, W, 3)``; "layer output" only while the layer is not the last, whose output
    is the logits), ``panel_titles`` (panel -> the map shown, its size and stride), ``shown_layer``,
    ``layer_input`` (the panel showing the layer's input), ``layer_info``, ``legend`` (class colours or the
    colour bar of the class score). Display ``widget`` (or the object itself) in a notebook. Score
    colours: blue negative, white 0, red positive, one range per class over all panels so that panels
    compare.
    """

    def __init__(self, model: nn.Module, image, *, classes: Classes, panel_width: int = 240):
        predicted = getattr(model, _upsample_names(model)[-1]).out_channels  # checked before the forward pass
        if predicted != classes.num_classes:
            raise ValueError(
                f"FCNInspector: the model predicts {predicted} classes but classes has "
                f"{classes.num_classes}; pass the classes the model was trained on."
            )
        self.capture = capture_fcn(model, image)
        self.stage_maps = self.capture.stage_maps()
        self.classes = classes
        self.layer_info = {n: _describe(n, getattr(model, n), self.capture) for n in self.capture.layer_names}
        self._precompute()
        self.current_arrays: dict[str, np.ndarray] = {}
        self.panel_titles: dict[str, str] = {}
        self._build_controls()
        self._build_panels(panel_width)
        self._refresh()

    def _all_maps(self) -> dict[str, np.ndarray]:
        outputs = {f"{n} output": self.capture.layer_outputs[n] for n in self.capture.layer_names}
        return {**self.stage_maps, **outputs}

    def _precompute(self) -> None:
        # Argmax and colour levels of every map at its own (small) size: a control change then only blows
        # the chosen one up to image size and looks up its colours.
        maps = self._all_maps()
        vmax = np.max([np.abs(m).reshape(len(m), -1).max(1) for m in maps.values()], axis=0)
        self._argmax = {k: m.argmax(0).astype(np.uint8) for k, m in maps.items()}
        self._levels = {k: _levels_per_class(m, vmax) for k, m in maps.items()}
        self._strides = {k: 1 if k == "logits" else self.capture.stride(m) for k, m in maps.items()}
        self._class_lut = self.classes.palette()
        self._score_lut = score_colors()
        self.score_range = vmax  # per class: the |score| drawn in full colour
        self._inputs = {n: f"{self.capture.stride(self.capture.layer_inputs[n])}s" for n in self.capture.layer_names}
        self._class_legend = class_legend_html(self.classes)

    def _build_controls(self) -> None:
        names = self.classes.names
        self.view = widgets.ToggleButtons(
            options=VIEWS, value="argmax", description="view", style={"button_width": "auto"}
        )
        self.class_id = widgets.Dropdown(options=[(n, i) for i, n in enumerate(names)], value=0, description="class")
        self.layer = widgets.Dropdown(
            options=self.capture.layer_names, value=self.capture.layer_names[-1], description="layer"
        )
        self.info = widgets.HTML()
        self.legend = widgets.HTML()
        for control in (self.view, self.class_id, self.layer):
            control.observe(self._refresh, names="value")

    def _build_panels(self, panel_width: int) -> None:
        box = dict(
            flex="1 1 0%",
            min_width="0",
            max_width=f"{panel_width}px",
            margin="0 4px 0 0",
            border="2px solid transparent",
        )

        def panel():
            title = widgets.HTML()
            image = widgets.Image(format="png", layout=widgets.Layout(width="100%", height="auto"))
            return title, image, widgets.VBox([title, image], layout=widgets.Layout(**box))

        self._panels = {k: panel() for k in ("image", *self.stage_maps, "layer output")}
        height, width = self.capture.image.shape[:2]
        self._panels["image"][0].value = f"<b>image</b><br><small>{height}x{width}</small>"
        self._panels["image"][1].value = array_to_png(self.capture.image)  # the one panel that never changes
        wrap = widgets.Layout(flex_flow="row wrap")
        self.widget = SnapshotBox(
            [
                widgets.HBox([self.view, self.class_id, self.layer], layout=wrap),
                self.legend,
                widgets.HBox(
                    [p[2] for p in self._panels.values()], layout=widgets.Layout(flex_flow="row nowrap", width="100%")
                ),
                self.info,
            ],
            snapshot=Snapshot(self._picture, name="FCNInspector"),
        )

    @property
    def shown_layer(self) -> str:
        """The transposed convolution whose input is outlined and whose output the last panel shows."""
        return self.layer.value

    @property
    def layer_input(self) -> str:
        """The panel ("32s", "16s" or "8s") that shows the chosen layer's input."""
        return self._inputs[self.layer.value]

    def _refresh(self, change=None) -> None:
        layer = self.layer.value
        last = layer == self.capture.layer_names[-1]  # its output, cropped, is the logits panel
        keys = {k: k for k in self.stage_maps} | ({} if last else {"layer output": f"{layer} output"})
        self.current_arrays, self.panel_titles = {"image": self.capture.image}, {}
        for panel, key in keys.items():
            codes, colors = self._codes(key)
            self.current_arrays[panel] = np.take(colors, codes, axis=0)
            self.panel_titles[panel] = f"{key}: {self._shape_text(key)}"
            title, image, _ = self._panels[panel]
            title.value = f"<b>{html.escape(key)}</b><br><small>{self._shape_text(key)}</small>"
            image.value = codes_to_png(codes, colors)
        self._panels["layer output"][2].layout.display = "none" if last else None
        for panel, (_, _, box) in self._panels.items():
            box.layout.border = f"2px solid {HIGHLIGHT}" if panel == self.layer_input else "2px solid transparent"
        note = " (its output, cropped to the image, is the logits)" if last else ""
        self.info.value = (
            f"<span style='color:{HIGHLIGHT}'>&#9632;</span> outlined: the input of "
            f"{html.escape(self.layer_info[layer])}{note}"
        )
        self.legend.value = self._class_legend if self.view.value == "argmax" else self._colorbar_html()
        self.widget.snapshot.update()

    def _colorbar_html(self) -> str:
        """The score colours of the chosen class, from -range to +range, as a CSS gradient with its numbers."""
        vmax = float(self.score_range[self.class_id.value])
        stops = ", ".join(
            f"rgb({r},{g},{b})" for r, g, b in self._score_lut[::32].tolist() + [self._score_lut[-1].tolist()]
        )
        bar = (
            f"display:inline-block;width:240px;height:12px;background:linear-gradient(to right, {stops});"
            "border:1px solid #444;vertical-align:middle"
        )
        name = html.escape(self.classes.names[self.class_id.value])
        return (
            f"score of <b>{name}</b>: {-vmax:.3g} <span style='{bar}'></span> {vmax:.3g} "
            "(white 0; one range for this class in every panel)"
        )

    def _picture(self) -> Picture:
        return Picture(
            panels_to_png({self.panel_titles.get(k, k): v for k, v in self.current_arrays.items()}),
            f"<p>{self.legend.value}</p><p>{self.info.value}</p>",
        )

    def _codes(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """A map's argmax or chosen-class levels, blown up to image size, and the colours of those codes."""
        if self.view.value == "argmax":
            small, colors = self._argmax[key], self._class_lut
        else:
            small, colors = self._levels[key][self.class_id.value], self._score_lut
        return upsample_nearest(small, self._strides[key], self.capture.image.shape[:2]), colors

    def _shape_text(self, key: str) -> str:
        shape = self._argmax[key].shape
        return f"{shape[0]}x{shape[1]}, stride {self._strides[key]}"


def _levels_per_class(scores: np.ndarray, vmax: np.ndarray) -> np.ndarray:
    # Each class on its own range (shared by all maps), so a weak class is not washed out by a strong one.
    return np.stack([score_levels(s, v) for s, v in zip(scores, vmax)])


def _describe(name: str, layer: nn.ConvTranspose2d, capture: FCNCapture) -> str:
    """One line: the layer's hyper-parameters and the shapes it maps between."""
    before, after = capture.layer_inputs[name].shape, capture.layer_outputs[name].shape
    return (
        f"{name}: ConvTranspose2d(kernel {layer.kernel_size[0]}, stride {layer.stride[0]}, "
        f"padding {layer.padding[0]}) maps {before} (stride {capture.stride(capture.layer_inputs[name])}) "
        f"to {after} (stride {capture.stride(capture.layer_outputs[name])})"
    )
