"""Neural style transfer by optimising the image itself (Gatys, Ecker, Bethge, CVPR 2016).

Starting from the content image (or noise), the pixels are changed by L-BFGS or Adam so that a CNN's
deep features match the content image's and its Gram matrices match the style image's. Every
``stage_every`` steps a snapshot ("stage") keeps the image, its losses and its Gram matrices, so that a
widget can replay the run without computing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch

from workbench.progress_bar import tqdm
from workbench.style.config import StyleConfig
from workbench.style.features import FeatureExtractor
from workbench.style.images import as_image_batch, resize_longer_side
from workbench.style.losses import content_loss, gram_matrix, style_loss, total_variation

MAX_EVALS = 20  # loss evaluations per L-BFGS step (its line search); torch's default would allow only 1


@dataclass(frozen=True)
class Stage:
    """A snapshot of the image being optimised.

    Attributes:
        step: optimiser steps taken before this image (0 is the start).
        image: ``(3, H, W)`` float32 in [0, 1], on the CPU.
        losses: weighted terms as floats: ``total``, ``content``, ``style`` (the sum of ``style/<layer>``),
            ``style/<layer>`` for each style layer, and ``tv``; ``total = content + style + tv``.
        grams: ``{layer: (C, C) float32 array}``, the image's Gram matrix at each style layer.
    """

    step: int
    image: torch.Tensor
    losses: dict[str, float]
    grams: dict


@dataclass(frozen=True)
class StyleResult:
    """Everything a style-transfer run produced.

    Attributes:
        image: the final ``(3, H, W)`` image in [0, 1], on the CPU.
        stages: snapshots at steps 0, k, 2k, ... and the last step.
        history: one row per step (index ``step``, ``0..steps``), a column per loss term of :class:`Stage`.
        style_grams: ``{layer: (C, C) float32 array}``, the style image's Gram matrices (the targets).
        content: the ``(3, H, W)`` content image as used (resized), on the CPU.
        style: the ``(3, H, W)`` style image as used, on the CPU.
        config: the settings of the run.
        extractor: what produced the features (e.g. whether its weights are trained).
    """

    image: torch.Tensor
    stages: list[Stage]
    history: pd.DataFrame
    style_grams: dict
    content: torch.Tensor
    style: torch.Tensor
    config: StyleConfig
    extractor: str


def style_distance(extractor, image, style, layers=None) -> float:
    """The unweighted style loss of ``image`` against ``style``: the sum over ``layers`` of ``style_loss``.

    To judge a run, measure the result and the content image with an extractor the run did not optimise
    (e.g. ``TextureFeatures(seed=7)``): the ratio says how far the texture statistics moved towards the
    style's, not only the numbers the optimiser saw.

    Args:
        extractor: a :class:`FeatureExtractor` or :class:`~workbench.style.texture.TextureFeatures`.
        image: ``(3, H, W)`` or ``(1, 3, H, W)`` in [0, 1].
        style: the same, of any size.
        layers: the layers to compare; None: the extractor's own ``layers``.
    """
    image, style = as_image_batch(image, name="image"), as_image_batch(style, name="style")
    layers = list(layers if layers is not None else extractor.layers)
    with torch.no_grad():
        ours, theirs = extractor(image, layers), extractor(style.to(image.device), layers)
        return float(sum(style_loss(ours[k], gram_matrix(theirs[k])) for k in layers))


def _features(extractor: FeatureExtractor, image: torch.Tensor, layers: list, name: str) -> dict:
    try:
        return extractor(image, layers)
    except torch.OutOfMemoryError:
        raise
    except RuntimeError as err:  # pooling past a 1-pixel map is the usual cause
        size = "x".join(map(str, image.shape[-2:]))
        raise ValueError(
            f"Style transfer: the {name} image ({size} pixels) is too small for layers {layers} of this CNN "
            f"({err}); use a larger image or image_size, or shallower layers."
        ) from err


def _objective(extractor: FeatureExtractor, content: torch.Tensor, style: torch.Tensor, config: StyleConfig):
    """The loss function of the image, with the content features and style Grams computed once."""
    style_layers = [layer for layer, _ in config.style_layers]
    with torch.no_grad():
        content_target = _features(extractor, content, [config.content_layer], "content")[config.content_layer]
        targets = {layer: gram_matrix(f) for layer, f in _features(extractor, style, style_layers, "style").items()}

    def losses(image: torch.Tensor) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        # scored as shown, in [0, 1]; the variable itself stays unconstrained for L-BFGS (see _take_step)
        image = image.clamp(0, 1)
        features = extractor(image, config.layers)
        per_layer = {
            f"style/{layer}": config.style_weight * weight * style_loss(features[layer], targets[layer])
            for layer, weight in config.style_layers
        }
        terms = {"content": config.content_weight * content_loss(features[config.content_layer], content_target)}
        terms["style"] = torch.stack(list(per_layer.values())).sum()
        terms["tv"] = config.tv_weight * total_variation(image)
        terms["total"] = terms["content"] + terms["style"] + terms["tv"]
        return {"total": terms.pop("total"), **terms, **per_layer}, features

    return losses, targets


def _grams(features: dict, config: StyleConfig) -> dict:
    return {layer: gram_matrix(features[layer].detach())[0].float().cpu().numpy() for layer, _ in config.style_layers}


def _stage(step: int, image: torch.Tensor, terms: dict, features: dict, config: StyleConfig) -> Stage:
    losses = {name: value.item() for name, value in terms.items()}
    return Stage(step, image.detach()[0].clamp(0, 1).float().cpu(), losses, _grams(features, config))


def _optimizer(image: torch.Tensor, config: StyleConfig) -> torch.optim.Optimizer:
    if config.optimizer == "adam":
        return torch.optim.Adam([image], lr=config.learning_rate)
    # one iteration per step, so that steps count alike for both optimisers; the strong-Wolfe line search
    # (up to MAX_EVALS loss evaluations a step) keeps L-BFGS from overshooting when the weights are large
    return torch.optim.LBFGS(
        [image], lr=config.learning_rate, max_iter=1, max_eval=MAX_EVALS, line_search_fn="strong_wolfe"
    )


def _take_step(optimizer, image, losses, step: int, want_stage: bool, config: StyleConfig):
    """One optimiser step; returns the losses (and the stage, if wanted) of the image before it."""
    seen = {}

    def closure():
        terms, features = losses(image)
        if not torch.isfinite(terms["total"]):
            raise FloatingPointError(
                f"Style transfer: the loss became {terms['total'].item()} at step {step}; lower lr "
                f"(now {config.learning_rate}) or the loss weights, or try optimizer='lbfgs'."
            )
        (image.grad,) = torch.autograd.grad(terms["total"], image)
        if not seen:  # L-BFGS's line search calls again at trial points; the first call is at the image
            seen["terms"] = {name: value.detach() for name, value in terms.items()}
            seen["stage"] = _stage(step, image, terms, features, config) if want_stage else None
        return terms["total"]

    optimizer.step(closure)
    if config.optimizer == "adam":
        with torch.no_grad():
            # projected gradient descent keeps Adam's pixels in [0, 1]; L-BFGS is not projected, as that
            # would break its curvature model: its loss reads the clamped image instead
            image.clamp_(0, 1)
    return seen["terms"], seen["stage"]


def _prepare(content, style, config: StyleConfig) -> tuple[torch.Tensor, torch.Tensor]:
    content = as_image_batch(content, name="content")
    style = as_image_batch(style, name="style").to(content.device)
    if config.image_size is not None:
        content, style = (resize_longer_side(x, config.image_size) for x in (content, style))
    return content, style


def _start(content: torch.Tensor, config: StyleConfig) -> torch.Tensor:
    if config.init == "content":
        return content.clone(memory_format=torch.contiguous_format).requires_grad_(True)  # L-BFGS views .grad flat
    generator = torch.Generator().manual_seed(config.seed)
    return torch.rand(content.shape, generator=generator).to(content.device).requires_grad_(True)


def transfer(
    content, style, *, extractor: FeatureExtractor, config: StyleConfig | None = None, progress: bool = True
) -> StyleResult:
    """Paint the content image in the style of the style image (Gatys et al., CVPR 2016).

    Runs where the content tensor lives (CPU or CUDA), in float32; the extractor is moved there.

    Args:
        content: path, PIL image, or ``(3, H, W)`` / ``(1, 3, H, W)`` tensor in [0, 1] (or uint8).
        style: the same kinds; its size may differ from the content's.
        extractor: the CNN features, e.g. :func:`vgg19_features` or :func:`random_vgg19_features`.
        config: settings; None uses :class:`StyleConfig` defaults.
        progress: show a tqdm progress bar.

    Returns:
        A :class:`StyleResult` with the final image, the stages, per-step losses and the style Grams.
    """
    config = config or StyleConfig()
    content, style = _prepare(content, style, config)
    extractor = extractor.to(content.device)
    losses, targets = _objective(extractor, content, style, config)
    rows, stages = _optimise(_start(content, config), losses, config, progress)
    history = pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="step"))
    grams = {layer: g[0].float().cpu().numpy() for layer, g in targets.items()}
    return StyleResult(
        stages[-1].image, stages, history, grams, content[0].cpu(), style[0].cpu(), config, extractor.description
    )


def _optimise(image: torch.Tensor, losses, config: StyleConfig, progress: bool) -> tuple[list[dict], list[Stage]]:
    """The optimisation loop: per-step loss rows (steps + 1, the last after the final step) and the stages."""
    optimizer = _optimizer(image, config)
    rows, stages = [], []
    bar = tqdm(
        range(config.steps), desc="style transfer", leave=False, disable=not progress
    )  # the cell prints the result
    for step in bar:
        terms, stage = _take_step(optimizer, image, losses, step, step % config.stage_every == 0, config)
        rows.append(dict(zip(terms, torch.stack(list(terms.values())).tolist())))  # one device sync per step
        stages += [stage] if stage else []
        bar.set_postfix(loss=f"{rows[-1]['total']:.4g}", refresh=False)
    with torch.no_grad():
        terms, features = losses(image)
    stages.append(_stage(config.steps, image, terms, features, config))
    rows.append(stages[-1].losses)
    return rows, stages
