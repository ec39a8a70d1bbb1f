"""Checkerboard artefacts of transposed convolution, and resize-then-convolve as the fix (Odena, Dumoulin,
Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016).

A transposed convolution with kernel ``k`` and stride ``s`` stamps a ``k x k`` kernel every ``s`` pixels.
Unless ``s`` divides ``k``, neighbouring output pixels receive different numbers of stamps: an uneven
overlap that repeats with period ``s`` and shows as a checkerboard, even with all-ones weights. Resizing
first (nearest neighbour) and then convolving gives every interior pixel the same number of taps.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def transposed_overlap(kernel_size: int, stride: int, size: int = 8) -> torch.Tensor:
    """How many kernel stamps land on each output pixel: ``conv_transpose2d`` of ones by a ones kernel.

    Returns ``(H', W')`` with ``H' = stride (size - 1) + kernel_size``; counts in float64.
    """
    ones = torch.ones(1, 1, size, size, dtype=torch.float64)
    kernel = torch.ones(1, 1, kernel_size, kernel_size, dtype=torch.float64)
    return F.conv_transpose2d(ones, kernel, stride=stride)[0, 0]


def resize_conv_overlap(kernel_size: int, scale: int, size: int = 8) -> torch.Tensor:
    """The same count for nearest upsampling by ``scale`` then a ``kernel_size`` convolution ('same' padding)."""
    ones = F.interpolate(torch.ones(1, 1, size, size, dtype=torch.float64), scale_factor=scale, mode="nearest")
    kernel = torch.ones(1, 1, kernel_size, kernel_size, dtype=torch.float64)
    return F.conv2d(ones, kernel, padding="same")[0, 0]


def unevenness(counts: torch.Tensor, border: int) -> float:
    """``(max - min) / mean`` of ``counts`` away from a ``border``-pixel frame: 0 for an even overlap."""
    inner = counts[border:-border, border:-border] if border else counts
    if inner.numel() == 0:
        raise ValueError(
            f"unevenness: a {border}-pixel border leaves nothing of a {tuple(counts.shape)} map; "
            "use a smaller border or a larger map."
        )
    return float((inner.max() - inner.min()) / inner.mean())


def upsampler(method: str, *, channels: int = 8, layers: int = 3, kernel_size: int = 3, seed: int = 0) -> nn.Sequential:
    """``layers`` x2 upsampling stages with random weights, as in a generator or a decoder at initialisation.

    Args:
        method: ``"transposed"`` (``ConvTranspose2d(k, stride 2, padding (k - 1) // 2, output_padding 1)``)
            or ``"resize-conv"`` (nearest x2, then ``Conv2d(k, 'same')``).
        channels: width of every stage; the last maps to 1 channel. seed: of the weights (default init).

    Weights are made positive (absolute values), as a network that has learnt to brighten an image:
    with signed random weights the artefacts are there too, only harder to see under the noise.
    """
    if method not in ("transposed", "resize-conv"):
        raise ValueError(f"upsampler: method must be 'transposed' or 'resize-conv', got {method!r}.")
    torch.manual_seed(seed)
    stages = []
    for i in range(layers):
        out = 1 if i == layers - 1 else channels
        if method == "transposed":
            stages.append(
                nn.ConvTranspose2d(
                    channels, out, kernel_size, stride=2, padding=(kernel_size - 1) // 2, output_padding=1, bias=False
                )
            )
        else:
            stages += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(channels, out, kernel_size, padding="same", bias=False),
            ]
    net = nn.Sequential(*stages).double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    return net


def upsampled_constant(method: str, *, size: int = 8, **kw) -> torch.Tensor:
    """``upsampler(method, **kw)`` applied to a constant ``(1, channels, size, size)`` image: ``(H', W')``.

    A constant input isolates the artefact: whatever pattern comes out, the network put it there.
    """
    net = upsampler(method, **kw)
    channels = next(net.parameters()).shape[0] if method == "transposed" else next(net.parameters()).shape[1]
    with torch.no_grad():
        return net(torch.ones(1, channels, size, size, dtype=torch.float64))[0, 0]
