"""VGG19 feature extractors (Simonyan and Zisserman, ICLR 2015), the network Gatys et al. use.

Nothing downloads unless asked. ImageNet weights come from a file the user passes, from torchvision's
cache when an earlier ``torchvision.models.vgg19(weights="IMAGENET1K_V1")`` left them there, or, opt-in,
from ``download_vgg19()`` / ``weights="download"`` (548 MB, once, into that cache). Without weights,
``create_extractor(allow_random=True)`` uses random multi-scale shallow filters
(:class:`~workbench.style.texture.TextureFeatures`), which still transfer texture; ``random_vgg19_features``
gives a narrow VGG19 with random weights: the same layer names, the same mechanics, untrained features.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlparse

import torch
from torch import nn
from torchvision.models import VGG19_Weights

from workbench.style.config import GATYS_CONTENT_LAYER, GATYS_STYLE_LAYERS
from workbench.style.features import FeatureExtractor
from workbench.style.texture import TextureFeatures

VGG19_WIDTHS = (64, 128, 256, 512, 512)  # channels of the five blocks
VGG19_DEPTHS = (2, 2, 4, 4, 4)  # convolutions per block ("configuration E")
VGG19_FILENAME = Path(urlparse(VGG19_Weights.IMAGENET1K_V1.url).path).name  # vgg19-dcbb9e9d.pth
GATYS_LAYERS = (GATYS_CONTENT_LAYER, *(layer for layer, _ in GATYS_STYLE_LAYERS))
VGG19_MEGABYTES = round(VGG19_Weights.IMAGENET1K_V1.meta.get("_file_size", 548.051))  # the whole classifier
DOWNLOAD = "download"  # weights=DOWNLOAD: fetch torchvision's file into its cache first (opt-in)


class WeightsNotFoundError(FileNotFoundError):
    """No VGG19 weights file was given or found in torchvision's cache."""


