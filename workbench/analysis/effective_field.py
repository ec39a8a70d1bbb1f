"""The effective receptive field (Luo, Li, Urtasun, Zemel, "Understanding the Effective Receptive Field in
Deep Convolutional Neural Networks", NeurIPS 2016): how much each input pixel moves one output unit.

The gradient of the centre unit of the logits (summed over classes) with respect to the input, its
absolute value averaged over colour channels and over random inputs. The analytic field
(:func:`~workbench.analysis.receptive_field`) bounds where this can be nonzero; the effective field is
what the network actually uses, and at initialisation it is roughly Gaussian and much smaller.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from workbench.models.eval_mode import eval_mode


def effective_receptive_field(
    model: nn.Module,
    *,
    image_size: tuple[int, int] = (128, 128),
    num_samples: int = 4,
    seed: int = 0,
    unit: tuple[int, int] | None = None,
) -> np.ndarray:
    """``|d logits[unit] / d image|`` averaged over colour channels and ``num_samples`` random images.

    The model runs in eval mode (BatchNorm with its running statistics, so that pixels do not interact
    through the batch mean) and in float32 on its own device; its training mode is restored after.

    Args:
        model: maps ``(N, 3, H, W)`` to ``(N, C, H', W')`` (any segmentation model here: ``H' = H``).
        image_size: ``(H, W)`` of the random images (standard normal, like normalised images).
        num_samples: images averaged over (Luo et al. average 20).
        seed: seed of the images.
        unit: ``(row, col)`` of the output unit; the centre of the output by default.

    Returns:
        ``(H, W)`` float64 heatmap scaled to a maximum of 1 (all zeros if the gradient is zero).
    """
    if num_samples < 1:
        raise ValueError(f"effective_receptive_field: num_samples must be >= 1, got {num_samples}.")
    like = next(model.parameters())
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn(num_samples, 3, *image_size, generator=generator).to(like.device).requires_grad_(True)
    with eval_mode(model):
        logits = model(images)
    row, col = unit if unit is not None else (logits.shape[-2] // 2, logits.shape[-1] // 2)
    logits[:, :, row, col].sum().backward()  # samples do not interact in eval mode: one backward for all
    heat = images.grad.abs().mean(dim=(0, 1)).double().cpu().numpy()
    peak = heat.max()
    return heat / peak if peak > 0 else heat


def erf_radius(heatmap: np.ndarray, mass: float = 0.9) -> int:
    """Half-width of the smallest square around the peak holding ``mass`` of the heatmap's total.

    A single number to set beside the analytic field: ``2 * radius + 1`` pixels hold ``mass`` of the
    gradient, clipped to the image.
    """
    if not 0 < mass <= 1:
        raise ValueError(f"erf_radius: mass must be in (0, 1], got {mass}.")
    total = heatmap.sum()
    if total == 0:
        return 0
    row, col = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    for radius in range(max(heatmap.shape)):
        window = heatmap[max(row - radius, 0) : row + radius + 1, max(col - radius, 0) : col + radius + 1]
        if window.sum() >= mass * total - 1e-12:
            return radius
    return max(heatmap.shape)
