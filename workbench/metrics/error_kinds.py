"""Error breakdown (Bernhard et al., WACV 2024, "What's outside the intersection?"): every false positive and
false negative pixel of a class classed as a boundary, extent or segment error.

Per image and class c, as the authors' evaluator (``mxbh/beyond-iou``, ``beyond_iou/evaluator.py``) does it:
P = pred == c (the raw prediction, void pixels included), G = target == c, TP = P & G, TN = ~P & ~G,
FP = P & ~G, FN = G & ~P, and w = round(0.01 x image diagonal) pixels (no minimum: w = 0 below a 50-pixel
diagonal, and then there are no boundary errors).

1. Boundary: an FP (FN) pixel within Euclidean distance w of a TP pixel and of a TN pixel, and every FP (FN)
   pixel within w of such a pixel ("within w": round(distance) <= w, i.e. dy**2 + dx**2 <= w**2 + w, the
   authors' "exact" disc). Of these, an 8-connected group is kept only if it touches both a TP and a TN pixel
   (8-neighbours).
2. Segment: a remaining FP (FN) pixel whose 8-connected component of P (G) holds no TP pixel.
3. Extent: the rest.

Void target pixels count as TN (prediction not c) or FP (prediction c) for the geometry, as in the authors'
code, but are never counted. Every pixel has one predicted and one target class, so it is an FP of at most
one class (its prediction) and an FN of at most one (its target): one "FP kind" map and one "FN kind" map
code a whole image, for all classes at once.

The disc dilations run on per-pixel class bit sets (one bit per class, up to 31 or 63 classes per pass), as
a row pass of logarithmic "shift and or" steps and one OR per disc row (``morphology.doubling_runs``); connected
components use ``scipy.ndimage.label`` per class, on the class's bounding box only.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from .catalog import ERROR_KINDS
from .inputs import LabelBatch
from .morphology import doubling_runs, window_or_flat

WIDTH_RATIO = 0.01  # the authors' default boundary width d, relative to the image diagonal
_EIGHT = np.ones((3, 3), dtype=bool)


class ErrorKind(IntEnum):
    """Codes of the FP and FN kind maps (``error_kind_maps``)."""

    NONE = 0  # not an error of that side (or void)
    BOUNDARY = 1
    EXTENT = 2
    SEGMENT = 3


def error_width(height: int, width: int) -> int:
    """Boundary width w of the error breakdown: ``round(0.01 x image diagonal)`` pixels, as the authors'
    ``int(round(boundary_width * img_diag))`` (half to even, no minimum)."""
    return int(round(WIDTH_RATIO * math.hypot(height, width)))


def error_kind_maps(batch: LabelBatch, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The kind of every error pixel: as an FP of its predicted class and as an FN of its target class.

    Args:
        batch: checked label maps (``label_batches``).
        num_classes: C.

    Returns:
        ``(fp_kind, fn_kind)``, each uint8 ``(N, H, W)`` of ``ErrorKind`` codes; ``NONE`` on correct and void
        pixels.
    """
    preds, targets = batch.preds.cpu().long(), batch.targets.cpu().long()
    radius = error_width(*preds.shape[-2:])
    kinds = [_image_kinds(p, t, num_classes, radius) for p, t in zip(preds, targets)]
    return np.stack([k[0] for k in kinds]), np.stack([k[1] for k in kinds])


def error_kind_counts(batch: LabelBatch, num_classes: int) -> dict[str, np.ndarray]:
    """Per-image, per-class error pixels of each kind (``ERROR_KINDS``), void left out.

    Returns:
        name -> ``(N, C)`` int64; per image and class, the three FP kinds sum to the FP count and the three
        FN kinds to the FN count of the confusion matrix.
    """
    fp_kind, fn_kind = error_kind_maps(batch, num_classes)
    preds, targets = batch.preds.cpu().numpy(), batch.targets.cpu().numpy()
    n, c = len(preds), num_classes
    image = np.arange(n).reshape(n, 1, 1)
    counts = {}
    for side, kind_map, labels in (("fp", fp_kind, preds), ("fn", fn_kind, targets)):
        where = kind_map > 0
        key = (image * c + labels.astype(np.int64)) * 4 + kind_map
        table = np.bincount(key[where], minlength=n * c * 4).reshape(n, c, 4)
        for kind in (ErrorKind.BOUNDARY, ErrorKind.EXTENT, ErrorKind.SEGMENT):
            counts[f"{kind.name.lower()}_{side}"] = table[..., kind].astype(np.int64)
    return {name: counts[name] for name in ERROR_KINDS}


