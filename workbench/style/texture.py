"""Features that transfer texture without any trained weights: random shallow filters at several scales.

Ustyuzhaninov, Brendel, Gatys and Bethge ("What does it take to generate natural textures?", ICLR 2017)
found that a *single* layer of random convolution filters followed by a ReLU, taken at several filter
sizes, gives Gram matrices that describe natural textures nearly as well as VGG19's. Their filters go
up to 55 x 55 pixels at full resolution. Here the scales come from an image pyramid instead: the same
kind of small random filters on the image and on its 2x, 4x and 8x downsampled copies (antialiased
bilinear, whose gradient spreads smoothly: average pooling leaves 8 x 8 blocks in the result),
which covers the same range of sizes at a few percent of the cost, fast enough for a laptop CPU.

Each pyramid level ``scaleN`` (N = 1, 2, 4, 8: pixels per feature) is one convolution with ``channels``
zero-mean random filters and a ReLU. Its Gram matrix is a texture statistic at that scale; the content
loss reads the 2x level, which keeps the layout while leaving fine texture free.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from workbench.style.features import IMAGENET_MEAN, IMAGENET_STD

TEXTURE_SCALES = (1, 2, 4, 8)  # pixels per feature at each pyramid level
TEXTURE_CONTENT_LAYER = "scale2"
TEXTURE_STYLE_LAYERS = tuple((f"scale{s}", 0.25) for s in TEXTURE_SCALES)
TEXTURE_STYLE_WEIGHT = 1e6  # beta, as for VGG19: the content loss of these features is of a similar size
TEXTURE_TV_WEIGHT = 0.01  # the pyramid's levels already smooth; a VGG19-sized tv term would erase the texture
DESCRIPTION = (
    "random multi-scale shallow filters (Ustyuzhaninov et al., ICLR 2017): one random conv layer "
    "on a 4-level image pyramid, no trained weights; it transfers colour and texture, not a "
    "painter's strokes"
)


class TextureFeatures(nn.Module):
    """Random shallow filters on an image pyramid; called like :class:`FeatureExtractor`.

    Args:
        channels: filters per level (Ustyuzhaninov et al. use hundreds; 128 keeps Grams informative).
        kernel_size: filter size in pixels of its level (5: 5, 10, 20, 40 image pixels across the levels).
        scales: pixels per feature of each level, each a power of two.
        seed: seeds the filters; another seed gives an independent set of texture statistics.
    """

    trained = False

    def __init__(self, *, channels: int = 128, kernel_size: int = 5, scales=TEXTURE_SCALES, seed: int = 0):
        super().__init__()
        if any(s < 1 or s & (s - 1) for s in scales):
            raise ValueError(f"TextureFeatures: scales must be powers of two (1, 2, 4, ...), got {tuple(scales)}.")
        generator = torch.Generator().manual_seed(seed)
        self.scales = tuple(scales)
        self.layer_names = tuple(f"scale{s}" for s in self.scales)
        filters = torch.randn(len(self.scales), channels, 3, kernel_size, kernel_size, generator=generator)
        filters -= filters.mean(dim=(2, 3, 4), keepdim=True)  # zero mean: the filters see structure, not brightness
        filters /= filters.flatten(2).norm(dim=2)[..., None, None, None]
        self.register_buffer("filters", filters)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.layers = (TEXTURE_CONTENT_LAYER, *self.layer_names)
        self.description = f"{DESCRIPTION} ({channels} filters of {kernel_size}x{kernel_size} per level, seed {seed})"
        self.config_defaults = {
            "content_layer": TEXTURE_CONTENT_LAYER,
            "style_layers": tuple((name, 1.0 / len(self.scales)) for name in self.layer_names),
            "style_weight": TEXTURE_STYLE_WEIGHT,
            "tv_weight": TEXTURE_TV_WEIGHT,
        }
        self.eval()

    def resolve(self, layer) -> int:
        """Index of a level given by name (``"scale4"``) or position."""
        if isinstance(layer, int) and not isinstance(layer, bool) and 0 <= layer < len(self.scales):
            return layer
        if layer in self.layer_names:
            return self.layer_names.index(layer)
        raise ValueError(f"TextureFeatures: unknown layer {layer!r}; valid names are {', '.join(self.layer_names)}.")

    def forward(self, images: torch.Tensor, layers=None) -> dict:
        """Feature maps ``{layer: (N, channels, H / s, W / s)}`` of images ``(N, 3, H, W)`` in ``[0, 1]``."""
        layers = tuple(layers) if layers is not None else self.layers
        if images.dim() != 4 or images.shape[1] != 3:
            raise ValueError(f"TextureFeatures: expected RGB images (N, 3, H, W), got shape {tuple(images.shape)}.")
        x = (images - self.mean) / self.std
        wanted = {self.resolve(layer) for layer in layers}
        levels = {}
        for index, scale in enumerate(self.scales):
            if index in wanted:
                level = F.interpolate(x, scale_factor=1 / scale, mode="bilinear", antialias=True) if scale > 1 else x
                padding = self.filters.shape[-1] // 2
                if min(level.shape[-2:]) <= padding:  # reflection padding needs more pixels than it adds
                    raise ValueError(
                        f"TextureFeatures: the image ({images.shape[-2]}x{images.shape[-1]}) is too "
                        f"small for level {self.layer_names[index]}; use a larger image or fewer scales."
                    )
                levels[index] = F.relu(F.conv2d(F.pad(level, [padding] * 4, mode="reflect"), self.filters[index]))
        return {layer: levels[self.resolve(layer)] for layer in layers}
