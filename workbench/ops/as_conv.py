"""Transposed convolution as an ordinary convolution over a zero-stuffed, padded input.

With stride S, padding P, kernel K and output padding OP, a transposed convolution equals a stride-1
convolution of

1. the input with S - 1 zeros inserted between neighbouring pixels (the "fractionally strided" view),
2. padded by K - P - 1 zeros on each side, plus OP more at the end (bottom/right),
3. with the kernel flipped in every spatial dimension and its two channel dims swapped.

When P > K - 1 the "padding" K - P - 1 is negative: that many rows/columns are cropped instead. See
Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), section 4.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from workbench.ops._conv_args import ConvTransposeArgs, parse_conv_transpose_args


def conv_transpose_as_conv(input: Tensor, weight: Tensor, stride=1, padding=0, output_padding=0) -> Tensor:
    """Transposed convolution computed as ``conv2d(zero-stuffed padded input, flipped kernel)``.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``; 1D: ``(N, C_in, L)`` or ``(C_in, L)``.
        weight: ``(C_in, C_out, kH, kW)``; 1D: ``(C_in, C_out, K)``, as for ``conv_transpose2d``.
        stride: an int or one entry per spatial dimension.
        padding: an int or one entry per spatial dimension.
        output_padding: an int or one entry per spatial dimension.

    Returns:
        ``(N, C_out, H', W')`` (batch dim as given), equal to ``conv_transpose2d`` with the same arguments.
    """
    args = parse_conv_transpose_args(input, weight, stride, padding, output_padding)
    return args.restore(F.conv2d(_stuffed_and_padded(args), equivalent_conv_weight(args.weight)))


def equivalent_conv_input(input: Tensor, weight: Tensor, stride=1, padding=0, output_padding=0) -> Tensor:
    """The input the equivalent stride-1 convolution sees: zeros inserted, then padded (or cropped).

    Args:
        input: as for :func:`conv_transpose_as_conv`.
        weight: as for :func:`conv_transpose_as_conv`; it only supplies the kernel size.
        stride: as for :func:`conv_transpose_as_conv`.
        padding: as for :func:`conv_transpose_as_conv`.
        output_padding: as for :func:`conv_transpose_as_conv`.

    Returns:
        ``(N, C_in, Hz, Wz)`` (layout as given) with ``Hz = S (H - 1) + 1 + 2 (kH - P - 1) + OP``.
    """
    args = parse_conv_transpose_args(input, weight, stride, padding, output_padding)
    return args.restore(_stuffed_and_padded(args))


def equivalent_conv_weight(weight: Tensor) -> Tensor:
    """The conv weight of the equivalent convolution: channel dims swapped, kernel flipped.

    Args:
        weight: transposed-conv weight ``(C_in, C_out, kH, kW)`` or ``(C_in, C_out, K)``.

    Returns:
        Conv weight ``(C_out, C_in, kH, kW)`` (or ``(C_out, C_in, K)``) with ``w'[o, c, a, b] =
        weight[c, o, kH - 1 - a, kW - 1 - b]``.
    """
    return weight.transpose(0, 1).flip(dims=tuple(range(2, weight.dim())))


def insert_zeros(x: Tensor, stride: tuple[int, ...]) -> Tensor:
    """Insert ``s - 1`` zeros between neighbouring entries along each of the last ``len(stride)`` dims.

    Args:
        x: ``(..., H, W)`` for a 2-tuple stride, ``(..., L)`` for a 1-tuple.
        stride: one stride per trailing dimension, e.g. ``(2, 2)``.

    Returns:
        ``(..., S (H - 1) + 1, S (W - 1) + 1)`` with ``x`` at every S-th position, zeros between.
    """
    dims = len(stride)
    sizes = [s * (n - 1) + 1 for s, n in zip(stride, x.shape[x.dim() - dims :])]
    out = x.new_zeros(*x.shape[: x.dim() - dims], *sizes)
    out[(..., *(slice(None, None, s) for s in stride))] = x
    return out


def _stuffed_and_padded(args: ConvTransposeArgs) -> Tensor:
    """``(N, C_in, Hz, Wz)``: S - 1 zeros between pixels, K - P - 1 around, OP more at the bottom/right."""
    stuffed = insert_zeros(args.input, args.stride)
    (kh, kw), (ph, pw), (oph, opw) = args.kernel_size, args.padding, args.output_padding
    qh, qw = kh - ph - 1, kw - pw - 1
    # F.pad takes (left, right, top, bottom); negative amounts crop, which is what P > K - 1 needs
    return F.pad(stuffed, (qw, qw + opw, qh, qh + oph))
