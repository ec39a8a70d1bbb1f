"""Any input size for networks that need sizes divisible by their stride: pad, run, crop."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def pad_to_multiple(images: torch.Tensor, multiple: int) -> torch.Tensor:
    """Zero-pad ``images`` at the bottom and right so that H and W are multiples of ``multiple``.

    Zero is the dataset mean after ImageNet normalisation, so the padding looks like a grey border, and
    padding only bottom/right keeps pixel (0, 0) in place, so cropping the logits restores alignment.

    Args:
        images: ``(N, C, H, W)``.
        multiple: the network's largest stride, e.g. 32.

    Returns:
        ``(N, C, H', W')`` with ``H' = ceil(H / multiple) * multiple``; ``images`` itself when no padding
        is needed.
    """
    height, width = images.shape[-2:]
    pad_h, pad_w = -height % multiple, -width % multiple
    if pad_h == 0 and pad_w == 0:
        return images
    return F.pad(images, (0, pad_w, 0, pad_h))


def crop_to(x: torch.Tensor, size: tuple[int, int] | torch.Size) -> torch.Tensor:
    """The top-left ``size = (H, W)`` window of ``x`` ``(N, C, H', W')``, with ``H' >= H`` and ``W' >= W``."""
    height, width = size
    return x[..., :height, :width]


class PadCrop(nn.Module):
    """Wrap a network that needs H, W divisible by ``multiple`` so that it takes any H, W.

    Args:
        net: maps ``(N, 3, H', W')`` with ``H'``, ``W'`` multiples of ``multiple`` to
            ``(N, num_classes, H', W')``.
        multiple: the size ``net`` needs the input to be divisible by.
    """

    def __init__(self, net: nn.Module, multiple: int):
        super().__init__()
        self.net = net
        self.multiple = multiple

    @property
    def encoder(self) -> nn.Module:
        """The wrapped network's backbone, where encoder weights are loaded."""
        return self.net.encoder

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Map images ``(N, 3, H, W)`` to logits ``(N, num_classes, H, W)``."""
        return crop_to(self.net(pad_to_multiple(images, self.multiple)), images.shape[-2:])
