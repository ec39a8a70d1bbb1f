"""What PSPNet's pyramid pooling branches see (Zhao et al., "Pyramid Scene Parsing Network", CVPR 2017).

Each branch average-pools the whole feature map into a ``b x b`` grid (bins 1, 2, 3 and 6), so one cell of
the 1-bin branch summarises the entire image and one cell of the 6-bin branch a sixth of it on each axis.
The pooled maps are projected by 1x1 convolutions, upsampled back and concatenated with the features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from workbench.models.eval_mode import eval_mode


@dataclass(frozen=True)
class PyramidBranches:
    """The features entering the pyramid, each branch's pooled grid, and the features' stride."""

    features: torch.Tensor  # (N, C, h, w)
    pooled: dict[int, torch.Tensor]  # bins -> (N, C, bins, bins)
    stride: int  # image pixels per feature cell


def adaptive_bin_edges(length: int, bins: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each bin of ``adaptive_avg_pool`` over ``length`` cells (end exclusive).

    torch's rule: bin ``i`` covers ``floor(i n / b)`` to ``ceil((i + 1) n / b)``, so neighbouring bins share
    a cell when ``b`` does not divide ``n``.
    """
    return [(math.floor(i * length / bins), math.ceil((i + 1) * length / bins)) for i in range(bins)]


def pyramid_branches(model: nn.Module, images: torch.Tensor) -> PyramidBranches:
    """Run ``model`` on ``images`` and record the input and output of each of its adaptive average poolings.

    Args:
        model: a network with ``nn.AdaptiveAvgPool2d`` branches over one feature map, e.g.
            ``create_model("pspnet", ...)`` (smp's PSP blocks pool with them).
        images: ``(N, 3, H, W)``, H and W multiples of the features' stride.

    Raises:
        ValueError: when the model has no adaptive average pooling.
    """
    pools = [m for m in model.modules() if isinstance(m, nn.AdaptiveAvgPool2d)]
    if not pools:
        raise ValueError(
            f"pyramid_branches: {type(model).__name__} has no nn.AdaptiveAvgPool2d; use a PSPNet "
            "(create_model('pspnet', num_classes))."
        )
    seen: dict = {}

    def record(module, args, output):
        seen.setdefault("features", args[0].detach())
        seen[output.shape[-1]] = output.detach()

    handles = [pool.register_forward_hook(record) for pool in pools]
    try:
        with eval_mode(model), torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
    features = seen.pop("features")
    return PyramidBranches(features, dict(sorted(seen.items())), images.shape[-1] // features.shape[-1])
