"""Chance levels: what a predictor that ignores the image scores, and the flag for a model that is no better.

A model whose mIoU is below ``NEAR_CHANCE_FACTOR`` times the majority-class chance level has not learned
the task yet (a short run on a CPU, a learning rate off by 10x...). Every place that shows scores (the
comparison table, the command line, the notebooks, the review report) marks it with ``NEAR_CHANCE``
through ``chance_note``, so that the rule is stated once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

NEAR_CHANCE_FACTOR = 1.5  # mIoU below this multiple of the majority-class chance level is flagged
NEAR_CHANCE = "near chance: train longer"


def chance_miou(class_counts: Sequence[int]) -> dict[str, float]:
    """mIoU of two predictors that ignore the image, from the target's pixel count per class.

    ``majority``: the most frequent class everywhere (IoU n_k / N for it, 0 for the other present classes).
    ``uniform``: a uniformly random class per pixel, scored on its expected confusion matrix
    ``CM[c, j] = n_c / C`` (every class is then predicted somewhere, so all C classes count).
    """
    counts = np.asarray(class_counts, dtype=np.float64)
    total, num_classes = counts.sum(), len(counts)
    if total == 0:
        return {"majority": float("nan"), "uniform": float("nan")}
    majority = counts.max() / total / np.count_nonzero(counts)
    uniform_iou = (counts / num_classes) / (counts + total / num_classes - counts / num_classes)
    return {"majority": float(majority), "uniform": float(uniform_iou.mean())}


def class_pixel_counts(masks: Iterable, num_classes: int, ignore_index: int = 255) -> np.ndarray:
    """Pixels per class over target masks (arrays or tensors of class ids), ``ignore_index`` left out.

    Returns:
        int64 ``(num_classes,)``: what ``chance_miou`` takes, known before any model is trained.

    Raises:
        ValueError: a mask value that is neither a class id nor ``ignore_index``.
    """
    counts = np.zeros(num_classes, dtype=np.int64)
    for mask in masks:
        values = np.asarray(mask).ravel()
        values = values[values != ignore_index]
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            bad = values[(values < 0) | (values >= num_classes)][0]
            raise ValueError(
                f"class_pixel_counts: mask value {bad} is neither a class id (0..{num_classes - 1}) nor "
                f"ignore_index {ignore_index}; check the masks or num_classes."
            )
        counts += np.bincount(values.astype(np.int64), minlength=num_classes)
    return counts


def near_chance(miou: float, chance: float) -> bool:
    """Whether ``miou`` is below ``NEAR_CHANCE_FACTOR`` x ``chance`` (False when either is NaN: nothing to judge)."""
    if miou is None or chance is None or math.isnan(miou) or math.isnan(chance):
        return False
    return miou < NEAR_CHANCE_FACTOR * chance


def chance_note(miou: float, chance: float) -> str:
    """``NEAR_CHANCE`` for a score near the chance level, else ``""``: the text shown beside the score."""
    return NEAR_CHANCE if near_chance(miou, chance) else ""


def chance_sentence(chance: dict[str, float], background: str = "the most frequent class") -> str:
    """The chance levels of ``chance_miou`` in words, with the threshold below which a model is flagged."""
    return (
        f"A predictor that ignores the image scores mIoU {chance['majority']:.3f} by painting {background} "
        f"everywhere, and {chance['uniform']:.3f} by guessing a class per pixel at random; a model below "
        f"{NEAR_CHANCE_FACTOR:g} x {chance['majority']:.3f} = {NEAR_CHANCE_FACTOR * chance['majority']:.3f} "
        f'is marked "{NEAR_CHANCE}".'
    )


def against_chance(miou: float, chance: float) -> str:
    """A score with its multiple of the chance level, and the flag when it applies: ``"0.403 (3.6 x chance)"``."""
    text = f"{miou:.3f} ({miou / chance:.1f} x chance)" if chance and chance == chance else f"{miou:.3f}"
    note = chance_note(miou, chance)
    return f"{text}: {note}" if note else text
