"""The vectorised per-image statistics equal the plain scipy reference on random masks of awkward sizes.

The sizes put the BF tolerance reach (floor of theta) at 0, 1 and several pixels and the Boundary IoU band
at 1 and several pixels; the class counts cover one and several groups of 8 classes in the bit matching and
the matching by labels (63 classes or more); the predictions range from near-perfect (most edge pixels
matched in the first rows of the disc) to random (most never matched).
"""

import metrics_reference as reference
import numpy as np
import pytest
import torch

from workbench.metrics import evaluate

VOID = 255

CASES = {  # name: (height, width, num_classes, void share, prediction)
    "one_row": (1, 37, 3, 0.1, "noisy"),
    "one_column": (41, 1, 3, 0.1, "noisy"),
    "all_void": (29, 31, 5, 1.0, "shifted"),
    "reach_0": (63, 95, 11, 0.1, "shifted"),
    "reach_1": (131, 97, 19, 0.1, "shifted"),
    "reach_4": (401, 523, 19, 0.1, "shifted"),
    "eight_groups_random": (211, 173, 62, 0.05, "random"),
    "by_labels": (157, 203, 70, 0.05, "shifted"),
}


def make_maps(rng, height, width, num_classes, void_share, prediction):
    """``(preds, targets)`` int64 ``(2, H, W)``: blocks of random sizes and thin lines, some void."""
    targets = np.empty((2, height, width), dtype=np.int64)
    for target in targets:
        cell = int(rng.integers(2, 24))
        coarse = rng.integers(0, num_classes, (height // cell + 1, width // cell + 1))
        target[:] = np.kron(coarse, np.ones((cell, cell), dtype=np.int64))[:height, :width]
        target[:, rng.integers(0, width, 3)] = rng.integers(0, num_classes)  # one-pixel lines
        target[rng.random((height, width)) < void_share] = VOID
    if prediction == "random":
        return rng.integers(0, num_classes, targets.shape), targets
    preds = np.roll(targets, (int(rng.integers(-3, 4)), int(rng.integers(-3, 4))), axis=(1, 2)).copy()
    flips = rng.random(preds.shape) < (0.1 if prediction == "noisy" else 0.01)
    preds[flips] = rng.integers(0, num_classes, int(flips.sum()))
    preds[preds == VOID] = rng.integers(0, num_classes, int((preds == VOID).sum()))
    return preds, targets


@pytest.mark.parametrize("name", sorted(CASES))
def test_per_image_statistics_equal_the_reference(name):
    height, width, num_classes, void_share, prediction = CASES[name]
    preds, targets = make_maps(np.random.default_rng(len(name)), height, width, num_classes, void_share, prediction)
    stats = evaluate(torch.as_tensor(preds), torch.as_tensor(targets), num_classes).image_stats
    for i, (pred, target) in enumerate(zip(preds, targets)):
        inter, union = reference.boundary_iou_image(pred, target, num_classes, VOID)
        np.testing.assert_array_equal(
            stats.counts["boundary_inter"][i], inter, err_msg=f"{name}: image {i} band intersections"
        )
        np.testing.assert_array_equal(
            stats.counts["boundary_union"][i], union, err_msg=f"{name}: image {i} band unions"
        )
        bf = reference.bf_image(pred, target, num_classes, VOID)
        np.testing.assert_allclose(stats.counts["bf"][i], bf, rtol=0, atol=1e-12, err_msg=f"{name}: image {i} BF")
    if void_share < 1:  # the cases score something: partial matches, not only 0, 1 and NaN
        assert np.any((stats.counts["bf"] > 0) & (stats.counts["bf"] < 1)) and stats.counts["boundary_union"].sum() > 0
    else:
        assert np.isnan(stats.counts["bf"]).all() and stats.counts["boundary_union"].sum() == 0
