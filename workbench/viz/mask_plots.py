"""Masks, overlays, error maps and boundary bands drawn on a matplotlib axis the caller owns.

Each ``plot_*`` takes ``ax`` first, draws one image with ``imshow`` and returns the ``AxesImage``; legends
it adds are at ``ax.get_legend()``. Nothing here creates a figure or calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.patches import Patch

from workbench.data.classes import IGNORE_INDEX
from workbench.viz.bands import BAND_COLORS, BAND_LABELS, BandCode, boundary_band_rgb, boundary_bands
from workbench.viz.colorize import blend, colorize, overlay
from workbench.viz.convert import as_palette, as_rgb_image, class_names_of
from workbench.viz.error_maps import CLASS_CODES, ERROR_COLORS, ERROR_LABELS, OVERALL_CODES, error_rgb


def plot_image(ax: Axes, image, *, title: str | None = None) -> AxesImage:
    """Show a photograph (uint8 ``(H, W, 3)`` or a dataset's normalised ``(3, H, W)``) without axes."""
    return _show(ax, as_rgb_image(image), title)


def plot_mask(
    ax: Axes, mask, palette, *, ignore_index: int = IGNORE_INDEX, ignore_color=(0, 0, 0), title: str | None = None
) -> AxesImage:
    """Show a class-id map ``(H, W)`` in its class colours (``palette``: ``(C, 3)`` uint8 or ``Classes``)."""
    return _show(ax, colorize(mask, palette, ignore_color, ignore_index=ignore_index), title)


def plot_overlay(
    ax: Axes, image, mask, palette, *, alpha: float = 0.5, ignore_index: int = IGNORE_INDEX, title: str | None = None
) -> AxesImage:
    """Show class colours over a photograph at opacity ``alpha``; void pixels show the photograph."""
    return _show(ax, overlay(image, mask, palette, alpha=alpha, ignore_index=ignore_index), title)


def plot_error_map(
    ax: Axes,
    pred,
    target,
    *,
    ignore_index: int = IGNORE_INDEX,
    class_id: int | None = None,
    image=None,
    alpha: float = 1.0,
    legend: bool = True,
    title: str | None = None,
) -> AxesImage:
    """Show ``error_map`` colours: correct / wrong / ignored, or TP / FP / FN / TN / ignored for ``class_id``.

    Args:
        ax: the axis to draw on.
        pred: predicted class ids ``(H, W)``.
        target: target class ids ``(H, W)``.
        ignore_index: the void value (255).
        class_id: ``None`` for all classes, or one class id.
        image: optional photograph to blend the colours over at opacity ``alpha``.
        alpha: opacity of the error colours over ``image``.
        legend: add a legend of the codes that can occur.
        title: axis title.
    """
    rgb = error_rgb(pred, target, ignore_index=ignore_index, class_id=class_id)
    if image is not None:
        rgb = blend(as_rgb_image(image), rgb, alpha)
    shown = _show(ax, rgb, title)
    if legend:
        codes = OVERALL_CODES if class_id is None else CLASS_CODES
        _legend(ax, [ERROR_LABELS[c] for c in codes], ERROR_COLORS[list(codes)])
    return shown


def plot_boundary_bands(
    ax: Axes,
    pred,
    target,
    *,
    ignore_index: int = IGNORE_INDEX,
    class_id: int | None = None,
    width: int | None = None,
    image=None,
    alpha: float = 1.0,
    legend: bool = True,
    title: str | None = None,
) -> AxesImage:
    """Show the Boundary IoU bands of target and prediction: target only / prediction only / both.

    Arguments as ``viz.boundary_bands`` (``width=None``: the metric's own band width) and
    ``plot_error_map``; with ``image``, band pixels are blended over it and the rest shows the photograph.
    """
    target_band, pred_band = boundary_bands(pred, target, ignore_index=ignore_index, class_id=class_id, width=width)
    rgb = boundary_band_rgb(target_band, pred_band)
    if image is not None:
        rgb = blend(as_rgb_image(image), rgb, alpha, where=target_band | pred_band)
    shown = _show(ax, rgb, title)
    if legend:
        codes = [BandCode.TARGET_ONLY, BandCode.PRED_ONLY, BandCode.BOTH]
        _legend(ax, [BAND_LABELS[c] for c in codes], BAND_COLORS[codes])
    return shown


def class_legend(
    ax: Axes,
    class_names: Sequence[str],
    palette,
    *,
    void_color=None,
    void_label: str = f"void ({IGNORE_INDEX})",
    **legend_kw,
) -> Legend:
    """A legend of coloured patches, one per class, on ``ax`` (``legend_kw`` go to ``ax.legend``).

    Args:
        void_color: RGB of void pixels as drawn (``plot_mask`` draws them black, ``(0, 0, 0)``): adds a
            last entry ``void_label`` with an outlined patch; ``None`` leaves void out.
    """
    colors, class_names = as_palette(palette), class_names_of(class_names)
    if len(colors) != len(class_names):
        raise ValueError(f"class_legend: {len(class_names)} names but {len(colors)} colours; give one per class.")
    if void_color is None:
        return _legend(ax, class_names, colors, **legend_kw)
    return _legend(ax, [*class_names, void_label], np.vstack([colors, np.asarray(void_color)[None]]), **legend_kw)


def gallery_indices(num_items: int, count: int) -> list[int]:
    """``count`` indices spread evenly over ``0..num_items - 1`` (first and last included).

    Datasets cut from video (CamVid) hold runs of near-identical frames; a gallery of the first few shows
    one scene several times, evenly spread ones show different scenes.
    """
    if num_items < 1 or count < 1:
        raise ValueError(f"gallery_indices: need at least one item and one slot, got {num_items} and {count}.")
    return sorted(set(np.linspace(0, num_items - 1, num=min(count, num_items)).round().astype(int).tolist()))


def plot_mask_gallery(
    axes_grid, images, targets, preds_by_model: Mapping[str, Sequence], palette, ignore_index: int = IGNORE_INDEX
) -> list[list[AxesImage]]:
    """A grid with one row per image: the photograph, the target, then each model's prediction.

    Args:
        axes_grid: axes of shape ``(N, 2 + len(preds_by_model))``, e.g. ``fig.subplots(N, 2 + M, squeeze=False)``.
        images: N photographs (uint8 ``(H, W, 3)`` or normalised ``(3, H, W)``), a list or a batch.
        targets: N target maps ``(H, W)``.
        preds_by_model: model name -> N predicted maps ``(H, W)``; dict order is column order.
        palette: ``(C, 3)`` uint8 colours or a ``Classes``.
        ignore_index: the void value (255).

    Returns:
        The ``AxesImage`` of every cell, row by row.
    """
    axes = _grid(axes_grid, (len(targets), 2 + len(preds_by_model)))
    num_rows = axes.shape[0]
    rows = []
    for i in range(num_rows):
        titles = ("image", "target", *preds_by_model) if i == 0 else (None,) * axes.shape[1]
        cells = [
            plot_image(axes[i, 0], images[i], title=titles[0]),
            plot_mask(axes[i, 1], targets[i], palette, ignore_index=ignore_index, title=titles[1]),
        ]
        for j, preds in enumerate(preds_by_model.values()):
            cells.append(plot_mask(axes[i, 2 + j], preds[i], palette, ignore_index=ignore_index, title=titles[2 + j]))
        rows.append(cells)
    return rows


def _grid(axes_grid, shape: tuple[int, int]) -> np.ndarray:
    axes = np.asarray(axes_grid, dtype=object)
    if axes.ndim == 1 and shape[0] == 1:
        axes = axes.reshape(shape)  # fig.subplots(1, k) squeezes the single row away
    if axes.shape != shape:
        raise ValueError(
            f"plot_mask_gallery: need a {shape} grid of axes (rows = images, columns = image, target, each model), "
            f"got {axes.shape}; make it with fig.subplots({shape[0]}, {shape[1]}, squeeze=False)."
        )
    return axes


def _show(ax: Axes, rgb: np.ndarray, title: str | None) -> AxesImage:
    # Nearest-neighbour so that class boundaries stay one colour or the other, never a blend.
    shown = ax.imshow(rgb, interpolation="nearest")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return shown


def _legend(ax: Axes, labels: Sequence[str], colors: np.ndarray, **legend_kw) -> Legend:
    # a thin grey edge keeps black (void, background) and white patches visible on any background
    handles = [
        Patch(facecolor=np.asarray(c) / 255.0, edgecolor="0.5", linewidth=0.5, label=str(n))
        for n, c in zip(labels, colors)
    ]
    options = {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0), "fontsize": "small", "frameon": False}
    return ax.legend(handles=handles, **{**options, **legend_kw})