def pixel_error_kinds(pred: np.ndarray, target: np.ndarray, num_classes: int, ignore_index: int = 255):
    """``(fp_kind, fn_kind)`` uint8 ``(H, W)`` maps of one image (``error_kind_maps``), for pictures."""
    pred, target = np.asarray(pred).astype(np.int64), np.asarray(target).astype(np.int64)
    void = max(num_classes, 0)
    target = np.where(target == ignore_index, void, target)
    fp, fn = _image_kinds(torch.from_numpy(pred), torch.from_numpy(target), num_classes, error_width(*pred.shape))
    return fp, fn


def _image_kinds(pred: torch.Tensor, target: torch.Tensor, num_classes: int, radius: int):
    """FP and FN kind maps of one ``(H, W)`` image (target void: any value >= C)."""
    valid = target < num_classes
    wrong = pred != target
    fp_pixel = wrong  # an FP of class pred (void targets included, for the geometry)
    fn_pixel = wrong & valid  # an FN of class target
    boundary_fp = torch.zeros_like(wrong)
    boundary_fn = torch.zeros_like(wrong)
    for start in range(0, num_classes, _CHUNK):
        chunk = (start, min(start + _CHUNK, num_classes))
        fp_seed, fn_seed = _boundary_candidates(pred, target, valid, chunk, radius)
        boundary_fp |= fp_seed & fp_pixel
        boundary_fn |= fn_seed & fn_pixel
    touch_tp, touch_tn = _touches(pred, target, valid, num_classes)
    boundary_fp = _keep_touching(boundary_fp, pred, touch_tp[0], touch_tn[0], num_classes)
    boundary_fn = _keep_touching(boundary_fn, target, touch_tp[1], touch_tn[1], num_classes)
    hit = ~wrong & valid
    fp_kind = _kind_map(fp_pixel & valid, boundary_fp, pred, pred, hit, num_classes)
    fn_kind = _kind_map(fn_pixel, boundary_fn, target, target, hit, num_classes)
    return fp_kind, fn_kind


_CHUNK = 62  # classes per bit set (int64, sign bit unused)


def _class_bits(labels: torch.Tensor, chunk: tuple[int, int]) -> torch.Tensor:
    """Bit ``label - start`` for labels in ``[start, stop)``, 0 elsewhere: int32 for up to 31 classes (half the
    memory traffic), else int64."""
    start, stop = chunk
    dtype = torch.int32 if stop - start <= 31 else torch.int64
    shift = (labels - start).to(dtype)
    inside = (shift >= 0) & (labels < stop)
    return torch.where(inside, torch.ones_like(shift) << shift.clamp(min=0), torch.zeros_like(shift))


def _has_bit(bits: torch.Tensor, labels: torch.Tensor, chunk: tuple[int, int]) -> torch.Tensor:
    return (bits & _class_bits(labels, chunk)) != 0


def _boundary_candidates(pred, target, valid, chunk, radius):
    """FP and FN pixels (of this chunk's classes) within w of a boundary seed of their class (step 1, before
    the touching test)."""
    pred_bits, target_bits = _class_bits(pred, chunk), _class_bits(target, chunk)
    full = (1 << (chunk[1] - chunk[0])) - 1
    tp = torch.where(pred == target, pred_bits, 0)
    tn = full & ~pred_bits & ~target_bits
    near_tp, near_tn = disc_dilate_bits(torch.stack([tp, tn]), radius)
    near = near_tp & near_tn
    wrong = pred != target
    seed_fp = torch.where(wrong, pred_bits & near, 0)
    seed_fn = torch.where(wrong & valid, target_bits & near, 0)
    reach_fp, reach_fn = disc_dilate_bits(torch.stack([seed_fp, seed_fn]), radius)
    return _has_bit(reach_fp, pred, chunk), _has_bit(reach_fn, target, chunk)


def _touches(pred, target, valid, num_classes):
    """Whether each pixel has an 8-neighbour that is a TP / a TN of its predicted class (``[0]``) and of its
    target class (``[1]``)."""
    tp, tn = [torch.zeros_like(valid), torch.zeros_like(valid)], [torch.zeros_like(valid), torch.zeros_like(valid)]
    for start in range(0, num_classes, _CHUNK):
        chunk = (start, min(start + _CHUNK, num_classes))
        pred_bits, target_bits = _class_bits(pred, chunk), _class_bits(target, chunk)
        full = (1 << (chunk[1] - chunk[0])) - 1
        near_tp, near_tn = disc_dilate_bits(
            torch.stack([torch.where(pred == target, pred_bits, 0), full & ~pred_bits & ~target_bits]), 1
        )
        for side, labels in enumerate((pred, target)):
            tp[side] |= _has_bit(near_tp, labels, chunk)
            tn[side] |= _has_bit(near_tn, labels, chunk)
    return tp, tn


