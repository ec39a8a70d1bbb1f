"""Everything a side-by-side mask comparison shows, computed once: the pure layer under ``MaskComparer``.

``compare_masks`` turns images, targets and each model's predictions into per-image code maps (class
ids, ``ErrorCode``, ``BandCode``) and per-image scores. ``render_panels`` turns one image's codes into the
RGB panels of one view with a lookup-table gather and an alpha blend, cheap enough for every slider move.
Codes are stored instead of RGB because they take a third of the memory (one byte per pixel instead of
three), which matters for a hundred 480 x 360 images and several models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.classes import Classes
from workbench.metrics import boundary_width, per_image_scores
from workbench.metrics.error_kinds import pixel_error_kinds
from workbench.viz.bands import BAND_COLORS, BandCode, boundary_band_codes, mask_band
from workbench.viz.colorize import paint
from workbench.viz.convert import as_mask, as_rgb_image
from workbench.viz.error_kinds import KIND_COLORS, KIND_OPAQUE, class_error_kinds
from workbench.viz.error_maps import ERROR_COLORS, ErrorCode, error_map

VIEWS = ("mask", "overlay", "error map", "class errors", "error kinds", "boundary bands")
RESERVED_PANELS = ("image", "target")
BAND_OPAQUE = np.array([False, True, True, True])  # no-boundary pixels show the photograph
CLASS_ERROR_OPAQUE = np.isin(
    np.arange(len(ERROR_COLORS)), [ErrorCode.TRUE_POSITIVE, ErrorCode.FALSE_POSITIVE, ErrorCode.FALSE_NEGATIVE]
)  # TN and void: photograph
DIM = 0.4  # the photograph under the bands: grey at this brightness, so that thin coloured bands stand out


@dataclass(frozen=True)
class ImagePanels:
    """One image's precomputed maps; every ``(H, W)`` map is uint8 codes."""

    image: np.ndarray  # uint8 (H, W, 3) photograph
    dimmed: np.ndarray  # uint8 (H, W, 3) the photograph in grey at DIM brightness, under the bands
    target: np.ndarray  # class ids, ignore_index kept
    target_band: np.ndarray  # BandCode.TARGET_ONLY on the target's boundary band, else NONE
    preds: dict[str, np.ndarray]  # model -> class ids
    errors: dict[str, np.ndarray]  # model -> ErrorCode (correct / wrong / ignored)
    bands: dict[str, np.ndarray]  # model -> BandCode
    kinds: dict[str, np.ndarray] = field(default_factory=dict)  # model -> packed_error_kinds, filled on first view


@dataclass(frozen=True)
class MaskComparison:
    """Precomputed panels of every image, and per-image scores of every model (``None`` if not asked)."""

    panels: list[ImagePanels]
    model_names: tuple[str, ...]
    classes: Classes
    scores: dict[str, pd.DataFrame] | None  # model -> one row per image (pixel_accuracy, miou, ...)

    def worst_first(self, model: str) -> np.ndarray:
        """Dataset indices by ascending per-image mIoU of ``model`` (ties in dataset order, NaN last)."""
        if self.scores is None:
            raise ValueError("worst_first needs per-image scores; build the comparison with per_image=True.")
        return np.argsort(self.scores[model]["miou"].to_numpy(dtype=np.float64), kind="stable")


def image_panels(image, target, preds: Mapping[str, np.ndarray], *, num_classes: int, ignore_index: int) -> ImagePanels:
    """Code maps of one image: its target, and each model's prediction, error map and boundary bands.

    Args:
        image: a photograph in any form ``as_rgb_image`` takes.
        target: class ids ``(H, W)`` or ``ignore_index``.
        preds: model name -> predicted class ids ``(H, W)``, each in ``0..num_classes-1``.
        num_classes: C.
        ignore_index: the void value of ``target``.

    Raises:
        ValueError: for a size mismatch or a value that is not a class id, naming the map.
    """
    rgb = as_rgb_image(image)
    target = _checked_map(target, "target", rgb.shape[:2], num_classes, ignore_index)
    preds = {name: _checked_map(p, f"preds[{name!r}]", rgb.shape[:2], num_classes) for name, p in preds.items()}
    # The bands of the target and every prediction in one batched call: (1 + models, H, W).
    stacked = np.stack([target, *preds.values()])
    target_band, *pred_bands = mask_band(stacked, target != ignore_index, width=boundary_width(*target.shape))
    panels = ImagePanels(
        image=rgb,
        dimmed=dim(rgb),
        target=target.astype(np.uint8),
        target_band=target_band.astype(np.uint8) * np.uint8(BandCode.TARGET_ONLY),
        preds={name: pred.astype(np.uint8) for name, pred in preds.items()},
        errors={name: error_map(pred, target, ignore_index=ignore_index) for name, pred in preds.items()},
        bands={name: boundary_band_codes(target_band, band) for name, band in zip(preds, pred_bands)},
    )
    for array in (
        panels.image,
        panels.dimmed,
        panels.target,
        panels.target_band,
        *panels.preds.values(),
        *panels.errors.values(),
        *panels.bands.values(),
    ):
        array.setflags(write=False)  # shared with every render: a caller's edit must not change the cache
    return panels


