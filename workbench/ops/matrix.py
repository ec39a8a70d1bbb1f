"""Convolution as a matrix V, and transposed convolution as multiplication by its transpose.

A convolution is linear, so it is a matrix: flatten its input X to a vector X' and its output Y to Y', then
``Y' = V X'``. The transposed convolution with the *same* weight tensor and the same stride and padding is
multiplication by the transpose, ``V^T``: it maps the convolution's output space back to its input space,
which is why it is also the gradient of the convolution with respect to its input (Dumoulin & Visin,
"A guide to convolution arithmetic for deep learning", 2016, section 4.1).

Layout of V (what :func:`conv_matrix` returns), for a weight read as a conv weight ``(C_out, C_in, kH, kW)``
and a conv input of size ``(H, W)`` giving a conv output of size ``(H', W')``:

- shape ``(C_out * H' * W', C_in * H * W)``;
- row ``(c, i, j)`` -> index ``(c * H' + i) * W' + j``; column ``(c, y, x)`` -> ``(c * H + y) * W + x``:
  the row-major (C-order) flattening of ``(C, H, W)``, i.e. ``tensor.reshape(-1)`` of one sample;
- entry ``V[(o, i, j), (c, i S - P + a, j S - P + b)] = weight[o, c, a, b]``, taps falling into the zero
  padding being left out.

The transposed convolution's weight is ``(C_in_t, C_out_t, kH, kW)``. Read as a conv weight, the same
tensor maps ``C_out_t`` channels to ``C_in_t``: so ``conv_matrix(output_size, weight, stride, padding)`` is
the V whose transpose turns the transposed convolution's input ``(C_in_t, H, W)`` into its output
``(C_out_t, H', W')``, where ``output_size`` is the transposed convolution's output size.
"""

from __future__ import annotations

import torch
from torch import Tensor

from workbench.ops._conv_args import parse_conv_transpose_args
from workbench.ops.shapes import check_int, conv_output_size


def conv_matrix(input_size, weight: Tensor, stride=1, padding=0) -> Tensor:
    """The matrix V of the ordinary convolution ``conv2d(X, weight, stride=stride, padding=padding)``.

    Args:
        input_size: the convolution's input size ``(H, W)`` (an int means square); for a 3D weight, ``L``.
        weight: read as a conv weight, ``(C_out, C_in, kH, kW)`` or ``(C_out, C_in, K)``.
        stride: an int or one entry per spatial dimension.
        padding: an int or one entry per spatial dimension.

    Returns:
        V, ``(C_out * H' * W', C_in * H * W)`` in the weight's dtype and device, laid out as in the module
        docstring, so that ``V @ X.reshape(-1) == conv2d(X[None], weight, stride, padding).reshape(-1)``.
    """
    if not isinstance(weight, Tensor) or weight.dim() not in (3, 4):
        raise ValueError(
            f"weight must be a (C_out, C_in, kH, kW) or (C_out, C_in, K) tensor, got "
            f"{getattr(weight, 'shape', type(weight).__name__)}."
        )
    spatial_dims = weight.dim() - 2
    size, stride, padding = (
        _per_dim(name, v, spatial_dims, minimum)
        for name, v, minimum in (("input_size", input_size, 1), ("stride", stride, 1), ("padding", padding, 0))
    )
    if spatial_dims == 1:  # a 1D convolution is a 2D one of height 1
        size, stride, padding, weight = (1, *size), (1, *stride), (0, *padding), weight.unsqueeze(-2)
    return _conv_matrix_2d(size, weight, stride, padding)


def conv_transpose_matrix(input: Tensor, weight: Tensor, stride=1, padding=0, output_padding=0) -> Tensor:
    """Transposed convolution as ``Y' = V^T X'`` with V built explicitly by :func:`conv_matrix`.

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
    out_h, out_w = args.output_size
    v = _conv_matrix_2d((out_h, out_w), args.weight, args.stride, args.padding)
    x = args.input.reshape(args.input.shape[0], -1)  # rows are the X' of each sample
    y = x @ v  # (V^T X')^T = X'^T V, for all samples at once
    return args.restore(y.reshape(x.shape[0], args.weight.shape[1], out_h, out_w))


def _conv_matrix_2d(size: tuple[int, int], weight: Tensor, stride: tuple[int, int], padding: tuple[int, int]) -> Tensor:
    (h, w), (c_out, c_in, kh, kw) = size, weight.shape
    out_h, out_w = conv_output_size((h, w), (kh, kw), stride, padding)
    # indexed (i, j, y, x, o, c) so that one advanced assignment per tap fills a (C_out, C_in) block
    v = weight.new_zeros(out_h, out_w, h, w, c_out, c_in)
    for a in range(kh):
        rows, ys = _taps(out_h, a, stride[0], padding[0], h, weight.device)
        for b in range(kw):
            cols, xs = _taps(out_w, b, stride[1], padding[1], w, weight.device)
            v[rows[:, None], cols[None, :], ys[:, None], xs[None, :]] = weight[:, :, a, b]
    return v.permute(4, 0, 1, 5, 2, 3).reshape(c_out * out_h * out_w, c_in * h * w)


def _taps(
    out_size: int, tap: int, stride: int, padding: int, in_size: int, device: torch.device
) -> tuple[Tensor, Tensor]:
    """Output positions whose kernel tap ``tap`` lands inside the input, and the input position it reads."""
    out = torch.arange(out_size, device=device)
    src = out * stride - padding + tap
    inside = (src >= 0) & (src < in_size)
    return out[inside], src[inside]


def _per_dim(name: str, value, spatial_dims: int, minimum: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list, torch.Size)):
        if len(value) != spatial_dims:
            raise ValueError(
                f"{name} has {len(value)} entries but the weight is {spatial_dims}D; "
                f"give an int or {spatial_dims} entries."
            )
        return tuple(check_int(name, v, minimum) for v in value)
    return (check_int(name, value, minimum),) * spatial_dims
