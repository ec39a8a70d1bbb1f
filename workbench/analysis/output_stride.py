"""Output stride 32, 16 or 8: what ``replace_stride_with_dilation`` does, and what DeepLabV3 pays for it.

torchvision's ``resnet50(replace_stride_with_dilation=[a, b, c])`` sets the stride of ``layer2`` /
``layer3`` / ``layer4`` to 1 where the flag is true and dilates that stage's later convolutions (and
every stage after it) by the stride removed, so the features keep 2x (or 4x) more rows and columns while
each unit's receptive field keeps its extent: more positions, the same context, and the cost of every
later layer multiplied by 4 (or 16). (BasicBlock ResNets such as resnet18 refuse dilation in torchvision;
segmentation-models-pytorch dilates them itself, as ``create_model("deeplabv3", ...)`` does.)
"""

from __future__ import annotations

import torch
import torchvision
from torch import nn

from workbench.analysis.receptive_field import receptive_field
from workbench.models.registry import create_model
from workbench.ops.cost import count_flops, saved_activation_bytes
from workbench.ops.dilation import taps_inside

DILATION_FLAGS = {32: [False, False, False], 16: [False, False, True], 8: [False, True, True]}
PAPER_RATES = {16: (6, 12, 18), 8: (12, 24, 36)}  # DeepLabV3 (Chen et al. 2017), section 4.1: doubled at stride 8


def dilation_variants(image_size: tuple[int, int] = (360, 480), *, backbone: str = "resnet50") -> list[dict]:
    """One row per output stride (32, 16, 8) of a torchvision Bottleneck ResNet without its head.

    Built and run on the ``meta`` device (shapes only, no arithmetic, no weights). Columns: the flags,
    ``layer4`` output shape, its receptive field size and jump, GFLOPs for one image and parameters
    (the same for all three: dilation adds no weights).
    """
    rows = []
    for stride, flags in DILATION_FLAGS.items():
        with torch.device("meta"):
            net = getattr(torchvision.models, backbone)(replace_stride_with_dilation=flags)
            body, images = nn.Sequential(*list(net.children())[:-2]), torch.empty(1, 3, *image_size)
        field = receptive_field(net, "layer4")
        rows.append(
            {
                "output stride": stride,
                "replace_stride_with_dilation": str(flags),
                "layer4 shape": tuple(body(images).shape[1:]),
                "field size": field.size[0],
                "field jump": field.jump[0],
                "GFLOPs": count_flops(body, images) / 1e9,
                "parameters": sum(p.numel() for p in body.parameters()),
            }
        )
    return rows


def deeplab_costs(
    image_size: tuple[int, int] = (360, 480),
    *,
    output_strides=(16, 8),
    num_classes: int = 11,
    encoder: str = "resnet18",
    measure_memory: bool = True,
) -> list[dict]:
    """DeepLabV3 at each output stride with the paper's ASPP rates: taps on the map, GFLOPs, activations.

    ``"taps inside"`` maps each rate to the share of its 3x3 kernel's taps that land on the feature map
    (``workbench.ops.taps_inside``, rounded to 3 digits).

    GFLOPs are counted on the ``meta`` device; the activation memory (MB autograd keeps for the backward
    pass of one image, parameters excluded) is measured on the CPU with random weights, unless
    ``measure_memory`` is False.
    """
    rows = []
    for stride in output_strides:
        rates = PAPER_RATES[stride]
        kw = dict(encoder=encoder, encoder_output_stride=stride, decoder_atrous_rates=rates)
        with torch.device("meta"):
            meta_model, images = create_model("deeplabv3", num_classes, **kw).eval(), torch.empty(1, 3, *image_size)
        grid = tuple(-(-n // stride) for n in image_size)
        row = {
            "output stride": stride,
            "ASPP rates": rates,
            "feature map": grid,
            "taps inside": {r: round(taps_inside(grid, r), 3) for r in rates},
            "GFLOPs": count_flops(meta_model, images) / 1e9,
        }
        if measure_memory:
            model = create_model("deeplabv3", num_classes, **kw).eval()
            probe = torch.randn(1, 3, *image_size, requires_grad=True)
            row["activations MB"] = saved_activation_bytes(model, probe, exclude=model.parameters()) / 2**20
        rows.append(row)
    return rows
