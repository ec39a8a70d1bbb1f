"""PhotoSegmenter: upload your own photo and see what a trained model makes of it.

Thin wiring over ``data.read_photo`` (the upload read as a viewer shows it), ``engine.photo.segment_photo``
(the photo scaled to the training size, the mask at the photo's size: the same path as ``workbench
predict``) and ``viz.overlay``. The model runs once per photo; the opacity slider only re-blends the
display-size copies made then.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd
from PIL import Image
from torch import nn

from workbench.data import DatasetError, read_photo
from workbench.data.classes import Classes
from workbench.engine.photo import PhotoSegmentation, load_photo_model, segment_photo
from workbench.viz import array_to_jpeg, array_to_png, colorize, overlay
from workbench.viz.convert import as_rgb_image
from workbench.viz.encode import panels_to_png
from workbench.widgets.legend import class_legend_html, swatch
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

DISPLAY_SIDE = 360  # longer side of the pictures on screen, whatever the photo's size
ERROR = "#d62728"
LEFT = "style='text-align:left'"  # JupyterLab right-aligns the cells of a saved output's tables


__all__ = ["PhotoSegmenter"]  # what workbench.widgets exports


class PhotoSegmenter(SnapshotDisplay):
    """An upload button, the photo with the predicted classes over it, the mask, the legend and class shares.

    Args:
        model: a trained model (``nn.Module``), or the path of a run's ``best.safetensors``: then the model,
            its classes and its training size come from the run folder, as for ``workbench predict``.
        classes: the classes the model predicts (required with a module; a run folder has its own).
        sample: what is shown before any upload: a photo file, a uint8 ``(H, W, 3)`` picture or a dataset's
            normalised ``(3, H, W)`` image (so that a notebook run without a person still shows something).
        size: longer side in pixels of the photo as the model sees it: the training size (with a run path:
            the run's, when it records one); ``None`` keeps the photo's own size, at most 1024.
        alpha: starting opacity of the class colours.

    Controls: ``upload`` (a ``FileUpload`` for one picture), ``alpha`` (opacity). State: ``photo_name``,
    ``result`` (the ``PhotoSegmentation``: photo, mask at the photo's size, size the model saw, class
    shares), ``shares`` (the table of pixels and share per class, largest first), ``overlay`` (the blended
    picture on display, uint8 ``(h, w, 3)``), ``error`` (the one-line message of an upload that could not
    be read, else ``""``; the previous photo stays). Display ``widget`` (or the object itself).
    """

    def __init__(self, model, *, classes: Classes | None = None, sample=None, size: int | None = None, alpha=0.5):
        if isinstance(model, (str, Path)):
            loaded = load_photo_model(model)
            model, classes, size = loaded.model, classes or loaded.classes, size or loaded.size
        if not isinstance(model, nn.Module) or classes is None:
            raise ValueError(
                "PhotoSegmenter needs a model and its classes: PhotoSegmenter(model, classes=train_data.classes), "
                "or the weights of a run folder, PhotoSegmenter('runs/NAME/best.safetensors')."
            )
        self.model, self.classes, self.size = model, classes, size
        self.photo_name, self.result, self.error = None, None, ""
        self.shares = pd.DataFrame()
        self.overlay = np.zeros((1, 1, 3), np.uint8)
        self._build(alpha)
        if sample is not None:
            photo = read_photo(sample) if isinstance(sample, (str, Path)) else as_rgb_image(sample)
            name = Path(sample).name if isinstance(sample, (str, Path)) else "sample image"
            self.segment(photo, name)

    def _build(self, alpha: float) -> None:
        self.upload = widgets.FileUpload(
            accept="image/*", multiple=False, description="Upload a photo", layout=widgets.Layout(width="auto")
        )
        self.alpha = widgets.FloatSlider(value=alpha, min=0.0, max=1.0, step=0.05, description="opacity")
        self.status = widgets.HTML("Upload a photo (JPEG, PNG, WebP...) to segment it.")
        picture = widgets.Layout(width=f"{DISPLAY_SIDE}px", height="auto", margin="0 8px 0 0")
        self.overlay_image = widgets.Image(format="jpeg", layout=picture)
        self.mask_image = widgets.Image(format="png", layout=picture)
        self.legend = widgets.HTML(class_legend_html(self.classes))
        self.table = widgets.HTML()
        self.upload.observe(self._uploaded, names="value")
        self.alpha.observe(self._refresh, names="value")
        self.widget = SnapshotBox(
            [
                widgets.HBox([self.upload, self.alpha], layout=widgets.Layout(flex_flow="row wrap")),
                self.status,
                widgets.HBox([self.overlay_image, self.mask_image], layout=widgets.Layout(flex_flow="row wrap")),
                self.legend,
                self.table,
            ],
            snapshot=Snapshot(self._picture, name="PhotoSegmenter"),
        )

    def segment(self, photo: np.ndarray, name: str) -> PhotoSegmentation:
        """Run the model on ``photo`` (uint8 ``(H, W, 3)``) and show it under ``name``."""
        self.result = segment_photo(self.model, photo, size=self.size)
        self.photo_name, self.error = name, ""
        self.shares = self.result.shares_table(self.classes)
        self._display_photo, self._display_mask = _display_copies(self.result)
        self._colored_mask = colorize(self._display_mask, self.classes)
        self.mask_image.value = array_to_png(self._colored_mask)
        self.table.value = shares_html(self.shares, self.classes)
        self._refresh()
        return self.result

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[-1]
        try:
            photo = read_photo(upload["content"], name=upload["name"])
        except DatasetError as err:
            self.error = str(err)
            self.status.value = f"<span style='color:{ERROR}'>{html.escape(self.error)}</span>"
            self.widget.snapshot.update()
            return
        self.segment(photo, upload["name"])

    def _refresh(self, change=None) -> None:
        if self.result is None:
            return
        self.overlay = overlay(self._display_photo, self._display_mask, self.classes, self.alpha.value)
        self.overlay_image.value = array_to_jpeg(self.overlay, quality=92)
        (height, width), (seen_h, seen_w) = self.result.mask.shape, self.result.input_size
        self.status.value = (
            f"<b>{html.escape(self.photo_name)}</b>: {width} x {height} pixels, seen by the model at "
            f"{seen_w} x {seen_h}; the mask is scaled back to the photo's size."
        )
        self.widget.snapshot.update()

    def _picture(self) -> Picture:
        if self.result is None:
            return Picture(None, f"<p>{self.status.value}</p>")
        png = panels_to_png({"photo and classes": self.overlay, "mask": self._colored_mask}, height=240)
        return Picture(png, f"<p>{self.status.value}</p><p>{self.legend.value}</p>{self.table.value}")


def shares_html(shares: pd.DataFrame, classes: Classes) -> str:
    """A small table: each class's swatch and name, a bar of its share of the photo, the percentage."""
    colors = dict(zip(classes.names, classes.colors))
    rows = []
    for name, share in shares["share"].items():
        bar = (  # a class with no pixel gets no bar (its border alone would read as a sliver)
            f"<span style='display:inline-block;height:0.8em;width:{share * 160:.1f}px;"
            f"background:rgb{tuple(colors[name])};border:1px solid #444'></span>"
            if share > 0
            else ""
        )
        rows.append(f"<tr><td {LEFT}>{swatch(name, colors[name])}</td><td {LEFT}>{bar}</td><td>{share:.1%}</td></tr>")
    head = f"<tr><th {LEFT}>class</th><th {LEFT}>share of the photo's pixels</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _display_copies(result: PhotoSegmentation) -> tuple[np.ndarray, np.ndarray]:
    """The photo (bilinear) and its mask (nearest: no invented class ids) with the longer side ``DISPLAY_SIDE``:
    a large photo is scaled down, a small one up (so that the browser does not blur the mask's edges)."""
    height, width = result.mask.shape
    scale = DISPLAY_SIDE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    photo = np.asarray(Image.fromarray(result.photo).resize(size, Image.Resampling.BILINEAR))
    return photo, np.asarray(Image.fromarray(result.mask).resize(size, Image.Resampling.NEAREST))
