"""FCN-32s, FCN-16s and FCN-8s: Long, Shelhamer, Darrell, "Fully Convolutional Networks for Semantic
Segmentation", CVPR 2015, on a ResNet backbone.

Layer names follow the paper's Caffe nets (``score_fr``, ``score_pool4``, ``upscore2``, ``upscore8``...) so
that a reader can put the code beside the prototxt; ``pool4`` / ``pool3`` here are the ResNet's stride-16
(``layer3``) and stride-8 (``layer2``) outputs, which play the role of VGG-16's pool4 and pool3.
"""

from __future__ import annotations

import torch
from torch import nn

from workbench.models.backbone import ResNetBackbone
from workbench.models.padding import crop_to, pad_to_multiple
from workbench.models.registry import register_model

_PAPER = "Long, Shelhamer, Darrell. Fully Convolutional Networks for Semantic Segmentation. CVPR 2015"
_DIFFERS = (
    "ResNet backbone, not VGG-16, so no fc6/fc7 (1x1 score on layer4); input zero-padded to a multiple "
    "of 32 and logits cropped, not 100-px padding and crop layers; deconvolutions learnable (the Caffe "
    "nets fix them)"
)
_SKIP_DIFFERS = "; trained at once without the 0.01/0.0001 skip scaling, not in stages from FCN-32s"

# Each variant's transposed convolutions and their factors, coarse to fine; the last restores input size.
UPSAMPLE_FACTORS = {
    32: {"upscore32": 32},
    16: {"upscore2": 2, "upscore16": 16},
    8: {"upscore2": 2, "upscore_pool4": 2, "upscore8": 8},
}


def bilinear_kernel(factor: int) -> torch.Tensor:
    """The ``(2 * factor, 2 * factor)`` bilinear kernel of the FCN code's ``surgery.upsample_filt``.

    Used as a transposed convolution with stride ``factor`` and padding ``factor // 2`` it is exactly
    ``F.interpolate(mode="bilinear", align_corners=False)`` away from the borders.
    """
    size = 2 * factor
    center = factor - 0.5  # even kernel: the centre falls between two taps
    taps = 1 - (torch.arange(size, dtype=torch.float64) - center).abs() / factor
    return torch.outer(taps, taps).float()