def vgg19_layers(widths=VGG19_WIDTHS) -> nn.Sequential:
    """VGG19's convolutional part with the layer order of torchvision's ``vgg19().features``.

    Args:
        widths: channels of the five blocks; ``VGG19_WIDTHS`` gives the real network.

    Returns:
        ``nn.Sequential`` of 37 layers (conv 3x3, ReLU, ..., max pool), randomly initialised.
    """
    layers, in_channels = [], 3
    for width, depth in zip(widths, VGG19_DEPTHS):
        for _ in range(depth):
            layers += [nn.Conv2d(in_channels, width, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            in_channels = width
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def cached_vgg19_path() -> Path:
    """Where torchvision keeps downloaded VGG19 weights: ``torch.hub.get_dir()/checkpoints/vgg19-dcbb9e9d.pth``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG19_FILENAME


def download_vgg19(*, progress: bool = True) -> Path:
    """Download torchvision's VGG19 ImageNet weights (548 MB) into torch's cache, unless already there.

    The file is ``torchvision.models.VGG19_Weights.IMAGENET1K_V1``'s, checked against the hash in its
    name, at :func:`cached_vgg19_path` (where torchvision itself would keep it), so that every later run
    finds it without a network. Only called when asked (``weights="download"``).

    Returns:
        The path of the weights file.
    """
    path = cached_vgg19_path()
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    print(
        f"Downloading torchvision's VGG19 ImageNet weights ({VGG19_MEGABYTES} MB) into {path}; "
        "later runs read them from there."
    )
    hash_prefix = torch.hub.HASH_REGEX.search(path.name).group(1)
    torch.hub.download_url_to_file(
        VGG19_Weights.IMAGENET1K_V1.url, str(path), hash_prefix=hash_prefix, progress=progress
    )
    return path


def _missing_weights_message(cache: Path) -> str:
    return (
        f"No VGG19 weights on this machine: {cache} does not exist, and nothing is downloaded unless asked: "
        f"weights='download' fetches torchvision's file ({VGG19_MEGABYTES} MB) into that cache. Or pass "
        f"torchvision's VGG19 ImageNet state dict as a file, vgg19_features(weights='path/{VGG19_FILENAME}') "
        "(.pth or .safetensors; on a machine with internet, torchvision.models.vgg19(weights='IMAGENET1K_V1') "
        "puts it in that cache), or use another CNN: FeatureExtractor(my_cnn), or random_vgg19_features() "
        "for random weights that show the mechanics but not the artistic quality."
    )


def read_vgg19_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Load VGG19 convolution weights from a torchvision state dict (``.pth`` or ``.safetensors``).

    Accepts the full classifier's keys (``features.0.weight``, ...; the classifier is ignored) or a
    features-only state dict (``0.weight``, ...). ``.pth`` files are read with ``weights_only=True``.

    Returns:
        The state dict of :func:`vgg19_layers`, keys ``"0.weight"``, ``"0.bias"``, ...
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsNotFoundError(
            f"VGG19 weights file {path} does not exist; check the path, or see vgg19_features for other options."
        )
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(path)
        else:
            # mmap reads only the convolution tensors (80 of the 548 MB); old-format files cannot be mapped
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except Exception as err:  # torch and safetensors raise many kinds for a damaged file
        raise ValueError(
            f"Could not read VGG19 weights from {path}: {err}. Pass a torchvision VGG19 state dict saved with torch.save or safetensors."
        ) from err
    if not isinstance(state, dict):
        raise ValueError(
            f"{path} holds a {type(state).__name__}, not a state dict; save model.state_dict(), not the model."
        )
    features = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
    return features or state


def _load_vgg19(path: Path) -> nn.Sequential:
    body = vgg19_layers()
    state = read_vgg19_state_dict(path)
    try:
        body.load_state_dict(state)
    except RuntimeError as err:
        raise ValueError(f"{path} is not a VGG19 state dict (torchvision layout expected): {err}") from err
    return body


def vgg19_features(weights: str | Path | None = None, *, layers=GATYS_LAYERS, pooling: str = "max") -> FeatureExtractor:
    """Torchvision's VGG19 with ImageNet weights, as a :class:`FeatureExtractor`.

    Args:
        weights: a VGG19 state dict file; None looks in torchvision's cache (:func:`cached_vgg19_path`);
            ``"download"`` downloads torchvision's file (548 MB) into that cache first, unless it is there.
        layers: layers returned by default (Gatys et al.'s content and style layers).
        pooling: ``"max"`` as trained, or ``"avg"`` as Gatys et al. prefer for synthesis.

    Raises:
        WeightsNotFoundError: no file given and none cached; the message lists what to do instead.
    """
    if weights == DOWNLOAD:
        weights = download_vgg19()
    if weights is None:
        weights = cached_vgg19_path()
        if not weights.is_file():
            raise WeightsNotFoundError(_missing_weights_message(weights))
    body = _load_vgg19(Path(weights))
    description = f"torchvision VGG19 with ImageNet weights from {weights}"
    return FeatureExtractor(body, layers, trained=True, description=description, pooling=pooling)


def random_vgg19_features(
    *, base_width: int = 8, seed: int = 0, layers=GATYS_LAYERS, pooling: str = "max"
) -> FeatureExtractor:
    """A narrow VGG19 with random (Kaiming-normal) weights; warns that its features are untrained.

    Random convolutional features still capture some texture statistics (Ustyuzhaninov et al., 2017,
    "What does it take to generate natural textures?"), so the losses fall and the image changes, but the
    result is not the painting-like transfer of a trained VGG19. Fast enough for a laptop CPU.

    Args:
        base_width: channels of the first block; blocks have 1, 2, 4, 8, 8 times that (64 is VGG19).
        seed: seeds the weights.
    """
    body = vgg19_layers(tuple(base_width * k for k in (1, 2, 4, 8, 8)))
    generator = torch.Generator().manual_seed(seed)
    for module in body:
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu", generator=generator)
            nn.init.zeros_(module.bias)
    description = f"a VGG19-shaped CNN (base width {base_width}, seed {seed}) with random weights"
    return FeatureExtractor(body, layers, trained=False, description=description, pooling=pooling)


def create_extractor(
    cnn: nn.Module | None = None, *, weights: str | Path | None = None, layers=None, allow_random: bool = False
) -> FeatureExtractor | TextureFeatures:
    """The extractor to use: the CNN given, else VGG19 weights (file, cache or download), else random filters.

    Every extractor has ``description`` (say it once, where the result is shown) and ``config_defaults``
    (the :class:`~workbench.style.StyleConfig` fields it needs: ``StyleConfig(**extractor.config_defaults)``).

    Args:
        cnn: any CNN (see :class:`FeatureExtractor`); it wins over ``weights``.
        weights: a VGG19 state dict file, or ``"download"`` (548 MB into torch's cache, once; opt-in).
        layers: layers returned by default; None: Gatys et al.'s for VGG19, none for ``cnn``.
        allow_random: when no VGG19 weights exist (and none were named), use random multi-scale shallow
            filters (:class:`~workbench.style.texture.TextureFeatures`, which transfer texture without
            training) instead of raising.
    """
    if cnn is not None:
        return FeatureExtractor(cnn, layers)
    layers = GATYS_LAYERS if layers is None else layers
    try:
        return vgg19_features(weights, layers=layers)
    except WeightsNotFoundError:
        if weights is not None or not allow_random:
            raise
    return TextureFeatures()
