"""A patch classifier and its convolutionalised twin: the step from sliding windows to FCN.

Long et al. (CVPR 2015, section 3.1) observe that a fully connected layer over a ``f x f`` feature map is
a convolution with an ``f x f`` kernel; rewritten so, the classifier runs on a whole image at once and
returns one score vector per window position, spaced by the network's stride, sharing the work that
overlapping windows would repeat.
"""

from __future__ import annotations

import torch
from torch import nn


class PatchClassifier(nn.Module):
    """Classifies a ``(N, 3, P, P)`` patch into ``num_classes`` scores ``(N, num_classes)``.

    Three valid (unpadded) 3x3 convolutions with ReLU, max pooling by 2 after the first two, then two
    fully connected layers. Valid convolutions keep it translation-equivariant, so that its
    convolutionalised form equals the sliding window exactly, borders included.

    Args:
        num_classes: output scores. patch_size: ``P``, at least 18 and 2 more than a multiple of 4, so
            that both poolings divide exactly and no window has unused rows. width: convolution channels.
        hidden: units of the first fully connected layer.

    Attributes:
        features: the convolutional part (``nn.Sequential``). feature_size: side ``f`` of its output.
        stride: the features' stride, 4: window positions one output unit apart.
    """

    stride = 4

    def __init__(self, num_classes: int, *, patch_size: int = 30, width: int = 16, hidden: int = 64):
        super().__init__()
        if patch_size < 18 or patch_size % 4 != 2:
            raise ValueError(
                f"PatchClassifier: patch_size must be 18, 22, 26, 30, ... (>= 18 and 2 mod 4, so that "
                f"the valid convs and the two poolings use every pixel), got {patch_size}."
            )
        self.patch_size = patch_size
        self.features = nn.Sequential(
            nn.Conv2d(3, width, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, width, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, width, 3),
            nn.ReLU(),
        )
        self.feature_size = (patch_size - 2) // 4 - 3  # 3x3 valid, /2, 3x3 valid, /2, 3x3 valid
        self.fc1 = nn.Linear(width * self.feature_size**2, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        """Scores ``(N, num_classes)`` of patches ``(N, 3, P, P)``."""
        return self.fc2(torch.relu(self.fc1(self.features(patches).flatten(1))))


def convolutionalize(classifier: PatchClassifier) -> nn.Sequential:
    """The same network with ``fc1`` as an ``f x f`` convolution and ``fc2`` as a 1x1 convolution.

    Shares no tensors with ``classifier`` (weights are copied). On an image ``(N, 3, H, W)`` it returns
    scores ``(N, num_classes, (H - P) // 4 + 1, (W - P) // 4 + 1)``: unit ``(i, j)`` is the
    classifier's output on the window whose top-left corner is ``(4 i, 4 j)``.
    """
    f, fc1, fc2 = classifier.feature_size, classifier.fc1, classifier.fc2
    width = fc1.in_features // (f * f)
    conv1, conv2 = nn.Conv2d(width, fc1.out_features, f), nn.Conv2d(fc2.in_features, fc2.out_features, 1)
    with torch.no_grad():
        # flatten(1) orders the features channel-major, then row, then column: a (C, f, f) kernel per unit
        conv1.weight.copy_(fc1.weight.reshape(fc1.out_features, width, f, f))
        conv1.bias.copy_(fc1.bias)
        conv2.weight.copy_(fc2.weight[:, :, None, None])
        conv2.bias.copy_(fc2.bias)
    features = [
        type(m)(**_init_args(m)) if not isinstance(m, nn.Conv2d) else _copy_conv(m) for m in classifier.features
    ]
    return nn.Sequential(*features, conv1, nn.ReLU(), conv2)


def _copy_conv(conv: nn.Conv2d) -> nn.Conv2d:
    copy = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, conv.dilation)
    copy.load_state_dict(conv.state_dict())
    return copy


def _init_args(module: nn.Module) -> dict:
    if isinstance(module, nn.MaxPool2d):
        return dict(
            kernel_size=module.kernel_size, stride=module.stride, padding=module.padding, dilation=module.dilation
        )
    return {}
