"""Unpooling: three fixed (not learned) ways to enlarge a feature map.

- nearest neighbour: each value fills its whole ``s x s`` block;
- bed of nails: each value sits at the top-left of its block, zeros elsewhere;
- max-unpooling: each value goes back to where max-pooling found it (the "switches"), zeros elsewhere,
  as in Zeiler & Fergus (2014) and SegNet (Badrinarayanan et al., 2017).

All take ``(..., H, W)`` maps (any leading batch/channel dims) and leave dtype and device unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from workbench.ops.shapes import check_int, conv_transpose_output_size


def unpool_nearest(x: Tensor, scale) -> Tensor:
    """Nearest-neighbour unpooling: repeat each value over an ``s x s`` block.

    Args:
        x: ``(..., H, W)``.
        scale: int or ``(s_h, s_w)``.

    Returns:
        ``(..., H s_h, W s_w)``; equals ``F.interpolate(x, scale_factor=s, mode="nearest")``.
    """
    sh, sw = _scale_pair(x, scale)
    return x.repeat_interleave(sh, dim=-2).repeat_interleave(sw, dim=-1)


def unpool_bed_of_nails(x: Tensor, scale) -> Tensor:
    """Bed-of-nails unpooling: each value at the top-left corner of its ``s x s`` block, zeros elsewhere.

    Args:
        x: ``(..., H, W)``.
        scale: int or ``(s_h, s_w)``.

    Returns:
        ``(..., H s_h, W s_w)`` with ``out[..., i * s_h, j * s_w] = x[..., i, j]`` and zeros elsewhere.
    """
    sh, sw = _scale_pair(x, scale)
    out = x.new_zeros(*x.shape[:-2], x.shape[-2] * sh, x.shape[-1] * sw)
    out[..., ::sh, ::sw] = x
    return out


def max_unpool(x: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Max-unpooling: put each value back where max-pooling took it from, zeros elsewhere.

    Matches ``torch.nn.MaxUnpool2d(kernel_size, stride, padding)(x, indices, output_size)`` given
    ``x, indices = F.max_pool2d(..., return_indices=True)``.

    Args:
        x: pooled values ``(N, C, H, W)`` or ``(C, H, W)``.
        indices: same shape as ``x``; flat positions ``y * W_out + x`` within each ``(H_out, W_out)`` plane.
        kernel_size: the max-pooling's, an int or a pair.
        stride: the max-pooling's, an int or a pair (default: ``kernel_size``).
        padding: the max-pooling's, an int or a pair.
        output_size: ``(H_out, W_out)`` (or a full shape ending with them); by default
            ``(H - 1) S - 2P + K``. Pass the pooled map's input size when pooling floored it.

    Returns:
        ``(N, C, H_out, W_out)`` (batch dim as given).
    """
    if not isinstance(indices, Tensor) or indices.shape != x.shape or x.dim() not in (3, 4):
        raise ValueError(
            f"x must be (N, C, H, W) or (C, H, W) with indices of the same shape; got x "
            f"{tuple(x.shape)} and indices {tuple(getattr(indices, 'shape', ()))}. "
            "Use F.max_pool2d(..., return_indices=True) to get both."
        )
    out_h, out_w = _max_unpool_size(x, kernel_size, stride, padding, output_size)
    flat_idx, flat_x = indices.flatten(-2).long(), x.flatten(-2)
    if flat_idx.numel() and (flat_idx.min() < 0 or flat_idx.max() >= out_h * out_w):
        raise ValueError(
            f"indices run from {int(flat_idx.min())} to {int(flat_idx.max())} but an output of "
            f"size {out_h}x{out_w} holds positions 0..{out_h * out_w - 1}; pass the pooled "
            "map's input size as output_size."
        )
    out = x.new_zeros(*x.shape[:-2], out_h * out_w)
    out.scatter_(-1, flat_idx, flat_x)
    return out.reshape(*x.shape[:-2], out_h, out_w)


def _max_unpool_size(x: Tensor, kernel_size, stride, padding, output_size) -> tuple[int, int]:
    """Default size by the transposed-convolution formula, or ``output_size`` within torch's allowed range."""
    stride = kernel_size if stride is None else stride
    default = conv_transpose_output_size(tuple(x.shape[-2:]), _pair(kernel_size), _pair(stride), _pair(padding))
    if output_size is None:
        return default
    size = tuple(int(v) for v in tuple(output_size)[-2:])
    for name, want, base, s in zip(("height", "width"), size, default, _pair(stride)):
        if not base - s < want < base + s:
            raise ValueError(
                f"output_size {name} {want} is not reachable from a {base}-sized default with "
                f"stride {s}; torch allows {base - s + 1}..{base + s - 1}."
            )
    return size


def _scale_pair(x: Tensor, scale) -> tuple[int, int]:
    if x.dim() < 2:
        raise ValueError(f"unpooling needs a (..., H, W) map, got shape {tuple(x.shape)}.")
    return tuple(check_int("scale", s, 1) for s in _pair(scale))


def _pair(value) -> tuple[int, int]:
    if isinstance(value, Sequence):
        if len(value) != 2:
            raise ValueError(f"expected an int or an (h, w) pair, got {value!r}.")
        return tuple(value)
    return (value, value)


METHODS = ("nearest", "bed of nails", "max")


@dataclass(frozen=True)
class UnpoolingWalkthrough:
    """Max-pool an ``(H, W)`` map by ``scale`` and unpool it back with one method, keeping every array.

    Attributes:
        method: one of ``METHODS``. scale: pooling window = stride = unpooling factor.
        input: ``(H, W)``. pooled: ``(H // s, W // s)``. indices: the pooling's flat argmax indices.
        output: nearest / bed of nails ``(H // s * s, W // s * s)``; max ``(H, W)`` (the input size).
        sources: ``(h * w, 2)`` long, the input position ``(row, col)`` of each pooled maximum.
    """

    method: str
    scale: int
    input: Tensor
    pooled: Tensor
    indices: Tensor
    output: Tensor
    sources: Tensor


def unpooling_walkthrough(input: Tensor, method: str, scale: int) -> UnpoolingWalkthrough:
    """Pool ``input`` with ``F.max_pool2d(kernel_size=scale)`` and unpool the result with ``method``.

    Args:
        input: ``(H, W)`` floating tensor, ``H, W >= scale``.
        method: ``"nearest"``, ``"bed of nails"`` or ``"max"``.
        scale: int >= 1.

    Raises:
        ValueError: an unknown method (the valid ones are listed) or a map smaller than the window.
    """
    if method not in METHODS:
        raise ValueError(f"unknown unpooling method {method!r}; choose one of {', '.join(METHODS)}.")
    scale = check_int("scale", scale, 1)
    if input.dim() != 2 or min(input.shape) < scale:
        raise ValueError(f"need an (H, W) map with H, W >= scale {scale}, got shape {tuple(input.shape)}.")
    pooled, indices = F.max_pool2d(input[None], scale, return_indices=True)
    if method == "nearest":
        output = unpool_nearest(pooled, scale)
    elif method == "bed of nails":
        output = unpool_bed_of_nails(pooled, scale)
    else:
        output = max_unpool(pooled, indices, scale, output_size=tuple(input.shape))
    flat = indices[0].reshape(-1)
    sources = torch.stack([flat // input.shape[1], flat % input.shape[1]], dim=1)
    return UnpoolingWalkthrough(
        method=method, scale=scale, input=input, pooled=pooled[0], indices=indices[0], output=output[0], sources=sources
    )
