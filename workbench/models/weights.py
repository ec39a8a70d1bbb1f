"""Encoder weights from a local file: read a state dict and load it with errors that name the file; and where
torchvision keeps the ImageNet weights it downloaded, so that a notebook can use them offline."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import torch
import torchvision
from torch import nn

SUFFIXES = (".safetensors", ".pth", ".pt")
_SHOWN = 5  # how many offending keys an error message lists


def resolve_encoder_weights(encoder_weights: str | os.PathLike | None) -> str | Path | None:
    """Check the ``encoder_weights`` argument of ``create_model``.

    Returns:
        ``None``, ``"imagenet"``, or the :class:`~pathlib.Path` of an existing local file.

    Raises:
        ValueError: for anything else, saying which values are accepted.
    """
    if encoder_weights is None or encoder_weights == "imagenet":
        return encoder_weights
    if isinstance(encoder_weights, (str, os.PathLike)) and Path(encoder_weights).is_file():
        return Path(encoder_weights)
    raise ValueError(
        f"encoder_weights={encoder_weights!r} is neither None, 'imagenet' nor an existing file. Pass None "
        f"for random init (nothing downloaded), 'imagenet' to download, or the path of a local "
        f"{'/'.join(SUFFIXES)} file holding the encoder's state dict."
    )


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a state dict from ``.safetensors`` or (without unpickling code) from ``.pth`` / ``.pt``.

    Raises:
        ValueError: for another suffix, an unreadable file, or content that is not names -> tensors.
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ValueError(f"{path}: unknown weights format {path.suffix!r}; use one of {', '.join(SUFFIXES)}.")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(path, device="cpu")
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # safetensors, pickle and zip errors share no base class
        message = f"{path}: cannot read weights ({error}). Is it a complete {path.suffix} file?"
        raise ValueError(message) from error
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        found = list(state)[:_SHOWN] if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"{path}: expected a state dict (parameter names -> tensors), found {found}. "
            f"Save the encoder with e.g. safetensors.torch.save_file(resnet.state_dict(), path)."
        )
    return state


def load_encoder_weights(
    encoder: nn.Module, path: str | os.PathLike, *, ignore_prefixes: tuple[str, ...] = ("fc.",)
) -> None:
    """Copy a torchvision-style state dict from ``path`` into ``encoder``, strictly.

    Args:
        encoder: the model's ``encoder`` (e.g. a ResNet without ``avgpool`` / ``fc``).
        path: ``.safetensors``, ``.pth`` or ``.pt`` file.
        ignore_prefixes: keys starting with these are dropped first (the classifier head, and stages an
            adapter removed because its model never runs them).

    Raises:
        ValueError: when keys are missing or unexpected or shapes differ, naming the file and first keys.
    """
    state = {k: v for k, v in read_state_dict(path).items() if not k.startswith(ignore_prefixes)}
    expected = encoder.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        problems = [
            f"{len(keys)} {kind} keys, e.g. {keys[:_SHOWN]}"
            for kind, keys in (("missing", missing), ("unexpected", unexpected))
            if keys
        ]
        raise ValueError(
            f"{path}: the weights do not fit the {type(encoder).__name__} encoder: {'; '.join(problems)}. "
            f"Save the state dict of the same architecture as the encoder (a torchvision ResNet's, with "
            f"or without its 'fc.' head)."
        )
    wrong = [
        f"{k}: {tuple(v.shape)} in file, {tuple(expected[k].shape)} in model"
        for k, v in state.items()
        if v.shape != expected[k].shape
    ]
    if wrong:
        raise ValueError(
            f"{path}: {len(wrong)} tensor(s) of the wrong shape, e.g. {wrong[:_SHOWN]}. "
            f"Was the file saved from a different encoder depth or width?"
        )
    encoder.load_state_dict(state, strict=True)


def cached_imagenet_weights(encoder: str = "resnet18") -> Path | None:
    """The file of torchvision's ImageNet weights for ``encoder`` when it is already on this machine, else None.

    ``create_model("fcn8s", ..., encoder_weights="imagenet")`` has torchvision download that file once into
    torch's hub cache (``torch.hub.get_dir()/checkpoints``; ``TORCH_HOME`` moves it); this looks there and
    downloads nothing. Passing the path as ``encoder_weights`` loads it without a network.

    Raises:
        ValueError: ``encoder`` is not a torchvision model name (e.g. ``"resnet18"``).
    """
    try:
        url = torchvision.models.get_model_weights(encoder).DEFAULT.url
    except (ValueError, KeyError):
        raise ValueError(
            f"encoder {encoder!r} is not a torchvision model with ImageNet weights; give e.g. 'resnet18'."
        ) from None
    path = Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(url).path).name
    return path if path.is_file() else None
