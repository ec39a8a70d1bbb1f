"""How skips are fused: FCN adds class scores, U-Net concatenates features (shapes and parameters).

FCN-8s (Long et al. 2015) scores a skip with a 1x1 convolution into ``num_classes`` channels and adds it
to the upsampled coarser scores: the fused map has ``num_classes`` channels. U-Net (Ronneberger et al.
2015) concatenates the upsampled decoder features with the encoder features and convolves the result:
the fused map has both channel counts, and two 3x3 convolutions learn how to mix them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from workbench.models.registry import create_model


@dataclass(frozen=True)
class Fusion:
    """One skip fusion: shapes ``(C, H, W)`` of the two inputs and the result, and its parameter count."""

    model: str
    stage: str
    operation: str  # "sum" or "concat"
    upsampled: tuple[int, ...]
    skip: tuple[int, ...]
    fused: tuple[int, ...]
    parameters: int  # of the layers that make the skip's input to the fusion and consume the fused map
    layers: str  # which layers those are


def _params(*modules: nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def fcn_fusions(num_classes: int, image_size: tuple[int, int], *, encoder: str = "resnet18") -> list[Fusion]:
    """The two sums of FCN-8s: stride-16 and stride-8 scores added to the upsampled coarser scores."""
    model = create_model("fcn8s", num_classes, encoder=encoder).eval()
    shapes = _output_shapes(model, ("upscore2", "score_pool4", "upscore_pool4", "score_pool3"), image_size)
    rows = []
    for stage, up, skip in (
        ("stride 16 (layer3)", "upscore2", "score_pool4"),
        ("stride 8 (layer2)", "upscore_pool4", "score_pool3"),
    ):
        layers = (getattr(model, skip), getattr(model, up))
        rows.append(
            Fusion(
                "fcn8s",
                stage,
                "sum",
                shapes[up],
                shapes[skip],
                shapes[skip],
                _params(*layers),
                f"{skip} (1x1 conv) + {up} (transposed conv)",
            )
        )
    return rows


def unet_fusions(num_classes: int, image_size: tuple[int, int], *, encoder: str = "resnet18") -> list[Fusion]:
    """Each concatenation of U-Net's decoder, with the two 3x3 convolutions that consume it."""
    model = create_model("unet", num_classes, encoder=encoder).eval()
    blocks = list(model.net.decoder.blocks)
    seen: dict[int, dict] = {}
    handles = []
    for i, block in enumerate(blocks):
        handles.append(
            block.register_forward_hook(
                lambda m, args, kwargs, out, i=i: seen.setdefault(i, {}).update(skip=kwargs.get("skip_connection")),
                with_kwargs=True,
            )
        )
        handles.append(
            block.conv1.register_forward_hook(lambda m, args, out, i=i: seen.setdefault(i, {}).update(fused=args[0]))
        )
    _run(model, image_size, handles)
    rows = []
    for i, block in enumerate(blocks):
        skip, fused = seen[i]["skip"], seen[i]["fused"]
        if skip is None:
            continue  # the last block upsamples without a skip
        up = (fused.shape[1] - skip.shape[1], *fused.shape[2:])
        rows.append(
            Fusion(
                "unet",
                f"decoder block {i + 1}",
                "concat",
                up,
                tuple(skip.shape[1:]),
                tuple(fused.shape[1:]),
                _params(block.conv1, block.conv2),
                "conv1 + conv2 (3x3, BatchNorm)",
            )
        )
    return rows


def _output_shapes(model: nn.Module, names, image_size) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    handles = [
        getattr(model, name).register_forward_hook(
            lambda m, args, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:]))
        )
        for name in names
    ]
    _run(model, image_size, handles)
    return shapes


def _run(model: nn.Module, image_size, handles) -> None:
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, *image_size))
    finally:
        for handle in handles:
            handle.remove()
