"""Dilated (atrous) convolution arithmetic: taps, stacked fields, gridding, and ASPP at the border.

A ``k``-tap kernel at rate ``r`` spans ``r (k - 1) + 1`` pixels with ``r - 1`` holes between taps. Stacked,
the fields add: ``1 + sum_l r_l (k - 1)``. With equal rates ``r > 1`` every layer's taps fall on the same
lattice, so the stack sees only one pixel in ``r`` along each axis: the *gridding* artefact (Wang et al.,
"Understanding Convolution for Semantic Segmentation", WACV 2018, whose hybrid rates 1, 2, 3 fill it).
Everything is separable, so one axis is computed and the 2D map is its outer product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def dilated_taps(kernel_size: int, rate: int) -> np.ndarray:
    """1D tap mask ``(rate (kernel_size - 1) + 1,)``: 1 where the dilated kernel has a tap, 0 in the holes."""
    if kernel_size < 1 or rate < 1:
        raise ValueError(f"dilated_taps: kernel_size and rate must be >= 1, got {kernel_size} and {rate}.")
    taps = np.zeros(rate * (kernel_size - 1) + 1, dtype=np.int64)
    taps[::rate] = 1
    return taps


def stacked_paths(kernel_size: int, rates: Sequence[int]) -> np.ndarray:
    """``(F, F)`` counts: how many paths lead from one output unit back to each input pixel of its field.

    The stack of ``len(rates)`` dilated ``kernel_size x kernel_size`` convolutions (stride 1) composes as
    the convolution of their tap masks; ``F = 1 + sum(rates) (kernel_size - 1)``. A zero inside the field
    is a pixel the unit never sees.
    """
    line = np.ones(1, dtype=np.int64)
    for rate in rates:
        line = np.convolve(line, dilated_taps(kernel_size, rate))
    return np.outer(line, line)


def field_size(kernel_size: int, rates: Sequence[int]) -> int:
    """Receptive field of the stack along one axis: ``1 + sum(rates) (kernel_size - 1)``."""
    return 1 + sum(rates) * (kernel_size - 1)


def coverage(paths: np.ndarray) -> float:
    """Share of the pixels in the field that at least one path reaches (1: no gridding)."""
    return float((paths > 0).mean())


def stack_rates(rate: int, layers: int, pattern: str = "equal") -> tuple[int, ...]:
    """The rates of a stack: ``"equal"`` repeats ``rate``; ``"hybrid"`` cycles ``1, 2, ..., rate`` (HDC's
    sawtooth: consecutive rates share no common factor, so no pixel is skipped)."""
    if pattern == "equal":
        return (rate,) * layers
    if pattern == "hybrid":
        return tuple(1 + i % rate for i in range(layers))
    raise ValueError(f"stack_rates: pattern must be 'equal' or 'hybrid', got {pattern!r}.")


def taps_inside(feature_size: Sequence[int], rate: int, kernel_size: int = 3) -> float:
    """Share of a dilated ``k x k`` kernel's taps that land inside a ``(h, w)`` map, over all positions.

    DeepLabV3 (Chen et al. 2017, Fig. 4): as the rate nears the map size, fewer taps land on the map
    (the rest read zero padding), until a 3x3 atrous convolution degenerates to its centre tap, a 1x1
    convolution. That is why its rates double (6, 12, 18 to 12, 24, 36) when the output stride halves.
    """
    shares = []
    for n in feature_size:
        positions = np.arange(n)[:, None]
        offsets = (np.arange(kernel_size) - (kernel_size - 1) / 2) * rate
        at = positions + offsets[None, :]
        shares.append(((at >= 0) & (at <= n - 1)).mean())
    return float(np.prod(shares))
