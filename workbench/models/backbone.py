"""A torchvision ResNet without its classifier, giving the stride 8, 16 and 32 feature maps FCN fuses."""

from __future__ import annotations

import torch
import torchvision
from torch import nn

# Channels of layer2, layer3 and layer4 (strides 8, 16, 32): BasicBlock ResNets, then Bottleneck ones.
RESNET_CHANNELS = {
    "resnet18": (128, 256, 512),
    "resnet34": (128, 256, 512),
    "resnet50": (512, 1024, 2048),
    "resnet101": (512, 1024, 2048),
    "resnet152": (512, 1024, 2048),
}

_TORCHVISION_WEIGHTS = "DEFAULT"  # torchvision's best ImageNet weights for each ResNet


class ResNetBackbone(nn.Module):
    """He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, minus ``avgpool`` and ``fc``.

    The children keep torchvision's names, so a torchvision ResNet state dict (without ``fc.``) loads
    into it unchanged.

    Args:
        name: a key of :data:`RESNET_CHANNELS`.
        pretrained: load torchvision's ImageNet weights (downloads them unless cached).
    """

    def __init__(self, name: str = "resnet18", *, pretrained: bool = False):
        super().__init__()
        if name not in RESNET_CHANNELS:
            choices = ", ".join(RESNET_CHANNELS)
            raise ValueError(f"FCN encoder {name!r} is not supported; choose one of {choices}.")
        resnet = getattr(torchvision.models, name)(weights=_TORCHVISION_WEIGHTS if pretrained else None)
        for child in ("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"):
            self.add_module(child, getattr(resnet, child))
        self.channels = RESNET_CHANNELS[name]

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Map images ``(N, 3, H, W)`` to features at strides 8, 16 and 32.

        Returns:
            ``(c8, c16, c32)`` of shapes ``(N, channels[i], ceil(H / s), ceil(W / s))``.
        """
        x = self.maxpool(self.relu(self.bn1(self.conv1(images))))
        c8 = self.layer2(self.layer1(x))
        c16 = self.layer3(c8)
        c32 = self.layer4(c16)
        return c8, c16, c32
