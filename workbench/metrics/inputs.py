"""Predictions and targets in every accepted form, turned into checked batches of equal-size label maps.

Metrics take class maps, never logits: a batched ``(N, H, W)`` tensor or array, one ``(H, W)`` map, or a list
of ``(H, W)`` maps whose sizes may differ. Images of one size are grouped into one batch so that every score
is computed vectorised; images are never padded together, because padding would move "outside the image",
which the boundary scores depend on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class LabelBatch:
    """Checked images of one size, with their positions in the caller's order.

    Attributes:
        positions: ``(N,)`` int64 indices of these images in the caller's sequence.
        preds: ``(N, H, W)`` predicted class ids in a compact integer dtype (uint8 for up to 255 classes).
        targets: ``(N, H, W)`` target class ids, void pixels holding ``void``; same dtype and device as preds.
        void: the label of void pixels in ``targets``, ``>= num_classes``.
    """

    positions: np.ndarray
    preds: torch.Tensor
    targets: torch.Tensor
    void: int

    @property
    def valid(self) -> torch.Tensor:
        """``(N, H, W)`` bool: pixels whose target is not void."""
        return self.targets != self.void


def label_batches(preds, targets, num_classes: int, ignore_index: int) -> list[LabelBatch]:
    """Group and check predictions and targets.

    Args:
        preds: class maps: ``(N, H, W)`` or ``(H, W)`` tensor/array, or a list of ``(H, W)`` maps.
        targets: the same layout as ``preds``; values are class ids or ``ignore_index``.
        num_classes: number of classes C; valid class ids are ``0..C-1``.
        ignore_index: target value of void pixels, left out of every score.

    Returns:
        One ``LabelBatch`` per distinct image size, in order of first appearance.

    Raises:
        ValueError: logits or float maps, mismatched shapes, or values that are not class ids.
    """
    check_num_classes(num_classes, ignore_index)
    pred_maps, target_maps = _as_map_list(preds, "preds"), _as_map_list(targets, "targets")
    if len(pred_maps) != len(target_maps):
        raise ValueError(
            f"{len(pred_maps)} prediction maps but {len(target_maps)} target maps; pass one of each per image."
        )
    if len(pred_maps) == 0:
        raise ValueError("no images given; pass at least one (H, W) prediction map and target map.")
    batches = []
    for positions, pred, target in _group_by_size(pred_maps, target_maps):
        batches.append(LabelBatch(positions, *compact_labels(pred, target, num_classes, ignore_index)))
    return batches


MAX_CLASSES = 1024  # each image's counts are a dense (C + 1) x C x 4 bincount: 34 MB and about 1 s at 1024


def check_num_classes(num_classes: int, ignore_index: int) -> None:
    """Refuse a class count or ignore index that cannot work together, before anything is allocated."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}.")
    if num_classes > MAX_CLASSES:
        gigabytes = (num_classes + 1) * num_classes * 4 * 8 / 1e9
        raise ValueError(
            f"num_classes {num_classes} is more than the metrics support ({MAX_CLASSES}; ADE20K's 150 and COCO-Stuff's 171 fit): "
            f"each image is counted in a dense (C + 1) x C confusion with boundary flags, {gigabytes:.0f} GB "
            "here. Merge rare classes into fewer ids, or map the classes you do not score to ignore_index."
        )
    if 0 <= ignore_index < num_classes:
        example = 255 if num_classes <= 255 else -1
        raise ValueError(
            f"ignore_index {ignore_index} is also a class id (0..{num_classes - 1}); use a value outside, e.g. {example}."
        )


def compact_labels(preds: torch.Tensor, targets: torch.Tensor, num_classes: int, ignore_index: int):
    """Check the values of a batch and store it in the smallest integer type that holds them.

    Small types matter: comparisons and shifts of uint8 maps run many times faster than of int64 maps.

    Args:
        preds: ``(N, H, W)`` int64; every value must be in ``0..num_classes-1``.
        targets: ``(N, H, W)`` int64; every value must be a class id or ``ignore_index``.

    Returns:
        ``(preds, targets, void)``: both maps in one compact dtype, void pixels of ``targets`` holding the
        label ``void`` (``ignore_index`` when it fits the dtype, else ``num_classes``), ``void >= num_classes``.

    Raises:
        ValueError: naming the offending values, how many pixels hold them and what to do.
    """
    dtype = _compact_dtype(num_classes)
    top = torch.iinfo(dtype).max
    void = ignore_index if num_classes <= ignore_index <= top else num_classes
    low, high = torch.aminmax(preds)
    if low < 0 or high >= num_classes:
        bad = preds[(preds < 0) | (preds >= num_classes)]
        raise ValueError(
            f"preds: {bad.numel()} pixels hold values outside the class ids 0..{num_classes - 1} "
            f"(seen: {_some_values(bad)}). Predictions must be class ids: pass logits.argmax(1), or raise num_classes."
        )
    low, high = torch.aminmax(targets)
    if low >= 0 and high <= top:  # the usual case: check in the compact type, where it is cheap
        small = targets.to(dtype)
        bad = (small >= num_classes) & (small != void)
        if bad.any():
            _raise_bad_targets(small[bad], num_classes, ignore_index)
        return preds.to(dtype), small, void
    bad = ((targets < 0) | (targets >= num_classes)) & (targets != ignore_index)
    if bad.any():
        _raise_bad_targets(targets[bad], num_classes, ignore_index)
    return preds.to(dtype), torch.where(targets == ignore_index, void, targets).to(dtype), void


