"""Read the activations of chosen layers of a CNN: the feature maps that style transfer matches.

Layers can be named three ways: VGG-style names computed from the layer order (``conv4_2`` is the second
convolution of the fourth block, blocks ending in a pooling layer; also ``relu4_2``, ``bn4_2``, ``pool4``),
a child module's own name (``"layer3"`` in a ResNet, ``"21"`` in a ``Sequential``), or an integer index.
"""

from __future__ import annotations

import copy
import warnings
from collections import OrderedDict

import torch
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
UNTRAINED_NOTE = (
    "its features are untrained (random weights), so the result shows the mechanics of style transfer, "
    "not its artistic quality; pass VGG19 ImageNet weights (vgg19_features(weights=<file>)) for that"
)
_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.ReLU6, nn.ELU, nn.GELU, nn.SiLU)
_POOLS = (nn.MaxPool2d, nn.AvgPool2d)


def _children(cnn: nn.Module) -> list[tuple[str, nn.Module]]:
    """The modules to run in order: a Sequential's children, a classifier's ``.features``, or any children."""
    if not isinstance(cnn, nn.Module):
        raise TypeError(f"FeatureExtractor: expected a torch.nn.Module CNN, got {type(cnn).__name__}.")
    if not isinstance(cnn, nn.Sequential) and isinstance(getattr(cnn, "features", None), nn.Sequential):
        cnn = cnn.features  # torchvision VGG / AlexNet: the convolutional part
    children = list(cnn.named_children())
    if not children:
        raise ValueError(f"FeatureExtractor: {type(cnn).__name__} has no child modules to read features from.")
    return children


def _without_inplace(module: nn.Module, pooling: str) -> nn.Module:
    """A view of ``module`` safe to read: in-place activations would overwrite the captured features."""
    if pooling == "avg" and isinstance(module, nn.MaxPool2d):
        # Gatys et al. found average pooling gives slightly more appealing images
        return nn.AvgPool2d(module.kernel_size, module.stride, module.padding, module.ceil_mode)
    if getattr(module, "inplace", False):
        module = copy.copy(module)  # shares the parameters, leaves the caller's module untouched
        module.inplace = False
    return module


def vgg_style_names(modules: list[nn.Module]) -> list[str | None]:
    """VGG paper names (``conv1_1``, ``relu1_1``, ``pool1``, ...) for a flat list of layers; None elsewhere."""
    names: list[str | None] = []
    block, conv = 1, 0
    for module in modules:
        name = None
        if isinstance(module, nn.Conv2d):
            conv += 1
            name = f"conv{block}_{conv}"
        elif isinstance(module, _ACTIVATIONS) and conv:
            name = f"relu{block}_{conv}"
        elif isinstance(module, nn.BatchNorm2d) and conv:
            name = f"bn{block}_{conv}"
        elif isinstance(module, _POOLS):
            name = f"pool{block}"
            block, conv = block + 1, 0
        names.append(name)
    return names


class FeatureExtractor(nn.Module):
    """Runs a CNN on images in ``[0, 1]`` and returns the feature maps of the requested layers.

    Any CNN made of modules applied one after the other works: an ``nn.Sequential``, a model with a
    ``.features`` Sequential (torchvision VGG), or a module whose children run in order (a ResNet up to
    ``layer4``). The CNN's parameters are shared, not copied; it is put in eval mode.

    Args:
        cnn: the network.
        layers: the layers returned when ``forward`` is called without ``layers``.
        trained: True for trained weights, False for random ones (warns that the features are
            untrained), None when unknown.
        description: what the CNN is, for messages; a default is built from ``trained``.
        normalize: subtract the ImageNet mean and divide by its std first (what VGG19 was trained on).
        pooling: ``"max"`` keeps the CNN's pooling; ``"avg"`` swaps max pooling for average pooling.
    """

    def __init__(
        self,
        cnn: nn.Module,
        layers=None,
        *,
        trained: bool | None = None,
        description: str | None = None,
        normalize: bool = True,
        pooling: str = "max",
    ):
        super().__init__()
        if pooling not in ("max", "avg"):
            raise ValueError(f"FeatureExtractor: pooling {pooling!r} is unknown; use 'max' or 'avg'.")
        children = _children(cnn)
        self.body = nn.Sequential(OrderedDict((name, _without_inplace(m, pooling)) for name, m in children))
        vgg_names = vgg_style_names([m for _, m in children])
        self.layer_names = tuple(v or name for v, (name, _) in zip(vgg_names, children))
        self._index = {name: i for i, (name, _) in enumerate(children)}
        self._index.update({v: i for i, v in enumerate(vgg_names) if v})
        self.normalize = normalize
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.trained = trained
        self.description = description or self._describe(cnn, trained)
        if trained is False and UNTRAINED_NOTE not in self.description:
            self.description += f": {UNTRAINED_NOTE}"
        self.layers = tuple(layers) if layers is not None else ()
        self.config_defaults: dict = {}  # StyleConfig fields this CNN needs; VGG19's are StyleConfig's own
        for layer in self.layers:
            self.resolve(layer)  # fail now, not in the middle of a run
        self.eval()
        if trained is False:
            warnings.warn(f"Style transfer with {self.description}.", UserWarning, stacklevel=2)

    @staticmethod
    def _describe(cnn: nn.Module, trained: bool | None) -> str:
        kind = type(cnn).__name__
        if trained is False:
            return f"a {kind} with random weights"
        if trained:
            return f"a trained {kind}"
        return f"a user-supplied {kind} with the weights it has (if they are random, {UNTRAINED_NOTE})"

    def resolve(self, layer: str | int) -> int:
        """Index into ``self.body`` of a layer given by VGG-style name, child name or index."""
        if isinstance(layer, int) and not isinstance(layer, bool):
            if 0 <= layer < len(self.body):
                return layer
            raise ValueError(
                f"FeatureExtractor: layer index {layer} is out of range; the CNN has {len(self.body)} layers (0..{len(self.body) - 1})."
            )
        if layer in self._index:
            return self._index[layer]
        raise ValueError(
            f"FeatureExtractor: unknown layer {layer!r}; valid names are {', '.join(self.layer_names)} (or an index)."
        )

    def forward(self, images: torch.Tensor, layers=None) -> dict:
        """Feature maps of ``layers`` (default: those given at construction).

        Args:
            images: ``(N, 3, H, W)`` float in ``[0, 1]``.
            layers: layer names or indices.

        Returns:
            ``{layer: (N, C_l, H_l, W_l)}`` keyed by the layers exactly as given.
        """
        layers = tuple(layers) if layers is not None else self.layers
        if not layers:
            raise ValueError("FeatureExtractor: no layers requested; pass layers=[...] here or at construction.")
        if images.dim() != 4 or (self.normalize and images.shape[1] != 3):
            raise ValueError(f"FeatureExtractor: expected RGB images (N, 3, H, W), got shape {tuple(images.shape)}.")
        indices = [self.resolve(layer) for layer in layers]
        x = (images - self.mean) / self.std if self.normalize else images
        outputs = {}
        for index, module in enumerate(self.body[: max(indices) + 1]):
            x = module(x)
            if index in indices:
                outputs[index] = x
        return {layer: outputs[index] for layer, index in zip(layers, indices)}
