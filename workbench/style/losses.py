"""The three loss terms of neural style transfer (Gatys, Ecker, Bethge, CVPR 2016), as pure functions.

Normalisation, stated once because it sets the scale of every weight:

- Gram matrix: ``G = F F^T / (C * H * W)`` with ``F`` the ``(C, H*W)`` feature map of one image. Dividing
  by the number of entries of ``F`` makes Grams of different layers and image sizes comparable.
- Style loss of a layer: the mean over the ``C x C`` entries of ``(G - A)^2``, with ``A`` the Gram of the
  style image. The paper's ``E_l = 1/(4 N_l^2 M_l^2) sum (G^ - A^)^2`` on unnormalised Grams equals
  ``C^2 / 4`` times this value (``N_l = C``, ``M_l = H*W``), so only the constant differs per layer.
- Content loss: the mean squared difference of the feature maps (the paper sums and halves instead).
- Total variation: the mean absolute difference of neighbouring pixels (anisotropic, as in Mahendran and
  Vedaldi, CVPR 2015); Gatys et al. have no such term, later implementations add it to damp noise.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Channel co-activations of feature maps, normalised by ``C * H * W``.

    Args:
        features: ``(N, C, H, W)`` or ``(C, H, W)`` feature maps.

    Returns:
        ``(N, C, C)`` (or ``(C, C)``) with ``G[i, j] = sum_p F[i, p] F[j, p] / (C * H * W)``.
    """
    if features.dim() not in (3, 4):
        raise ValueError(
            f"gram_matrix: expected (N, C, H, W) or (C, H, W) features, got shape {tuple(features.shape)}."
        )
    flat = features.flatten(-2)  # (..., C, H*W)
    channels, positions = flat.shape[-2], flat.shape[-1]
    return flat @ flat.transpose(-1, -2) / (channels * positions)


def content_loss(features: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the image's and the content image's feature maps.

    Args:
        features: ``(N, C, H, W)`` features of the image being optimised.
        target: ``(N, C, H, W)`` features of the content image, same shape.
    """
    return F.mse_loss(features, target)


def style_loss(features: torch.Tensor, target_gram: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the image's Gram matrix and the style image's.

    Args:
        features: ``(N, C, H, W)`` features of the image being optimised.
        target_gram: ``(N, C, C)`` or ``(C, C)`` Gram matrix of the style image (any image size).
    """
    gram = gram_matrix(features)
    return F.mse_loss(gram, target_gram.expand_as(gram))


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between vertically and horizontally adjacent pixels.

    Args:
        images: ``(N, C, H, W)`` or ``(C, H, W)``.

    Returns:
        A scalar: ``mean |x[i+1, j] - x[i, j]| + mean |x[i, j+1] - x[i, j]|``.
    """
    vertical = (images[..., 1:, :] - images[..., :-1, :]).abs().mean()
    horizontal = (images[..., :, 1:] - images[..., :, :-1]).abs().mean()
    return vertical + horizontal
