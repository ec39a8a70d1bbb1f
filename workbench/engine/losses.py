"""Segmentation losses: cross-entropy, soft Dice (Milletari et al., 2016) and their sum.

Every loss maps ``logits (N, C, H, W)`` and ``masks (N, H, W)`` (int64 class ids, ``ignore_index`` for
void) to a scalar. Void pixels take no part in any loss; a batch made only of void pixels gives a loss of
zero (with a gradient of zero) instead of the NaN that ``0 / 0`` would give, so it is not mistaken for a
diverging run.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from workbench.data.classes import IGNORE_INDEX
from workbench.engine.loss_registry import LOSSES, list_losses, register_loss  # noqa: F401  (public here too)


def create_loss(
    name: str, *, class_weights: Sequence[float] | None = None, ignore_index: int = IGNORE_INDEX
) -> nn.Module:
    """Build a loss by name: ``"ce"``, ``"dice"`` or ``"ce+dice"``.

    Args:
        name: registered loss name (see ``list_losses()``).
        class_weights: one weight per class, or None for equal weights.
        ignore_index: mask value of void pixels.
    """
    return LOSSES.get(name)(class_weights=class_weights, ignore_index=ignore_index)


class _WeightedLoss(nn.Module):
    """Holds the class weights as a buffer so that ``.to(device)`` moves them with the loss."""

    def __init__(self, *, class_weights: Sequence[float] | None, ignore_index: int):
        super().__init__()
        self.ignore_index = ignore_index
        weight = None if class_weights is None else torch.as_tensor(class_weights, dtype=torch.float32)
        if weight is not None and (weight.ndim != 1 or (weight < 0).any()):
            raise ValueError(f"class_weights must be one non-negative number per class, got {class_weights}.")
        self.register_buffer("weight", weight, persistent=False)

    def _check(self, logits: torch.Tensor, masks: torch.Tensor) -> None:
        if logits.ndim != 4 or masks.shape != (logits.shape[0], *logits.shape[2:]):
            raise ValueError(
                f"expected logits (N, C, H, W) and masks (N, H, W), got {tuple(logits.shape)} and {tuple(masks.shape)}."
            )
        if self.weight is not None and self.weight.numel() != logits.shape[1]:
            raise ValueError(
                f"class_weights has {self.weight.numel()} entries but the logits have {logits.shape[1]} classes."
            )


class CrossEntropyLoss(_WeightedLoss):
    """Pixel-wise cross-entropy, the weighted mean over non-void pixels (as ``F.cross_entropy``)."""

    def forward(self, logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        self._check(logits, masks)
        total = F.cross_entropy(
            logits.float(), masks, weight=self.weight, ignore_index=self.ignore_index, reduction="sum"
        )
        valid = masks != self.ignore_index
        # The normaliser F.cross_entropy uses for reduction="mean": the summed weights of the valid pixels.
        norm = valid.sum() if self.weight is None else (self.weight[masks.where(valid, 0)] * valid).sum()
        return total / norm.clamp_min(torch.finfo(torch.float32).tiny)


class DiceLoss(_WeightedLoss):
    """Soft Dice loss of V-Net (Milletari, Navab and Ahmadi, 3DV 2016): ``1 - mean_c D_c`` with

    ``D_c = 2 sum(p_c g_c) / (sum(p_c^2) + sum(g_c^2))`` over all non-void pixels of the batch, ``p_c`` the
    softmax probability and ``g_c`` the one-hot target. The mean runs over the classes present in the batch's
    target (a class absent from it has no overlap to reward), weighted by ``class_weights`` when given.
    """

    eps = 1e-6  # keeps the ratio finite for a class with p = g = 0 everywhere

    def forward(self, logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        self._check(logits, masks)
        valid = (masks != self.ignore_index).unsqueeze(1)  # (N, 1, H, W)
        probs = logits.float().softmax(dim=1) * valid  # void pixels take no part
        onehot = F.one_hot(masks.where(valid.squeeze(1), 0), logits.shape[1]).permute(0, 3, 1, 2) * valid
        dims = (0, 2, 3)
        inter = (probs * onehot).sum(dims)
        denom = (probs * probs).sum(dims) + onehot.sum(dims)  # onehot ** 2 == onehot
        dice = 2 * inter / (denom + self.eps)
        weight = (onehot.sum(dims) > 0).float()
        if self.weight is not None:
            weight = weight * self.weight
        score = (dice * weight).sum() / weight.sum().clamp_min(self.eps)
        # No valid pixel: zero loss with a zero gradient (torch.where keeps the GPU free of a sync).
        return torch.where(weight.sum() > 0, 1 - score, score * 0)


class CrossEntropyDiceLoss(nn.Module):
    """The sum of ``CrossEntropyLoss`` and ``DiceLoss`` with the same weights and ``ignore_index``."""

    def __init__(self, *, class_weights: Sequence[float] | None, ignore_index: int):
        super().__init__()
        self.ce = CrossEntropyLoss(class_weights=class_weights, ignore_index=ignore_index)
        self.dice = DiceLoss(class_weights=class_weights, ignore_index=ignore_index)

    def forward(self, logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        return self.ce(logits, masks) + self.dice(logits, masks)
