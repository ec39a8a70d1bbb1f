"""Two networks of the same depth: one at full resolution throughout, one that pools then upsamples.

The memory argument for encoder-decoders: a stride-1 network keeps every activation at image size; an
encoder-decoder with the same number of 3x3 convolutions spends most of them on maps 4, 16, 64 times
smaller. Both keep one width, so that the difference is resolution alone (U-Net doubles the channels
at each level, which gives back part of the saving).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU())


class FullResolutionNet(nn.Module):
    """``depth`` 3x3 convolutions of ``width`` channels at stride 1, then a 1x1 classifier.

    Maps ``(N, 3, H, W)`` to ``(N, num_classes, H, W)``.
    """

    def __init__(self, num_classes: int, *, depth: int = 8, width: int = 32):
        super().__init__()
        self.body = nn.Sequential(_conv(3, width), *[_conv(width, width) for _ in range(depth - 1)])
        self.classifier = nn.Conv2d(width, num_classes, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.body(images))


class EncoderDecoderNet(nn.Module):
    """``depth`` 3x3 convolutions of ``width`` channels too: ``depth // 2`` going down (max pooling by 2
    between them), ``depth - depth // 2`` coming back up (the last ``depth // 2 - 1`` each after a nearest
    upsampling by 2, so that only the first and the last convolution run at input size), then a 1x1
    classifier. No skips: the point is the memory, not the accuracy.

    Maps ``(N, 3, H, W)`` with H and W divisible by ``2 ** (depth // 2 - 1)`` to ``(N, num_classes, H, W)``.
    """

    def __init__(self, num_classes: int, *, depth: int = 8, width: int = 32):
        super().__init__()
        if depth < 2:
            raise ValueError(f"EncoderDecoderNet: depth must be >= 2 (one conv down, one up), got {depth}.")
        levels = depth // 2
        self.down = nn.ModuleList([_conv(3, width)] + [_conv(width, width) for _ in range(levels - 1)])
        self.up = nn.ModuleList([_conv(width, width) for _ in range(depth - levels)])
        self.classifier = nn.Conv2d(width, num_classes, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = images
        for i, conv in enumerate(self.down):
            x = conv(F.max_pool2d(x, 2) if i else x)
        first_upsampled = len(self.up) - (len(self.down) - 1)
        for i, conv in enumerate(self.up):
            x = conv(F.interpolate(x, scale_factor=2, mode="nearest") if i >= first_upsampled else x)
        return self.classifier(x)
