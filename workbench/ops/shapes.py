"""Shape arithmetic of convolution and transposed convolution, both ways, with torch's rules.

Per spatial dimension, with input size N, kernel K, stride S, padding P and dilation D = 1:

- convolution: ``N' = floor((N - K + 2P) / S) + 1``
- transposed convolution: ``N = S (N' - 1) + K - 2P + output_padding``

A strided convolution maps S consecutive input sizes to the same N'; ``output_padding`` (``0 <= OP < S``)
picks which of them the transposed convolution returns, so the two formulas invert each other exactly.
Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), derive both.

Every argument may be an int or a tuple with one entry per spatial dimension (ints are broadcast); the
result is then a tuple too, like ``torch.nn.Conv2d`` accepts ``kernel_size=3`` or ``(3, 5)``.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

IntOrTuple = int | Sequence[int]


def conv_output_size(
    n: IntOrTuple, kernel_size: IntOrTuple, stride: IntOrTuple = 1, padding: IntOrTuple = 0, dilation: IntOrTuple = 1
) -> int | tuple[int, ...]:
    """Output size of an ordinary convolution: ``floor((n + 2P - D (K - 1) - 1) / S) + 1``.

    With dilation 1 this is ``floor((n - K + 2P) / S) + 1``.

    Args:
        n: input size (H, W or L), or a tuple of sizes.
        kernel_size: K. stride: S. padding: P, zeros added on each side. dilation: D.

    Returns:
        The output size (a tuple when any argument is a tuple).

    Raises:
        ValueError: a non-integer or out-of-range argument, or a kernel that does not fit the padded input.
    """
    return _elementwise(_conv_output_size, n, kernel_size, stride, padding, dilation)


def conv_transpose_output_size(
    n: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> int | tuple[int, ...]:
    """Output size of a transposed convolution: ``S (n - 1) - 2P + D (K - 1) + OP + 1``.

    With dilation 1 this is ``S (n - 1) + K - 2P + output_padding``, as in ``torch.nn.ConvTranspose2d``.

    Args:
        n: input size (H, W or L), or a tuple of sizes.
        kernel_size: K. stride: S. padding: P, cropped from each side of the output.
        output_padding: OP, extra rows/columns at the end; torch requires ``OP < S`` or ``OP < D``.
        dilation: D.

    Returns:
        The output size (a tuple when any argument is a tuple).

    Raises:
        ValueError: a non-integer or out-of-range argument, or a padding so large that nothing is left.
    """
    return _elementwise(_conv_transpose_output_size, n, kernel_size, stride, padding, output_padding, dilation)


def check_int(name: str, value, minimum: int) -> int:
    """Return ``value`` as an int after checking it is an integer ``>= minimum``.

    Python and numpy integers pass (slider values, array entries); floats and bools are refused.
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r} ({type(value).__name__}).") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return value


def _conv_output_size(n, kernel_size, stride, padding, dilation) -> int:
    n, k = check_int("input size", n, 1), check_int("kernel_size", kernel_size, 1)
    s, p = check_int("stride", stride, 1), check_int("padding", padding, 0)
    d = check_int("dilation", dilation, 1)
    span = d * (k - 1) + 1  # input pixels one output pixel sees
    if n + 2 * p < span:
        raise ValueError(
            f"a kernel spanning {span} pixels (kernel_size={k}, dilation={d}) does not fit an input of size "
            f"{n} padded by {p} on each side; use a smaller kernel or more padding."
        )
    return (n + 2 * p - span) // s + 1


def _conv_transpose_output_size(n, kernel_size, stride, padding, output_padding, dilation) -> int:
    n, k = check_int("input size", n, 1), check_int("kernel_size", kernel_size, 1)
    s, p = check_int("stride", stride, 1), check_int("padding", padding, 0)
    op, d = check_int("output_padding", output_padding, 0), check_int("dilation", dilation, 1)
    if op >= s and op >= d:
        raise ValueError(
            f"output_padding ({op}) must be smaller than stride ({s}) or dilation ({d}), as torch requires: "
            f"it only chooses among the {s} input sizes a stride-{s} convolution maps to the same size. "
            f"Use output_padding in 0..{max(s, d) - 1}."
        )
    size = s * (n - 1) - 2 * p + d * (k - 1) + op + 1
    if size < 1:
        largest = (s * (n - 1) + d * (k - 1) + op) // 2
        raise ValueError(
            f"padding {p} crops the whole output (size {size}) of a transposed convolution with input size {n}, "
            f"kernel_size={k}, stride={s}; use padding <= {largest}."
        )
    return size


def _elementwise(fn, *args) -> int | tuple[int, ...]:
    """Apply ``fn`` per spatial dimension when any argument is a tuple; ints are broadcast."""
    lengths = {len(a) for a in args if isinstance(a, Sequence)}
    if not lengths:
        return fn(*args)
    if len(lengths) > 1:
        raise ValueError(
            f"tuple arguments must all have one entry per spatial dimension, got lengths {sorted(lengths)}."
        )
    (dims,) = lengths
    columns = [tuple(a) if isinstance(a, Sequence) else (a,) * dims for a in args]
    return tuple(fn(*per_dim) for per_dim in zip(*columns))