def _keep_touching(mask, labels, touch_tp, touch_tn, num_classes):
    """The 8-connected groups of ``mask`` (within one class of ``labels``) that touch a TP and a TN."""
    component, count = _components(mask, labels, num_classes)
    if count == 0:
        return mask
    flat = component.ravel()
    has_tp = np.bincount(flat, weights=touch_tp.numpy().ravel(), minlength=count + 1) > 0
    has_tn = np.bincount(flat, weights=touch_tn.numpy().ravel(), minlength=count + 1) > 0
    keep = has_tp & has_tn
    keep[0] = False
    return torch.from_numpy(keep[component])


def _kind_map(errors, boundary, labels, region_labels, hit, num_classes):
    """``ErrorKind`` of each error pixel: boundary, else extent when its component of ``region_labels == c``
    holds a TP pixel, else segment."""
    kinds = np.zeros(errors.shape, dtype=np.uint8)
    errors_np, boundary_np = errors.numpy(), boundary.numpy() & errors.numpy()
    kinds[boundary_np] = ErrorKind.BOUNDARY
    rest = errors_np & ~boundary_np
    if not rest.any():
        return kinds
    classes = np.unique(labels.numpy()[rest])
    region = np.isin(region_labels.numpy(), classes) & (region_labels.numpy() < num_classes)
    component, count = _components(torch.from_numpy(region), region_labels, num_classes)
    has_tp = np.bincount(component.ravel(), weights=hit.numpy().ravel(), minlength=count + 1) > 0
    kinds[rest] = np.where(has_tp[component[rest]], ErrorKind.EXTENT, ErrorKind.SEGMENT)
    return kinds


def _components(mask: torch.Tensor, labels: torch.Tensor, num_classes: int) -> tuple[np.ndarray, int]:
    """8-connected components of ``mask`` in which neighbours share their label: ``(H, W)`` int64 ids from 1
    (0 off the mask) and their number. One ``ndimage.label`` per class, on its bounding box."""
    mask_np = mask.numpy()
    keyed = np.where(mask_np, labels.numpy() + 1, 0).astype(np.int16 if num_classes < 2**15 else np.int32)
    out = np.zeros(mask_np.shape, dtype=np.int32)
    count = 0
    for index, box in enumerate(ndimage.find_objects(keyed, max_label=num_classes)):
        if box is None:
            continue
        ids, found = ndimage.label(keyed[box] == index + 1, structure=_EIGHT)
        inside = ids > 0
        out[box][inside] = ids[inside] + count
        count += found
    return out, count


def disc_rows(radius: int) -> list[tuple[int, int]]:
    """``(dy, half width)`` of each row of the authors' "exact" disc: offsets with ``round(distance) <=
    radius``, i.e. ``dy**2 + dx**2 <= radius**2 + radius``."""
    limit = radius * radius + radius
    return [(dy, math.isqrt(limit - dy * dy)) for dy in range(-radius, radius + 1)]


def disc_dilate_bits(bits: torch.Tensor, radius: int) -> torch.Tensor:
    """OR of the bit sets within the disc of ``radius`` (``disc_rows``; a radius of 1 is the 3x3 square).

    Args:
        bits: ``(K, H, W)`` int64 bit sets (K independent planes).
        radius: disc radius in pixels; 0 returns a copy.

    Returns:
        ``(K, H, W)`` int64; pixels outside the image hold no bit.
    """
    if radius == 0:
        return bits.clone()
    k, height, width = bits.shape
    padded = F.pad(bits, (radius, radius, radius, radius))
    plane_h, plane_w = height + 2 * radius, width + 2 * radius
    flat = padded.flatten()
    runs = doubling_runs(flat, 2 * radius + 1, 1)
    out = torch.zeros_like(bits)
    by_half: dict[int, list[int]] = {}
    for dy, half in disc_rows(radius):
        by_half.setdefault(half, []).append(dy)
    for half, rows in by_half.items():
        window = window_or_flat(flat, half, 1, runs)  # window[j]: the row window centred at j + half
        for dy in rows:
            start = window.storage_offset() + (radius + dy) * plane_w + radius - half  # centred on (dy, 0)
            out |= window.as_strided((k, height, width), (plane_h * plane_w, plane_w, 1), start)
    return out