def dim(rgb: np.ndarray, brightness: float = DIM) -> np.ndarray:
    """The photograph as grey at ``brightness`` (0..1) of its luminance: uint8 ``(H, W, 3)``."""
    grey = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.repeat((grey * brightness).round().astype(np.uint8)[..., None], 3, axis=-1)


def class_error_codes(pred: np.ndarray, target: np.ndarray, class_id: int, ignore_index: int) -> np.ndarray:
    """``ErrorCode`` per pixel for one class (TP / FP / FN / TN, void ``IGNORED``) from two uint8 maps.

    The same codes as ``error_map(pred, target, ignore_index, class_id)``, on the stored uint8 maps in
    about a millisecond at 480 x 360, so that the widget's class dropdown needs no precomputed copy per class.
    """
    in_pred, in_target = pred == class_id, target == class_id
    codes = np.full(target.shape, np.uint8(ErrorCode.TRUE_NEGATIVE))
    codes[in_pred] = ErrorCode.FALSE_POSITIVE
    codes[in_target] = ErrorCode.FALSE_NEGATIVE
    codes[in_pred & in_target] = ErrorCode.TRUE_POSITIVE
    codes[target == ignore_index] = ErrorCode.IGNORED
    return codes


def packed_error_kinds(pred: np.ndarray, target: np.ndarray, ignore_index: int = 255) -> np.ndarray:
    """Both kind maps of ``metrics.error_kinds.pixel_error_kinds`` in one byte: ``fp_kind | fn_kind << 2``.

    Args:
        pred: predicted class ids ``(H, W)``.
        target: target class ids ``(H, W)``, ``ignore_index`` for void.

    Returns:
        uint8 ``(H, W)``: the pixel's error kind (``metrics.error_kinds.ErrorKind``) as an FP of its predicted
        class in the low two bits, as an FN of its target class in the next two.
    """
    valid = target != ignore_index
    num_classes = int(max(pred.max(initial=0), target[valid].max(initial=0))) + 1  # kinds need no more classes
    fp, fn = pixel_error_kinds(pred, target, num_classes, ignore_index)
    return (fp | (fn << 2)).astype(np.uint8)


def _checked_map(mask, name: str, shape: tuple[int, int], num_classes: int, ignore_index: int | None = None):
    mask = as_mask(mask, name=name)
    if mask.shape != shape:
        raise ValueError(f"{name} is {mask.shape} but its image is {shape}; they must match.")
    bad = ((mask < 0) | (mask >= num_classes)) & (mask != ignore_index if ignore_index is not None else True)
    if bad.any():
        also = "" if ignore_index is None else f" or ignore_index {ignore_index}"
        raise ValueError(
            f"{name} holds {np.unique(mask[bad])[:5].tolist()}, not class ids 0..{num_classes - 1}"
            f"{also}; pass class maps such as logits.argmax(1)."
        )
    return mask


def compare_masks(
    images: Sequence, targets: Sequence, preds: Mapping[str, Sequence], classes: Classes, *, per_image: bool = True
) -> MaskComparison:
    """Precompute the panels of every image, and per-image scores of every model.

    Args:
        images: N photographs (uint8 ``(H, W, 3)`` or a dataset's normalised ``(3, H, W)``).
        targets: N target maps ``(H, W)``; sizes may differ between images.
        preds: model name -> N predicted maps ``(H, W)`` (class ids, not logits).
        classes: the dataset's ``Classes`` (colours, ``ignore_index``).
        per_image: also compute ``workbench.metrics.per_image_scores`` per model (needed to sort).
    """
    _check_inputs(images, targets, preds, classes)
    panels = [
        image_panels(
            images[i],
            targets[i],
            {name: maps[i] for name, maps in preds.items()},
            num_classes=classes.num_classes,
            ignore_index=classes.ignore_index,
        )
        for i in range(len(targets))
    ]
    scores = None
    if per_image:
        target_list = [p.target.astype(np.int64) for p in panels]
        scores = {
            name: per_image_scores(
                [p.preds[name].astype(np.int64) for p in panels],
                target_list,
                classes.num_classes,
                ignore_index=classes.ignore_index,
            )
            for name in preds
        }
    return MaskComparison(panels=panels, model_names=tuple(preds), classes=classes, scores=scores)


