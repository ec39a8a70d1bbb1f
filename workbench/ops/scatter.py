"""Transposed convolution as scatter-add: every input pixel paints a copy of the kernel, scaled by its value.

Input pixel ``(i, j)`` adds ``x[:, :, i, j] * weight`` to the output window whose top-left corner is
``(i * S, j * S)`` on an uncropped canvas of size ``S (N - 1) + K + output_padding``; overlapping windows add
up. Padding P then crops P rows/columns from each side (a transposed convolution's padding removes, where
a convolution's adds). This is the definition in Dumoulin & Visin (2016) and d2l.ai's ``trans_conv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from workbench.ops._conv_args import (
    ConvTransposeArgs,
    crop_to_output,
    new_canvas,
    parse_conv_transpose_args,
)


def conv_transpose_scatter(input: Tensor, weight: Tensor, stride=1, padding=0, output_padding=0) -> Tensor:
    """Transposed convolution by scatter-adding each input pixel times the kernel.

    Called like ``torch.nn.functional.conv_transpose2d`` (or ``conv_transpose1d`` for a 3D weight); groups
    and dilation are not offered.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``; 1D: ``(N, C_in, L)`` or ``(C_in, L)``.
        weight: ``(C_in, C_out, kH, kW)``; 1D: ``(C_in, C_out, K)``.
        stride: an int or one entry per spatial dimension.
        padding: an int or one entry per spatial dimension.
        output_padding: an int or one entry per spatial dimension.

    Returns:
        ``(N, C_out, H', W')`` (batch dim as given) with ``H' = S (H - 1) + kH - 2P + output_padding``.
    """
    args = parse_conv_transpose_args(input, weight, stride, padding, output_padding)
    canvas = new_canvas(args)
    for i, j in _positions(args):
        _add_contribution(canvas, args, i, j)
    return args.restore(crop_to_output(canvas, args))


@dataclass(frozen=True)
class ScatterSteps:
    """The scatter-add one input position at a time, for a step-by-step view.

    Attributes:
        positions: ``(T, D)`` long tensor, the input position added at step t (row-major order; D = 1 or 2).
        windows: ``(T, D, 2)`` long tensor, the ``[start, stop)`` range step t writes on the canvas per dim.
        canvases: ``(T, *out)`` partial sums on the uncropped canvas after step t; ``out`` is the caller's
            layout with spatial size ``S (N - 1) + K + output_padding``.
        outputs: ``(T, *out)`` the same partial sums cropped by ``padding``; ``outputs[-1]`` is the
            transposed convolution.
        crop: ``(D, 2)`` long tensor, the ``[start, stop)`` range of the canvas that is kept as output.
    """

    positions: Tensor
    windows: Tensor
    canvases: Tensor
    outputs: Tensor
    crop: Tensor

    def __len__(self) -> int:
        return self.positions.shape[0]


def scatter_steps(input: Tensor, weight: Tensor, stride=1, padding=0, output_padding=0) -> ScatterSteps:
    """Record the scatter-add after each input position's contribution (meant for small teaching inputs).

    Each step adds one spatial position for all batch items and channels at once, so
    ``outputs[t]`` is the transposed convolution of the input with every position after t set to zero.

    Args:
        input: as for :func:`conv_transpose_scatter`.
        weight: as for :func:`conv_transpose_scatter`.
        stride: as for :func:`conv_transpose_scatter`.
        padding: as for :func:`conv_transpose_scatter`.
        output_padding: as for :func:`conv_transpose_scatter`.

    Returns:
        A :class:`ScatterSteps`; memory grows with (number of input positions) x (canvas size).
    """
    args = parse_conv_transpose_args(input, weight, stride, padding, output_padding)
    canvas, canvases, outputs, windows = new_canvas(args), [], [], []
    positions = _positions(args)
    for i, j in positions:
        windows.append(_add_contribution(canvas, args, i, j))
        canvases.append(args.restore(canvas.clone()))
        outputs.append(args.restore(crop_to_output(canvas, args).clone()))
    keep = slice(2 - args.spatial_dims, 2)  # 1D calls drop the added height
    return ScatterSteps(
        positions=torch.tensor(positions)[:, keep],
        windows=torch.tensor(windows)[:, keep],
        canvases=torch.stack(canvases),
        outputs=torch.stack(outputs),
        crop=_crop_ranges(args)[keep],
    )


def _positions(args: ConvTransposeArgs):
    """Input positions ``(i, j)`` in row-major order."""
    h, w = args.input.shape[2:]
    return [(i, j) for i in range(h) for j in range(w)]


def _add_contribution(canvas: Tensor, args: ConvTransposeArgs, i: int, j: int) -> list[list[int]]:
    """Add input pixel ``(i, j)`` times the kernel to ``canvas`` in place; return the window written."""
    (kh, kw), (sh, sw) = args.kernel_size, args.stride
    # (N, C_in) x (C_in, C_out, kH, kW) -> (N, C_out, kH, kW): channels mix exactly as in a convolution
    patch = torch.einsum("nc,cokl->nokl", args.input[:, :, i, j], args.weight)
    canvas[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += patch
    return [[i * sh, i * sh + kh], [j * sw, j * sw + kw]]


def _crop_ranges(args: ConvTransposeArgs) -> Tensor:
    (ph, pw), (oh, ow) = args.padding, args.output_size
    return torch.tensor([[ph, ph + oh], [pw, pw + ow]])