def bilinear_upsampling(channels: int, factor: int) -> nn.ConvTranspose2d:
    """A per-channel x``factor`` transposed convolution initialised to bilinear interpolation.

    As in the paper, channels do not mix at initialisation (zero off-diagonal kernels) and there is no
    bias. Output size is exactly ``factor`` times the input size.

    Raises:
        ValueError: unless ``factor`` is an even number, for which the padding ``factor // 2`` is exact.
    """
    if factor < 2 or factor % 2:
        raise ValueError(f"Upsampling factor must be even and >= 2, got {factor}.")
    layer = nn.ConvTranspose2d(channels, channels, 2 * factor, stride=factor, padding=factor // 2, bias=False)
    with torch.no_grad():
        layer.weight.zero_()
        layer.weight[range(channels), range(channels)] = bilinear_kernel(factor)
    return layer


def _zero_score(in_channels: int, num_classes: int) -> nn.Conv2d:
    # The paper zero-initialises the new skip score layers, so a fused net starts out predicting exactly
    # what the coarser net predicts and the skips only add detail as they learn.
    layer = nn.Conv2d(in_channels, num_classes, kernel_size=1)
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class FCN(nn.Module):
    """Fully convolutional network with 32s, 16s or 8s skip fusion (Long et al., CVPR 2015).

    ``score_fr`` scores the stride-32 features; FCN-16s adds ``upscore2(score_fr) + score_pool4(layer3)``;
    FCN-8s then adds ``upscore_pool4(...) + score_pool3(layer2)``; a last transposed convolution
    (``upscore32`` / ``upscore16`` / ``upscore8``) brings the scores to the input size. All transposed
    convolutions start as bilinear interpolation and are learnable; set ``learn_upsampling=False`` to
    keep them fixed, as the released Caffe nets do (``lr_mult: 0``).

    Args:
        num_classes: output channels.
        encoder: a torchvision ResNet name (``resnet18``, ``resnet34``, ``resnet50``, ...).
        logit_stride: 32, 16 or 8 for FCN-32s, FCN-16s, FCN-8s.
        pretrained: load torchvision's ImageNet weights into the encoder (downloads them unless cached).
        learn_upsampling: whether the transposed convolutions are trained.

    Attributes:
        upsample_names: names of the ``nn.ConvTranspose2d`` layers, coarse to fine, for forward hooks.
            Their outputs are at the padded size (H and W rounded up to a multiple of 32, divided by the
            layer's remaining stride); crop the top-left corner to compare with the input.
    """

    def __init__(
        self,
        num_classes: int,
        *,
        encoder: str = "resnet18",
        logit_stride: int = 8,
        pretrained: bool = False,
        learn_upsampling: bool = True,
    ):
        super().__init__()
        if logit_stride not in UPSAMPLE_FACTORS:
            raise ValueError(f"logit_stride must be 32, 16 or 8 (FCN-32s/16s/8s), got {logit_stride}.")
        self.logit_stride = logit_stride
        self.upsample_names = tuple(UPSAMPLE_FACTORS[logit_stride])
        self.encoder = ResNetBackbone(encoder, pretrained=pretrained)
        c8, c16, c32 = self.encoder.channels
        # The classifier keeps PyTorch's default init (the paper zero-initialises it) so that a randomly
        # initialised backbone receives gradient from the first step.
        self.score_fr = nn.Conv2d(c32, num_classes, kernel_size=1)
        if logit_stride <= 16:
            self.score_pool4 = _zero_score(c16, num_classes)
        if logit_stride == 8:
            self.score_pool3 = _zero_score(c8, num_classes)
        for name, factor in UPSAMPLE_FACTORS[logit_stride].items():
            setattr(self, name, bilinear_upsampling(num_classes, factor))
            getattr(self, name).weight.requires_grad_(learn_upsampling)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Map images ``(N, 3, H, W)`` to logits ``(N, num_classes, H, W)``, for any H and W.

        The input is zero-padded at the bottom/right to a multiple of 32 (the backbone's stride) and the
        logits cropped back, instead of the paper's 100-pixel padding and Caffe crop layers.
        """
        c8, c16, c32 = self.encoder(pad_to_multiple(images, 32))
        scores = self.score_fr(c32)
        if self.logit_stride <= 16:
            scores = _fuse(self.upscore2(scores), self.score_pool4(c16))
        if self.logit_stride == 8:
            scores = _fuse(self.upscore_pool4(scores), self.score_pool3(c8))
        final = getattr(self, self.upsample_names[-1])
        return crop_to(final(scores), images.shape[-2:])


def _fuse(upsampled: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
    # Sum fusion as in the paper; the crop is a no-op for inputs padded to a multiple of 32, and keeps
    # the sum defined (as Caffe's crop layer does) should a backbone round sizes up.
    return crop_to(upsampled, skip.shape[-2:]) + skip


def _build(logit_stride: int, num_classes: int, encoder: str, encoder_weights: str | None, **kw) -> FCN:
    return FCN(num_classes, encoder=encoder, logit_stride=logit_stride, pretrained=encoder_weights == "imagenet", **kw)


@register_model("fcn32s", paper=_PAPER, output_stride=32, logit_stride=32, differs=_DIFFERS)
def fcn32s(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> FCN:
    """FCN-32s: stride-32 scores upsampled x32 in one transposed convolution."""
    return _build(32, num_classes, encoder, encoder_weights, **kw)


@register_model("fcn16s", paper=_PAPER, output_stride=32, logit_stride=16, differs=_DIFFERS + _SKIP_DIFFERS)
def fcn16s(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> FCN:
    """FCN-16s: x2 upsampled stride-32 scores fused with stride-16 scores, then x16."""
    return _build(16, num_classes, encoder, encoder_weights, **kw)


@register_model("fcn8s", paper=_PAPER, output_stride=32, logit_stride=8, differs=_DIFFERS + _SKIP_DIFFERS)
def fcn8s(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> FCN:
    """FCN-8s: fusion at strides 16 and 8, then x8."""
    return _build(8, num_classes, encoder, encoder_weights, **kw)
