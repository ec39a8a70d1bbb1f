"""MaskComparer: browse images with the target and each model's mask side by side.

Thin wiring over ``workbench.viz.mask_panels``: the constructor precomputes every image's code maps
(class ids, error maps, boundary bands) and per-image scores; a control change only renders the shown
image's panels (lookup-table gather, alpha blend) and encodes them for ``ipywidgets.Image`` (PNG for flat
colours, JPEG where the photograph shows through: PNG of a photograph costs 20 ms at 480 x 360).
Panels share the row's width (CSS flex), so the image, the target and four models fit one row of a
1280-pixel screen with JupyterLab's file browser open, and grow up to ``panel_width`` on a wider one.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workbench.data.classes import Classes
from workbench.metrics import PER_IMAGE_COLUMNS
from workbench.records import check_targets, common_stems, read_comparison, scored_samples, stem_positions
from workbench.viz.encode import array_to_jpeg, codes_to_png, panels_to_png
from workbench.viz.error_maps import ERROR_COLORS, ErrorCode
from workbench.viz.mask_panels import (
    VIEWS,
    class_error_codes,
    class_lookup,
    compare_masks,
    panel_codes,
    render_panel,
)
from workbench.viz.paired_inputs import classes_of, split_pairs
from workbench.widgets.comparer_html import counts_html, score_values, scores_html, view_legends
from workbench.widgets.snapshot import Picture, Snapshot, SnapshotBox, SnapshotDisplay

__all__ = ["MaskComparer"]  # what workbench.widgets exports

SORTS = ("dataset order", "worst first")
CLASS_VIEWS = ("class errors", "error kinds")  # the views of one class, chosen with ``class_id``


class MaskComparer(SnapshotDisplay):
    """Image slider over a dataset: photograph, target and each model's mask, overlay, error map or bands.

    Args:
        images: a dataset of ``(image, mask)`` pairs (then ``targets=None``), or N photographs (normalised
            ``(3, H, W)`` tensors as datasets give, a ``(N, 3, H, W)`` batch, or uint8 ``(H, W, 3)`` arrays).
        targets: N target maps ``(H, W)``, or ``None`` to take them from ``images``.
        preds: model name -> N predicted class-id maps ``(H, W)`` (e.g. ``logits.argmax(1)``).
        classes: the dataset's ``Classes``; ``None`` takes ``images.classes``.
        per_image: compute per-image scores (``workbench.metrics.per_image_scores``), needed to sort.
        scores: model -> per-image scores already computed (one row per image, the columns of
            ``PER_IMAGE_COLUMNS``), e.g. from evaluation records; then nothing is rescored.
        panel_width: the largest display width of a panel in pixels; panels shrink to share the row.

    Controls: ``index`` (position in the current order), ``opacity``, ``view`` (one of ``VIEWS``),
    ``class_id`` (the class of the "class errors" and "error kinds" views), ``sort`` ("dataset order" / "worst first"),
    ``sort_by`` (whose mIoU sorts), ``models`` (which models to show). State: ``current_index`` (dataset
    index shown), ``order``, ``shown_models``, ``current_arrays`` (panel name -> displayed uint8
    ``(H, W, 3)``), ``scores_row``, ``class_counts`` (TP / FP / FN pixels of ``class_id`` per model in
    the shown image), ``panel_renders``; the whole precomputation is ``comparison``.
    Display ``widget`` (or the object itself) in a notebook.

    Boundary bands and the image frame: Boundary IoU (Cheng et al., CVPR 2021) scores the band of width
    ``d = max(1, round(0.02 x image diagonal))`` inside every region's contour, and counts the pixels
    outside the image as "not in the region". A region that touches the image frame therefore has a band
    along the frame too: the frame is part of its boundary, for the target and for the prediction alike,
    so a prediction that reaches the frame where the target does matches there, and the bands view draws
    those stretches like any other contour. (The BF score and HD95 do the opposite and treat the frame as
    no edge, so their edges stop at the frame.) Void pixels of the target belong to no band.
    """

    def __init__(
        self,
        images,
        targets,
        preds: Mapping[str, Sequence],
        classes: Classes | None = None,
        *,
        per_image: bool = True,
        panel_width: int = 320,
        scores: Mapping[str, pd.DataFrame] | None = None,
    ):
        classes = classes if classes is not None else classes_of(images)
        images, targets = split_pairs(images, targets)
        self.comparison = compare_masks(images, targets, preds, classes, per_image=per_image and scores is None)
        if scores is not None:
            self.comparison = dataclasses.replace(self.comparison, scores={m: scores[m] for m in preds})
            per_image = True
        self.order = np.arange(len(targets))
        self.current_arrays: dict[str, np.ndarray] = {}
        self._class_colors, self._class_opaque = class_lookup(classes)
        self._score_values = score_values(self.comparison.scores)
        self._drawn: dict[str, tuple] = {}  # panel -> (what it shows, its array): skip unchanged panels
        self.panel_renders = 0  # panels rendered and encoded so far (unchanged panels are skipped)
        self.class_counts: pd.DataFrame | None = None
        self._build_controls(per_image)
        self._build_panels(panel_width)
        wrap = widgets.Layout(flex_flow="row wrap")
        self.widget = SnapshotBox(
            [
                widgets.HBox([self.index, self.opacity, self.position], layout=wrap),
                widgets.HBox([self.view, self.class_id, self.sort, self.sort_by, self.models], layout=wrap),
                self.legend,
                self.panel_row,
                self.scores_html,
                self.counts_html,
            ],
            snapshot=Snapshot(self._picture, name="MaskComparer"),
        )
        self._refresh()

    @classmethod
    def from_run(
        cls, run_dir: str | Path, data=None, *, max_images: int | None = None, panel_width: int = 320
    ) -> MaskComparer:
        """Open a comparison folder (or one record): masks and per-image scores from the records, no model.

        Args:
            run_dir: a comparison folder (``compare``, ``workbench evaluate --preds NAME=DIR ...``) or a record.
            data: the dataset the records scored, for the photographs and targets, matched by image stem;
                None: the data the records name, read as numpy (``wb.records.scored_samples``).
            max_images: only the first N images of the records.
            panel_width: as for ``MaskComparer``: the largest display width of a panel in pixels.

        Raises:
            RecordError: no record in ``run_dir``, a damaged one, or (``data`` None) data not on this machine.
            ValueError: records of different images, or data that lacks the records' images.
        """
        records = read_comparison(run_dir)
        stems = common_stems(records, f"MaskComparer.from_run({run_dir})")[:max_images]
        first = next(iter(records.values()))
        if data is None:
            pairs = scored_samples(first, stems)
        else:
            pairs = [data[i] for i in stem_positions(data, stems, f"MaskComparer.from_run({run_dir})")]
        check_targets(first, stems, [p[1] for p in pairs], f"MaskComparer.from_run({run_dir})")
        preds = {name: [record.mask(stem) for stem in stems] for name, record in records.items()}
        scores = {
            name: record.per_image.reindex(index=stems, columns=list(PER_IMAGE_COLUMNS))  # NaN: not counted
            .reset_index(drop=True)
            .rename_axis("image")
            for name, record in records.items()
        }
        return cls(
            [p[0] for p in pairs], [p[1] for p in pairs], preds, first.classes, scores=scores, panel_width=panel_width
        )

    def _build_controls(self, per_image: bool) -> None:
        names = self.comparison.model_names
        self.index = widgets.IntSlider(value=0, min=0, max=len(self.order) - 1, description="image")
        self.opacity = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="opacity")
        self.view = widgets.ToggleButtons(
            options=VIEWS, value="mask", description="view", style={"button_width": "auto"}
        )
        classes = self.comparison.classes
        self.class_id = widgets.Dropdown(
            options=[(n, i) for i, n in enumerate(classes.names)], value=0, description="class", disabled=True
        )
        self.sort = widgets.Dropdown(options=SORTS if per_image else SORTS[:1], description="sort")
        self.sort_by = widgets.Dropdown(options=names, description="by mIoU of", disabled=not per_image)
        self.models = widgets.SelectMultiple(options=names, value=names, description="models", rows=min(len(names), 5))
        self.position = widgets.HTML()
        self.legend = widgets.HTML()
        self.scores_html = widgets.HTML()
        self.counts_html = widgets.HTML()
        for control in (self.index, self.opacity, self.view, self.class_id, self.models):
            control.observe(self._refresh, names="value")
        for control in (self.sort, self.sort_by):
            control.observe(self._resort, names="value")

    def _build_panels(self, panel_width: int) -> None:
        names = ("image", "target", *self.comparison.model_names)
        # flex 1 1 0 with min-width 0: panels divide the row's width equally and shrink below the image size
        box = dict(flex="1 1 0%", min_width="0", max_width=f"{panel_width}px", margin="0 4px 0 0")
        self._images = {
            n: widgets.Image(format="png", layout=widgets.Layout(width="100%", height="auto")) for n in names
        }
        self._boxes = {
            n: widgets.VBox([widgets.HTML(f"<b>{html.escape(n)}</b>"), self._images[n]], layout=widgets.Layout(**box))
            for n in names
        }
        self.panel_row = widgets.HBox(
            list(self._boxes.values()), layout=widgets.Layout(flex_flow="row nowrap", width="100%")
        )
        self._legends = view_legends(self.comparison.classes)

    @property
    def current_index(self) -> int:
        """The dataset index of the image shown (``order[index.value]``)."""
        return int(self.order[self.index.value])

    @property
    def shown_models(self) -> tuple[str, ...]:
        """The models whose panels are shown, in the order ``preds`` gave them."""
        return tuple(m for m in self.comparison.model_names if m in self.models.value)

    @property
    def scores_row(self) -> pd.DataFrame | None:
        """The shown image's scores, one row per shown model (``None`` without ``per_image``)."""
        if self.comparison.scores is None:
            return None
        rows = {m: self.comparison.scores[m].iloc[self.current_index] for m in self.shown_models}
        return pd.DataFrame(rows).T.reindex(list(rows))

    def _resort(self, change=None) -> None:
        # Worst first starts at the worst image: moving to position 0 is what the user asked to see.
        if change is not None and change["owner"] is self.sort_by and self.sort.value != "worst first":
            return  # choosing whose mIoU sorts changes nothing until worst-first is on
        by_worst = self.sort.value == "worst first"
        self.order = self.comparison.worst_first(self.sort_by.value) if by_worst else np.arange(len(self.order))
        if self.index.value == 0:
            self._refresh()
        else:
            self.index.value = 0  # its observer refreshes

    def _refresh(self, change=None) -> None:
        shown = ("image", "target", *self.shown_models)
        for name, box in self._boxes.items():
            box.layout.display = None if name in shown else "none"
        self.class_id.disabled = self.view.value not in CLASS_VIEWS
        self.current_arrays = {name: self._panel(name) for name in shown}
        self.legend.value = self._legends[self.view.value]
        self.position.value = self._position_html()
        self.scores_html.value = scores_html(self._score_values, self.shown_models, self.current_index)
        self.class_counts = self._class_counts() if self.view.value == "class errors" else None
        self.counts_html.value = "" if self.class_counts is None else counts_html(self.class_counts, self._class_name())
        self.widget.snapshot.update()

    def _picture(self) -> Picture:
        text = (
            f"<p>{self.position.value}, view <b>{self.view.value}</b></p><p>{self.legend.value}</p>"
            f"{self.scores_html.value}{self.counts_html.value}"
        )
        return Picture(panels_to_png(self.current_arrays), text)

    def _panel(self, name: str) -> np.ndarray:
        """Render and encode one panel, unless what it depends on is unchanged since it was last drawn."""
        view, alpha = self.view.value, self.opacity.value
        class_id = self.class_id.value if view in CLASS_VIEWS and name != "target" else None
        key = (
            (self.current_index,) if name == "image" else (self.current_index, view, alpha * (view != "mask"), class_id)
        )
        if self._drawn.get(name, (None,))[0] != key:
            panels = self.comparison.panels[self.current_index]
            rgb = render_panel(panels, name, view, alpha, self._class_colors, self._class_opaque, **self._class_args())
            image_format, data = self._encode(panels, name, rgb)
            with self._images[name].hold_sync():
                self._images[name].format, self._images[name].value = image_format, data
            self._drawn[name] = (key, rgb)
            self.panel_renders += 1
        return self._drawn[name][1]

    def _encode(self, panels, name: str, rgb: np.ndarray) -> tuple[str, bytes]:
        # Pure lookup-table colours: a palette PNG of the codes (lossless, 0.4 ms). Anything showing the
        # photograph: JPEG (1 ms; PNG of a photograph costs 20 ms at 480 x 360).
        if name != "image":
            codes, colors, opaque = panel_codes(
                panels, name, self.view.value, self._class_colors, self._class_opaque, **self._class_args()
            )
            if self.view.value == "mask" or (self.opacity.value == 1.0 and opaque is None):
                return "png", codes_to_png(codes, colors)
        return "jpeg", array_to_jpeg(rgb)

    def _class_args(self) -> dict:
        return {"class_id": self.class_id.value, "ignore_index": self.comparison.classes.ignore_index}

    def _class_name(self) -> str:
        return self.comparison.classes.names[self.class_id.value]

    def _class_counts(self) -> pd.DataFrame:
        """TP / FP / FN pixels of the chosen class in the shown image, and the IoU they give, per shown model."""
        panels, rows = self.comparison.panels[self.current_index], {}
        for model in self.shown_models:
            codes = class_error_codes(panels.preds[model], panels.target, **self._class_args())
            counts = np.bincount(codes.ravel(), minlength=len(ERROR_COLORS))
            tp, fp, fn = (
                int(counts[c]) for c in (ErrorCode.TRUE_POSITIVE, ErrorCode.FALSE_POSITIVE, ErrorCode.FALSE_NEGATIVE)
            )
            rows[model] = {"TP": tp, "FP": fp, "FN": fn, "IoU": tp / (tp + fp + fn) if tp + fp + fn else np.nan}
        return pd.DataFrame.from_dict(rows, orient="index")

    def _position_html(self) -> str:
        where = f"{self.index.value + 1} of {len(self.order)}, {self.sort.value}"
        if self.sort.value == "worst first":
            where += f" by {html.escape(self.sort_by.value)}"
        return f"dataset index <b>{self.current_index}</b> ({where})"
