"""U-Net, DeepLabV3, DeepLabV3+ and PSPNet from segmentation-models-pytorch, taking any input size.

smp checks that H and W are divisible by the encoder's output stride; :class:`PadCrop` pads the input
to that multiple and crops the logits back, so every model here maps ``(N, 3, H, W)`` to
``(N, num_classes, H, W)`` for any H, W. smp only downloads when ``encoder_weights`` is not ``None``,
and ``create_model`` passes ``None`` unless asked for ``"imagenet"``.
"""

from __future__ import annotations

import segmentation_models_pytorch as smp
from segmentation_models_pytorch.encoders.resnet import ResNetEncoder
from torch import nn

from workbench.models.padding import PadCrop
from workbench.models.registry import register_model


def _adapt(arch: type[nn.Module], num_classes: int, encoder: str, encoder_weights: str | None, **kw) -> PadCrop:
    """Build ``arch`` from smp and wrap it to take any input size and return plain logits."""
    if "aux_params" in kw:
        # An auxiliary classification head makes smp return a (masks, labels) tuple, breaking the one
        # return contract (logits only) that the engine, metrics and widgets rely on.
        raise ValueError("aux_params is not supported: every workbench model returns logits only.")
    if encoder not in smp.encoders.get_encoder_names() and not encoder.startswith("tu-"):
        raise ValueError(
            f"Unknown encoder {encoder!r} for {arch.__name__}; see "
            f"segmentation_models_pytorch.encoders.get_encoder_names() (e.g. resnet18, resnet34, resnet50)."
        )
    net = arch(encoder_name=encoder, encoder_weights=encoder_weights, classes=num_classes, **kw)
    model = PadCrop(net, multiple=net.encoder.output_stride)
    model.dropped_encoder_stages = _drop_unused_stages(net.encoder)
    return model


def _drop_unused_stages(encoder: nn.Module) -> tuple[str, ...]:
    """Delete the ResNet stages a shallow smp encoder never runs; return their names.

    smp keeps ``layer3`` / ``layer4`` even at ``encoder_depth=3`` (PSPNet's default). Parameters that
    never get a gradient inflate the parameter count and make DistributedDataParallel fail unless it
    searches for unused parameters, so they go; weight loading skips their keys.
    """
    if not isinstance(encoder, ResNetEncoder):
        return ()
    # Stage layer{k} runs only when depth >= k + 1 (depth 2 is layer1, ..., depth 5 is layer4).
    depth = len(encoder.out_channels) - 1  # out_channels lists the input and one entry per stage run
    dropped = tuple(f"layer{k}" for k in range(max(depth, 1), 5))
    for name in dropped:
        delattr(encoder, name)
    return dropped


@register_model(
    "unet",
    paper="Ronneberger, Fischer, Brox. U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015",
    output_stride=32,
    logit_stride=1,
    differs="ResNet encoder with 5 downsamplings, not 4 plain conv blocks; padded convs with BatchNorm, "
    "not valid convs and overlap-tile; nearest upsampling + 3x3 convs, not 2x2 up-convolutions; "
    "decoder widths 256-128-64-32-16",
)
def unet(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> PadCrop:
    """U-Net (Ronneberger et al., MICCAI 2015): encoder-decoder with skip concatenation at every scale."""
    return _adapt(smp.Unet, num_classes, encoder, encoder_weights, **kw)


@register_model(
    "deeplabv3",
    paper="Chen, Papandreou, Schroff, Adam. Rethinking Atrous Convolution for Semantic Image Segmentation. arXiv 2017",
    output_stride=8,
    logit_stride=8,
    differs="ResNet-18 with dilated layer3/layer4, not ResNet-101 with multi-grid; extra 3x3 conv after "
    "ASPP; same output stride for training and inference",
)
def deeplabv3(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> PadCrop:
    """DeepLabV3 (Chen et al., 2017): dilated encoder and atrous spatial pyramid pooling (rates 12/24/36)."""
    return _adapt(smp.DeepLabV3, num_classes, encoder, encoder_weights, **kw)


@register_model(
    "deeplabv3plus",
    paper="Chen, Zhu, Papandreou, Schroff, Adam. Encoder-Decoder with Atrous Separable Convolution for "
    "Semantic Image Segmentation. ECCV 2018",
    output_stride=16,
    logit_stride=4,
    differs="ResNet encoder, not Aligned Xception; one separable 3x3 conv in the decoder, not two",
)
def deeplabv3plus(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> PadCrop:
    """DeepLabV3+ (Chen et al., ECCV 2018): DeepLabV3 plus a decoder fusing stride-4 features."""
    return _adapt(smp.DeepLabV3Plus, num_classes, encoder, encoder_weights, **kw)


@register_model(
    "pspnet",
    paper="Zhao, Shi, Qi, Wang, Jia. Pyramid Scene Parsing Network. CVPR 2017",
    output_stride=8,
    logit_stride=8,
    differs="encoder cut after layer2 (stride 8; layer3/layer4 removed), not a dilated ResNet-50/101; "
    "pyramid pooling on layer2 features; no auxiliary loss",
)
def pspnet(*, num_classes: int, encoder: str = "resnet18", encoder_weights: str | None = None, **kw) -> PadCrop:
    """PSPNet (Zhao et al., CVPR 2017): pyramid pooling (bins 1, 2, 3, 6) over stride-8 features."""
    return _adapt(smp.PSPNet, num_classes, encoder, encoder_weights, **kw)
