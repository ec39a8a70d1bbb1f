"""Chance levels and the near-chance flag: pixel counts, the 1.5x rule, the sentence shown to readers."""

import math

import numpy as np
import pytest
import torch

from workbench.metrics import NEAR_CHANCE, against_chance, chance_note, chance_sentence, class_pixel_counts, near_chance


def test_class_pixel_counts_match_a_python_count():
    rng = np.random.default_rng(0)
    masks = [rng.choice([0, 1, 2, 255], size=(5, 7)).astype(np.uint8) for _ in range(3)]
    expected = [sum(int((m == c).sum()) for m in masks) for c in range(4)]
    counts = class_pixel_counts([torch.from_numpy(masks[0]).long(), *masks[1:]], num_classes=4)
    assert counts.tolist() == expected and counts.dtype == np.int64


def test_a_value_outside_the_classes_is_named():
    with pytest.raises(ValueError, match="mask value 7 is neither a class id"):
        class_pixel_counts([np.array([[0, 7], [255, 1]])], num_classes=3)


@pytest.mark.parametrize(
    "miou, chance, flagged",
    [
        (0.16, 0.111, True),
        (0.1665, 0.111, False),
        (0.1664, 0.111, True),
        (0.4, 0.111, False),
        (math.nan, 0.111, False),
        (0.1, math.nan, False),
        (None, 0.111, False),
    ],
)
def test_near_chance_is_below_one_and_a_half_times_the_majority_level(miou, chance, flagged):
    assert near_chance(miou, chance) is flagged
    assert chance_note(miou, chance) == (NEAR_CHANCE if flagged else "")


def test_the_sentence_states_both_levels_and_the_threshold():
    text = chance_sentence({"majority": 0.111, "uniform": 0.045}, background="background")
    assert "0.111 by painting background everywhere" in text and "0.045" in text
    assert "1.5 x 0.111 = 0.167" in text and NEAR_CHANCE in text


def test_against_chance_gives_the_multiple_and_the_flag():
    assert against_chance(0.403, 0.111) == "0.403 (3.6 x chance)"
    assert against_chance(0.12, 0.111) == f"0.120 (1.1 x chance): {NEAR_CHANCE}"
    assert against_chance(0.3, math.nan) == "0.300"
