"""The model table of docs/models.md: paper, encoder, strides, parameters and GFLOPs of every registered model.

The docs build (docs/gen_pages.py) writes the table into the page from ``model_rows``; run this to print it.

FLOPs come from torch's own counter, ``torch.utils.flop_counter.FlopCounterMode``, on one
``1 x 3 x 512 x 512`` image in eval mode. That counter counts a multiply-add as 2 FLOPs and counts only
matrix products and convolutions (transposed ones included); BatchNorm, activations, pooling and
interpolation add nothing. Models are built and run on the ``meta`` device, so counting takes no compute.

Peers measured in the same run with the same counter: torchvision's ResNet-18 classifier at 224 x 224
(He et al. list 1.8 G multiply-adds for it, so about 3.6 GFLOPs here), and torchvision's own
``fcn_resnet50`` / ``deeplabv3_resnet50`` beside ours at ResNet-50.

    python bench/model_table.py [--encoder resnet18] [--num-classes 21] [--size 512]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.models import create_model, get_model_info, list_models  # noqa: E402


def gflops(model: nn.Module, size: int) -> float:
    """GFLOPs (a multiply-add counting 2) of one forward pass on a ``(1, 3, size, size)`` input."""
    model = model.eval().to("meta")
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.empty(1, 3, size, size, device="meta"))
    return counter.get_total_flops() / 1e9


def millions_of_parameters(model: nn.Module) -> float:
    return sum(p.numel() for p in model.parameters()) / 1e6


def model_rows(encoder: str, num_classes: int, size: int) -> list[list[str]]:
    """One row per registered model: name, paper, encoder, strides, parameters, GFLOPs, differences."""
    rows = []
    for name in list_models():
        info = get_model_info(name)
        model = create_model(name, num_classes, encoder=encoder)
        rows.append(
            [
                f"`{name}`",
                info.paper,
                encoder,
                str(info.output_stride),
                str(info.logit_stride),
                f"{millions_of_parameters(model):.2f}",
                f"{gflops(model, size):.2f}",
                info.differs,
            ]
        )
    return rows


def peer_rows(num_classes: int, size: int) -> list[list[str]]:
    """Ours against torchvision's segmentation models at ResNet-50, and the counter against He et al."""
    segmentation = torchvision.models.segmentation
    pairs = [
        (
            "torchvision `fcn_resnet50` (dilated, stride 8, 3x3 head, no skips)",
            segmentation.fcn_resnet50(weights=None, weights_backbone=None, num_classes=num_classes),
        ),
        ("ours `fcn8s`, resnet50", create_model("fcn8s", num_classes, encoder="resnet50")),
        (
            "torchvision `deeplabv3_resnet50`",
            segmentation.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=num_classes),
        ),
        ("ours `deeplabv3` (smp), resnet50", create_model("deeplabv3", num_classes, encoder="resnet50")),
    ]
    rows = [[label, f"{millions_of_parameters(m):.2f}", f"{gflops(_LogitsOnly(m), size):.1f}"] for label, m in pairs]
    resnet18 = torchvision.models.resnet18(weights=None)
    rows.append(
        [
            "torchvision `resnet18` classifier at 224 x 224 (He et al.: 1.8 G multiply-adds)",
            f"{millions_of_parameters(resnet18):.2f}",
            f"{gflops(resnet18, 224):.2f}",
        ]
    )
    return rows


class _LogitsOnly(nn.Module):
    """torchvision's segmentation models return ``{"out": logits}``; ours return the logits."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        out = self.model(images)
        return out["out"] if isinstance(out, dict) else out


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="resnet18")
    parser.add_argument("--num-classes", type=int, default=21, help="21 = PASCAL VOC, as in the papers")
    parser.add_argument("--size", type=int, default=512, help="square input side for the FLOP count")
    args = parser.parse_args(argv)

    print(
        f"Models at {args.num_classes} classes; GFLOPs of one 1x3x{args.size}x{args.size} forward pass "
        f"counted by torch.utils.flop_counter.FlopCounterMode (a multiply-add = 2 FLOPs; convolutions and "
        f"matrix products only). Output stride: input size / deepest encoder features; logit stride: "
        f"input size / the map the classifier scores before the last upsampling.\n"
    )
    header = [
        "model",
        "paper",
        "encoder",
        "output stride",
        "logit stride",
        "params (M)",
        f"GFLOPs @{args.size}²",
        "differs from the paper",
    ]
    with torch.device("meta"):  # build without allocating or initialising weights: shapes are all we count
        print(markdown(header, model_rows(args.encoder, args.num_classes, args.size)))
        print(f"\nPeers, same counter, {args.num_classes} classes, {args.size} x {args.size} unless stated:\n")
        print(markdown(["model", "params (M)", "GFLOPs"], peer_rows(args.num_classes, args.size)))


if __name__ == "__main__":
    main()