def _compact_dtype(num_classes: int) -> torch.dtype:
    """The smallest integer dtype holding ``0..num_classes`` (num_classes itself may serve as the void label)."""
    for dtype in (torch.uint8, torch.int16, torch.int32):
        if num_classes <= torch.iinfo(dtype).max:
            return dtype
    return torch.int64


def _raise_bad_targets(bad: torch.Tensor, num_classes: int, ignore_index: int):
    raise ValueError(
        f"targets: {bad.numel()} pixels hold values that are neither a class id 0..{num_classes - 1} nor "
        f"ignore_index {ignore_index} (seen: {_some_values(bad)}). Remap them to a class id or to {ignore_index} "
        "when building the masks, or pass the dataset's num_classes and ignore_index."
    )


def _some_values(values: torch.Tensor, limit: int = 5) -> str:
    unique = torch.unique(values).tolist()
    shown = ", ".join(str(v) for v in unique[:limit])
    return shown + (f", ... ({len(unique)} distinct)" if len(unique) > limit else "")


def _as_map_list(maps, name: str) -> list[torch.Tensor] | torch.Tensor:
    """A batched ``(N, H, W)`` int64 tensor, or a list of ``(H, W)`` int64 tensors."""
    if isinstance(maps, (torch.Tensor, np.ndarray)):
        tensor = _as_int_tensor(maps, name)
        if tensor.ndim == 2:
            return tensor.unsqueeze(0)
        if tensor.ndim == 3:
            return tensor
        raise ValueError(f"{name}: expected (N, H, W) or (H, W) class maps, got shape {tuple(tensor.shape)}.")
    if isinstance(maps, Sequence) and not isinstance(maps, (str, bytes)):
        items = [_as_int_tensor(m, f"{name}[{i}]") for i, m in enumerate(maps)]
        for i, item in enumerate(items):
            if item.ndim != 2:
                raise ValueError(f"{name}[{i}]: list items must be (H, W) class maps, got shape {tuple(item.shape)}.")
        return items
    raise ValueError(f"{name}: expected a tensor, an array or a list of (H, W) maps, got {type(maps).__name__}.")


def _as_int_tensor(values, name: str) -> torch.Tensor:
    tensor = torch.from_numpy(np.ascontiguousarray(values)) if isinstance(values, np.ndarray) else values
    if not isinstance(tensor, torch.Tensor):
        raise ValueError(f"{name}: expected a tensor or an array, got {type(values).__name__}.")
    if tensor.is_floating_point() or tensor.is_complex():
        hint = " It looks like logits (N, C, H, W): pass logits.argmax(1)." if tensor.ndim == 4 else ""
        raise ValueError(
            f"{name}: got a {tensor.dtype} map of shape {tuple(tensor.shape)}; metrics take integer class maps.{hint}"
        )
    return tensor.long()


def _group_by_size(preds, targets):
    """Yield ``(positions, preds (N, H, W), targets (N, H, W))`` per distinct image size."""
    if isinstance(preds, torch.Tensor) and isinstance(targets, torch.Tensor):
        _check_shapes(preds.shape, targets.shape, "preds", "targets")
        yield np.arange(len(preds)), preds, targets.to(preds.device)
        return
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (pred, target) in enumerate(zip(preds, targets)):
        _check_shapes(pred.shape, target.shape, f"preds[{i}]", f"targets[{i}]")
        groups.setdefault(tuple(pred.shape), []).append(i)
    for positions in groups.values():
        pred = torch.stack([preds[i] for i in positions])
        target = torch.stack([targets[i].to(pred.device) for i in positions])
        yield np.asarray(positions), pred, target


def _check_shapes(pred_shape, target_shape, pred_name: str, target_name: str) -> None:
    if 0 in tuple(pred_shape)[-2:]:
        raise ValueError(f"{pred_name} has an empty size {tuple(pred_shape)}; every image needs H, W >= 1.")
    if tuple(pred_shape) != tuple(target_shape):
        raise ValueError(
            f"{pred_name} has shape {tuple(pred_shape)} but {target_name} has {tuple(target_shape)}; "
            "each prediction must have its target's size (resize predictions to the mask, not the reverse)."
        )