def _check_inputs(images, targets, preds, classes: Classes) -> None:
    if not preds:
        raise ValueError("compare_masks: no predictions; pass preds={'model name': masks (N, H, W)}.")
    clashes = [name for name in preds if name in RESERVED_PANELS]
    if clashes:
        raise ValueError(f"compare_masks: model names {clashes} clash with the panels {RESERVED_PANELS}; rename them.")
    counts = {"images": len(images), "targets": len(targets), **{f"preds[{n!r}]": len(m) for n, m in preds.items()}}
    if len(set(counts.values())) != 1:
        raise ValueError(f"compare_masks: different numbers of images: {counts}; pass one mask per image everywhere.")
    if not (classes.num_classes <= 255 and 0 <= classes.ignore_index <= 255):
        raise ValueError(
            f"compare_masks: stores masks as bytes, so needs at most 255 classes and ignore_index in 0..255; "
            f"got {classes.num_classes} classes and ignore_index {classes.ignore_index}."
        )


def class_lookup(classes: Classes, ignore_color=(0, 0, 0)) -> tuple[np.ndarray, np.ndarray]:
    """A 256-row colour table for uint8 class ids, and which ids are drawn (all but ``ignore_index``)."""
    colors = np.zeros((256, 3), dtype=np.uint8)
    colors[: classes.num_classes] = classes.palette()
    colors[classes.ignore_index] = ignore_color
    opaque = np.ones(256, dtype=bool)
    opaque[classes.ignore_index] = False
    return colors, opaque


def render_panels(
    panels: ImagePanels,
    view: str,
    alpha: float,
    models: Sequence[str],
    class_colors: np.ndarray,
    class_opaque: np.ndarray,
    *,
    class_id: int = 0,
    ignore_index: int = 255,
) -> dict[str, np.ndarray]:
    """The RGB arrays of one view: ``{"image", "target", *models}`` -> uint8 ``(H, W, 3)``.

    See ``render_panel``; ``class_colors`` and ``class_opaque`` come from ``class_lookup``.
    """
    return {
        name: render_panel(
            panels, name, view, alpha, class_colors, class_opaque, class_id=class_id, ignore_index=ignore_index
        )
        for name in ("image", "target", *models)
    }


def render_panel(
    panels: ImagePanels,
    name: str,
    view: str,
    alpha: float,
    class_colors: np.ndarray,
    class_opaque: np.ndarray,
    *,
    class_id: int = 0,
    ignore_index: int = 255,
) -> np.ndarray:
    """One panel (``"image"``, ``"target"`` or a model name) of one view, uint8 ``(H, W, 3)``.

    ``view`` "mask" shows pure class colours; "overlay", "error map" and "class errors" blend their
    colours over the photograph at opacity ``alpha``, "boundary bands" over the photograph dimmed to grey
    (``dim``) so that the thin bands stand out. In the two error views the target panel shows the target
    overlay; in the band view, the target's own boundary band. "class errors" shows one class
    (``class_id``): true positives green, false positives vermillion, false negatives blue, the rest the
    photograph. "error kinds" shows that class's errors by kind (``viz.error_kinds``: boundary, extent,
    segment; FP warm, FN cool), true negatives the photograph.
    """
    if view not in VIEWS:
        raise ValueError(f"view={view!r}; choose one of {VIEWS}.")
    if name == "image":
        return panels.image
    codes, colors, opaque = panel_codes(
        panels, name, view, class_colors, class_opaque, class_id=class_id, ignore_index=ignore_index
    )
    if view == "mask":
        return np.take(colors, codes, axis=0)
    return paint(panels.dimmed if view == "boundary bands" else panels.image, codes, colors, alpha, opaque)


def panel_codes(
    panels: ImagePanels,
    name: str,
    view: str,
    class_colors: np.ndarray,
    class_opaque: np.ndarray,
    *,
    class_id: int = 0,
    ignore_index: int = 255,
):
    """``(codes, colour table, opaque table or None)`` that a panel other than "image" paints in ``view``."""
    if view == "boundary bands":
        return (panels.target_band if name == "target" else panels.bands[name]), BAND_COLORS, BAND_OPAQUE
    if name == "target":
        return panels.target, class_colors, class_opaque
    if view == "error map":
        return panels.errors[name], ERROR_COLORS, None
    if view == "class errors":
        return (
            class_error_codes(panels.preds[name], panels.target, class_id, ignore_index),
            ERROR_COLORS,
            CLASS_ERROR_OPAQUE,
        )
    if view == "error kinds":
        return error_kind_codes(panels, name, class_id, ignore_index), KIND_COLORS, KIND_OPAQUE
    return panels.preds[name], class_colors, class_opaque


def error_kind_codes(panels: ImagePanels, name: str, class_id: int, ignore_index: int) -> np.ndarray:
    """``KindCode`` per pixel of model ``name`` for one class; its error kinds are classified on first use
    (about 30 ms at 480 x 360, so that a comparison that never shows them does not pay) and kept."""
    if name not in panels.kinds:
        panels.kinds[name] = packed_error_kinds(panels.preds[name], panels.target, ignore_index)
    return class_error_kinds(panels.preds[name], panels.target, panels.kinds[name], class_id, ignore_index)
