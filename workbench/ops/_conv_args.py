"""Argument checking shared by the three transposed-convolution implementations.

Each implementation works on one case only, batched 2D: input ``(N, C_in, H, W)``, weight
``(C_in, C_out, kH, kW)``. A 1D call becomes 2D with a height of one (stride 1, padding 0 along it) and an
unbatched input gains a batch of one; ``ConvTransposeArgs.restore`` undoes both on any result shaped
``(N, C, H, W)``, so every implementation accepts exactly what ``torch.nn.functional.conv_transpose1d`` /
``conv_transpose2d`` accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from workbench.ops.shapes import check_int, conv_transpose_output_size


@dataclass(frozen=True)
class ConvTransposeArgs:
    """A transposed-convolution call in the batched 2D form, plus what is needed to undo that form."""

    input: Tensor  # (N, C_in, H, W)
    weight: Tensor  # (C_in, C_out, kH, kW)
    stride: tuple[int, int]
    padding: tuple[int, int]  # cropped from each side of the output
    output_padding: tuple[int, int]  # extra rows/columns at the bottom/right of the output
    spatial_dims: int  # 1 or 2, as the caller passed
    batched: bool  # False: the caller passed (C_in, H, W) or (C_in, L)

    @property
    def kernel_size(self) -> tuple[int, int]:
        return tuple(self.weight.shape[2:])

    @property
    def output_size(self) -> tuple[int, int]:
        """``(H', W')`` by ``S (N - 1) + K - 2P + OP`` per dimension."""
        return conv_transpose_output_size(
            tuple(self.input.shape[2:]), self.kernel_size, self.stride, self.padding, self.output_padding
        )

    def restore(self, result: Tensor) -> Tensor:
        """Bring a ``(N, C, H, W)`` result back to the caller's layout (drop the added batch / height)."""
        if self.spatial_dims == 1:
            result = result.squeeze(-2)
        return result if self.batched else result.squeeze(0)


def parse_conv_transpose_args(input: Tensor, weight: Tensor, stride, padding, output_padding) -> ConvTransposeArgs:
    """Check a ``conv_transpose1d/2d``-style call and return it in the batched 2D form.

    Raises:
        ValueError: wrong ranks, channel counts, dtypes or devices, or stride/padding/output_padding values
            torch would refuse; the message says what to change.
    """
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise ValueError(
            f"input and weight must be torch tensors, got {type(input).__name__} and {type(weight).__name__}."
        )
    spatial_dims = _spatial_dims(weight)
    batched = _check_input(input, weight, spatial_dims)
    if input.dtype != weight.dtype or not input.is_floating_point():
        raise ValueError(
            f"input ({input.dtype}) and weight ({weight.dtype}) must share one floating dtype; "
            "convert both with .float() or .double()."
        )
    if input.device != weight.device:
        raise ValueError(f"input is on {input.device} but weight on {weight.device}; move both to one device.")
    x = input if batched else input.unsqueeze(0)
    w = weight
    if spatial_dims == 1:
        x, w = x.unsqueeze(-2), w.unsqueeze(-2)
    args = ConvTransposeArgs(
        input=x,
        weight=w,
        stride=_pair("stride", stride, spatial_dims, fill=1),
        padding=_pair("padding", padding, spatial_dims, fill=0),
        output_padding=_pair("output_padding", output_padding, spatial_dims, fill=0),
        spatial_dims=spatial_dims,
        batched=batched,
    )
    _ = args.output_size  # raises the shape module's clear error for output_padding >= stride or over-padding
    return args


def _spatial_dims(weight: Tensor) -> int:
    if weight.dim() not in (3, 4):
        raise ValueError(
            f"weight must be (C_in, C_out, kH, kW) for 2D or (C_in, C_out, K) for 1D, got shape {tuple(weight.shape)}."
        )
    if weight.numel() == 0:
        raise ValueError(f"weight of shape {tuple(weight.shape)} is empty; every dimension must be >= 1.")
    return weight.dim() - 2


def _check_input(input: Tensor, weight: Tensor, spatial_dims: int) -> bool:
    """Return whether ``input`` is batched, after checking its rank and channel count against ``weight``."""
    if input.dim() not in (spatial_dims + 1, spatial_dims + 2):
        layout = "(N, C_in, H, W) or (C_in, H, W)" if spatial_dims == 2 else "(N, C_in, L) or (C_in, L)"
        raise ValueError(
            f"a {spatial_dims}D weight of shape {tuple(weight.shape)} needs an input {layout}, "
            f"got shape {tuple(input.shape)}."
        )
    channels = input.shape[-spatial_dims - 1]
    if channels != weight.shape[0]:
        raise ValueError(
            f"input has {channels} channels but weight {tuple(weight.shape)} expects "
            f"C_in = {weight.shape[0]} (weight is (C_in, C_out, ...), as in conv_transpose2d)."
        )
    if input.numel() == 0:
        raise ValueError(f"input of shape {tuple(input.shape)} is empty.")
    return input.dim() == spatial_dims + 2


def _pair(name: str, value, spatial_dims: int, fill: int) -> tuple[int, int]:
    """Per-dimension values as an (H, W) pair; 1D calls get ``fill`` for the added height."""
    if isinstance(value, Sequence):
        if len(value) != spatial_dims:
            raise ValueError(
                f"{name} has {len(value)} entries but the call is {spatial_dims}D; "
                f"give an int or {spatial_dims} entries."
            )
        values = tuple(check_int(name, v, 0) for v in value)
    else:
        values = (check_int(name, value, 0),) * spatial_dims
    return values if spatial_dims == 2 else (fill, values[0])


def full_canvas_size(args: ConvTransposeArgs) -> tuple[int, int]:
    """Size of the uncropped scatter-add canvas: ``S (N - 1) + K + OP`` per dimension (before padding crops)."""
    (h, w), (kh, kw) = args.input.shape[2:], args.kernel_size
    (sh, sw), (oph, opw) = args.stride, args.output_padding
    return sh * (h - 1) + kh + oph, sw * (w - 1) + kw + opw


def crop_to_output(canvas: Tensor, args: ConvTransposeArgs) -> Tensor:
    """Crop ``padding`` from the top/left of a ``(..., H_full, W_full)`` canvas and keep ``output_size``."""
    (ph, pw), (oh, ow) = args.padding, args.output_size
    return canvas[..., ph : ph + oh, pw : pw + ow]


def new_canvas(args: ConvTransposeArgs) -> Tensor:
    """Zeros ``(N, C_out, H_full, W_full)`` in the input's dtype and device."""
    n, c_out = args.input.shape[0], args.weight.shape[1]
    return torch.zeros((n, c_out, *full_canvas_size(args)), dtype=args.input.dtype, device=args.input.device)
