"""Shift-and-stitch (Long et al., CVPR 2015, section 3.2): dense output from a strided network.

A network of total stride ``s`` scores every ``s``-th position. Run it on the input shifted by each of
the ``s x s`` offsets ``(dy, dx)`` and interleave the outputs: position ``s i + dy`` comes from pass
``dy``'s unit ``i``. The result equals the "dense" network that keeps every pooling at stride 1 and
dilates every later layer by the stride removed (the *a trous* trick, :func:`dense_network`), at the
cost of ``s^2`` passes.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

_STRIDED = (nn.Conv2d, nn.MaxPool2d)


def total_stride(net: nn.Sequential) -> int:
    """Product of the strides of a ``Sequential``'s square convolutions and max poolings."""
    stride = 1
    for layer in net:
        if isinstance(layer, _STRIDED):
            stride *= _square(layer, "stride")
    return stride


def shift_and_stitch(net: nn.Module, images: torch.Tensor, stride: int) -> torch.Tensor:
    """Interleave ``net``'s outputs on the ``stride x stride`` shifted copies of ``images``.

    Args:
        net: a translation-equivariant network (valid convolutions) of total stride ``stride``, mapping
            ``(N, C, H, W)`` to ``(N, K, h, w)`` with unit ``i`` seeing input rows ``stride i`` onwards.
        images: ``(N, C, H, W)``.
        stride: ``s``; ``s * s`` passes are run.

    Returns:
        ``(N, K, H', W')``: unit ``(p, q)`` is ``net(images[..., dy:, dx:])[..., p // s, q // s]`` with
        ``(dy, dx) = (p % s, q % s)``; ``H'`` is the longest prefix every shift covers.
    """
    outputs = {(dy, dx): net(images[..., dy:, dx:]) for dy in range(stride) for dx in range(stride)}
    sample = outputs[0, 0]
    # row residue dy is covered up to s * rows(dy) + dy, so the first row any pass misses bounds H'
    height = min(stride * out.shape[-2] + dy for (dy, _), out in outputs.items())
    width = min(stride * out.shape[-1] + dx for (_, dx), out in outputs.items())
    stitched = sample.new_empty(*sample.shape[:2], height, width)
    for (dy, dx), out in outputs.items():
        rows, cols = len(range(dy, height, stride)), len(range(dx, width, stride))
        stitched[..., dy::stride, dx::stride] = out[..., :rows, :cols]
    return stitched


def dense_network(net: nn.Sequential) -> nn.Sequential:
    """A copy of ``net`` with every stride set to 1 and every later layer dilated by the strides removed.

    The same weights; on an image it returns ``net``'s scores at every position instead of every
    ``total_stride(net)``-th (the output shift-and-stitch assembles in ``s^2`` passes).

    Raises:
        ValueError: for a layer that is not a square ``Conv2d`` / ``MaxPool2d`` but changes the geometry.
    """
    dense, rate = copy.deepcopy(net), 1
    for layer in dense:
        if isinstance(layer, _STRIDED):
            stride = _square(layer, "stride")
            layer.dilation = _like(layer.dilation, _square(layer, "dilation") * rate)
            layer.stride = _like(layer.stride, 1)
            rate *= stride
        elif any(hasattr(layer, a) for a in ("stride", "kernel_size", "scale_factor", "output_size")):
            raise ValueError(
                f"dense_network: {type(layer).__name__} is neither a Conv2d nor a MaxPool2d; rebuild "
                "the network from those (and elementwise layers) to make it dense."
            )
    return dense


def _square(layer: nn.Module, attribute: str) -> int:
    value = getattr(layer, attribute)
    values = set(value) if isinstance(value, tuple) else {value}
    if len(values) != 1:
        raise ValueError(f"shift_and_stitch: {type(layer).__name__} has {attribute} {value}; only square ones.")
    return values.pop()


def _like(old, value: int):
    return (value, value) if isinstance(old, tuple) else value
