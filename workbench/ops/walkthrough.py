"""Everything a step-by-step view of one single-channel 2D transposed convolution shows, computed at once.

The three implementations (scatter-add, ``V^T``, equivalent convolution) are run on one ``(H, W)`` input and
``(kH, kW)`` kernel, and their intermediate arrays are kept: the partial sums after each scatter step, the
matrix V, the zero-stuffed padded input and the flipped kernel. ``TransposedConvExplorer`` computes one
walkthrough per settings change and only indexes into it when the step slider moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from workbench.ops.as_conv import equivalent_conv_input, equivalent_conv_weight, insert_zeros
from workbench.ops.matrix import conv_matrix
from workbench.ops.scatter import ScatterSteps, scatter_steps
from workbench.ops.shapes import conv_output_size, conv_transpose_output_size

# values of TransposedConvWalkthrough.conv_input_roles
PADDING, INSERTED_ZERO, INPUT_PIXEL = 0, 1, 2


@dataclass(frozen=True)
class TransposedConvWalkthrough:
    """One transposed convolution, three ways, with the arrays each view draws.

    Attributes:
        input: ``(H, W)``. kernel: ``(kH, kW)``. stride, padding, output_padding: ints.
        output: ``(H', W')``, ``F.conv_transpose2d`` of input and kernel.
        steps: the scatter-add per input position, shapes ``(T, ...)`` with ``T = H * W`` (see ScatterSteps).
        matrix: V, ``(H * W, H' * W')``, the convolution matrix of the kernel on an ``(H', W')`` input;
            ``output.reshape(-1) == matrix.T @ input.reshape(-1)``.
        conv_input: ``(Hz, Wz)`` the zero-stuffed, padded input of the equivalent convolution.
        conv_input_roles: ``(Hz, Wz)`` int: ``INPUT_PIXEL``, ``INSERTED_ZERO`` or ``PADDING`` per entry.
        conv_kernel: ``(kH, kW)`` the flipped kernel; ``conv2d(conv_input, conv_kernel) == output``.
        shapes: the sizes each view states, by name (see :func:`transposed_conv_walkthrough`).
    """

    input: Tensor
    kernel: Tensor
    stride: int
    padding: int
    output_padding: int
    output: Tensor
    steps: ScatterSteps
    matrix: Tensor
    conv_input: Tensor
    conv_input_roles: Tensor
    conv_kernel: Tensor
    shapes: dict[str, tuple[int, ...]]


def transposed_conv_walkthrough(
    input: Tensor, kernel: Tensor, *, stride: int = 1, padding: int = 0, output_padding: int = 0
) -> TransposedConvWalkthrough:
    """Compute every view of ``conv_transpose2d(input, kernel)`` for one channel.

    Args:
        input: ``(H, W)`` floating tensor.
        kernel: ``(kH, kW)`` tensor of the same dtype.
        stride: an int.
        padding: an int.
        output_padding: an int, below ``stride`` (torch's rule).

    Returns:
        A :class:`TransposedConvWalkthrough`. ``shapes`` holds ``input``, ``kernel``, ``output`` (by
        ``S (H - 1) + K - 2P + OP``), ``canvas`` (uncropped, ``S (H - 1) + K + OP``), ``matrix`` (V),
        ``stuffed`` (``S (H - 1) + 1``), ``conv_input``, ``conv_padding`` (``K - P - 1`` per side) and
        ``conv_back`` (the ordinary convolution's output size on ``output``, which is ``(H, W)`` again).

    Raises:
        ValueError: inputs that are not 2D, or settings torch refuses (the message says which).
    """
    if input.dim() != 2 or kernel.dim() != 2:
        raise ValueError(
            f"the walkthrough takes one (H, W) input and one (kH, kW) kernel, got shapes "
            f"{tuple(input.shape)} and {tuple(kernel.shape)}."
        )
    x, w = input[None, None], kernel[None, None]  # (1, 1, H, W) and (C_in=1, C_out=1, kH, kW)
    settings = dict(stride=stride, padding=padding, output_padding=output_padding)
    steps = scatter_steps(x, w, **settings)
    conv_input = equivalent_conv_input(x, w, **settings)[0, 0]
    out_size = tuple(steps.outputs.shape[-2:])
    return TransposedConvWalkthrough(
        input=input,
        kernel=kernel,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        output=steps.outputs[-1, 0, 0],
        steps=_single_channel(steps),
        matrix=conv_matrix(out_size, w, stride, padding),
        conv_input=conv_input,
        conv_input_roles=_roles(x, w, settings),
        conv_kernel=equivalent_conv_weight(w)[0, 0],
        shapes=_shapes(tuple(input.shape), tuple(kernel.shape), out_size, tuple(conv_input.shape), settings),
    )


def _single_channel(steps: ScatterSteps) -> ScatterSteps:
    """Drop the batch and channel dims of one (1, 1, ...) example: canvases ``(T, H_full, W_full)``."""
    return ScatterSteps(
        positions=steps.positions,
        windows=steps.windows,
        canvases=steps.canvases[:, 0, 0],
        outputs=steps.outputs[:, 0, 0],
        crop=steps.crop,
    )


def _roles(x: Tensor, w: Tensor, settings: dict) -> Tensor:
    """Tell input pixels, inserted zeros and padding apart in the equivalent convolution's input."""
    is_pixel = equivalent_conv_input(torch.ones_like(x), w, **settings)[0, 0]
    stuffed_area = torch.ones_like(insert_zeros(x, (settings["stride"],) * 2))
    (kh, kw), p, op = w.shape[2:], settings["padding"], settings["output_padding"]
    q_h, q_w = kh - p - 1, kw - p - 1
    inside = F.pad(stuffed_area, (q_w, q_w + op, q_h, q_h + op))[0, 0]  # 1 on the stuffed area, 0 on padding
    return (inside + is_pixel).long()  # PADDING 0, INSERTED_ZERO 1, INPUT_PIXEL 2


def _shapes(in_size, k_size, out_size, conv_in_size, settings) -> dict[str, tuple[int, ...]]:
    s, p, op = settings["stride"], settings["padding"], settings["output_padding"]
    return {
        "input": in_size,
        "kernel": k_size,
        "output": conv_transpose_output_size(in_size, k_size, s, p, op),
        "canvas": tuple(s * (n - 1) + k + op for n, k in zip(in_size, k_size)),
        "matrix": (in_size[0] * in_size[1], out_size[0] * out_size[1]),
        "stuffed": tuple(s * (n - 1) + 1 for n in in_size),
        "conv_padding": tuple(k - p - 1 for k in k_size),
        "conv_input": conv_in_size,
        "conv_back": conv_output_size(out_size, k_size, s, p),
    }
