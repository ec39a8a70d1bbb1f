"""Models chosen by name: a small registry in the shape of torchvision's ``models/_api.py``.

Each builder registers itself with the facts the README table needs (paper, strides, what differs from
the paper), so ``bench/model_table.py`` reads them here instead of repeating them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from workbench.models.weights import load_encoder_weights, resolve_encoder_weights
from workbench.registry import Registry


@dataclass(frozen=True)
class ModelInfo:
    """What the registry knows about one model besides its builder."""

    name: str
    builder: Callable[..., nn.Module]
    paper: str  # short citation: authors, title, venue and year
    output_stride: int  # input size / size of the deepest encoder features (DeepLab's definition)
    logit_stride: int  # input size / size of the map the classifier scores, before the last upsampling
    differs: str  # what this implementation does differently from the paper


MODELS: Registry[ModelInfo] = Registry("model")


def register_model(name: str, *, paper: str, output_stride: int, logit_stride: int, differs: str):
    """Decorator adding a builder ``fn(*, num_classes, encoder, encoder_weights, **kw)`` under ``name``.

    Raises:
        ValueError: when ``name`` is already registered.
    """

    def wrapper(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        MODELS.add(name, ModelInfo(name, fn, paper, output_stride, logit_stride, differs))
        return fn

    return wrapper


def list_models(pattern: str | None = None) -> list[str]:
    """Sorted names of the registered models, optionally filtered by a glob such as ``"fcn*"``."""
    return MODELS.names(pattern)


def get_model_info(name: str) -> ModelInfo:
    """The registry entry of ``name``.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    return MODELS.get(name)


def create_model(
    name: str,
    num_classes: int,
    *,
    encoder: str = "resnet18",
    encoder_weights: str | None = None,
    **kw,
) -> nn.Module:
    """Build a registered segmentation model.

    Every model maps images ``(N, 3, H, W)`` to logits ``(N, num_classes, H, W)`` at the input size, for
    any ``H`` and ``W``.

    Args:
        name: one of :func:`list_models`.
        num_classes: number of output channels (classes, void excluded).
        encoder: backbone name, e.g. ``"resnet18"``, ``"resnet34"``, ``"resnet50"``.
        encoder_weights: ``None`` (random init; nothing is downloaded), ``"imagenet"`` (downloaded by
            torchvision or segmentation-models-pytorch, so only where the machine can fetch), or the path of
            a local ``.safetensors`` / ``.pth`` / ``.pt`` file holding a torchvision-style encoder state dict
            (an ``fc.`` classifier head in it is dropped).
        **kw: passed on to the builder (e.g. ``encoder_output_stride=16`` for ``deeplabv3``).

    Returns:
        The model, in training mode.

    Raises:
        ValueError: for an unknown name, a bad ``num_classes`` or ``encoder_weights``, or a weights file
            whose keys or shapes do not fit the encoder.
    """
    info = get_model_info(name)
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}.")
    weights = resolve_encoder_weights(encoder_weights)
    pretrained = "imagenet" if weights == "imagenet" else None
    model = info.builder(num_classes=num_classes, encoder=encoder, encoder_weights=pretrained, **kw)
    if weights not in (None, "imagenet"):
        load_encoder_weights(model.encoder, weights, ignore_prefixes=_ignored_prefixes(model))
    return model


def _ignored_prefixes(model: nn.Module) -> tuple[str, ...]:
    # The classifier head is never part of an encoder; some adapters also drop unused encoder stages.
    return ("fc.",) + tuple(f"{stage}." for stage in getattr(model, "dropped_encoder_stages", ()))
