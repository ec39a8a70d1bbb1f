"""Void is "don't care" for every score: pred' (void where the target is void) for the boundary scores.

A prediction that is right on every non-void pixel scores exactly 1 on every score, whatever it says on
void pixels; and BF's tolerance test is ``<= theta``.
"""

import metrics_reference as reference
import numpy as np
import pytest
from PIL import Image

from workbench.metrics import SCORE_KEYS, evaluate

VOID = 255
MEANS = ("pixel_accuracy", "mean_accuracy", "miou", "fwiou", "mean_dice", "boundary_miou", "boundary_f1")
PER_CLASS = ("accuracy", "iou", "dice", "class_boundary_iou", "class_boundary_f1")


def assert_perfect(scores):
    values = scores.as_dict()
    for key in MEANS:
        assert values[key] == 1.0, key
    for key in PER_CLASS:
        defined = ~np.isnan(values[key])
        assert defined.any() and np.all(values[key][defined] == 1.0), key


def void_hole_scene():
    """A disc of class 1 on class 0, with a void hole inside the disc and a void strip across the edge."""
    yy, xx = np.mgrid[:90, :120]
    target = np.where((yy - 45) ** 2 + (xx - 60) ** 2 < 30**2, 1, 0)
    target[(yy - 45) ** 2 + (xx - 60) ** 2 < 8**2] = VOID
    target[40:44, 20:100] = VOID
    return target


def voc_outline_scene():
    """VOC-style objects: each outlined by a void ring a few pixels wide, as PASCAL VOC masks are."""
    yy, xx = np.mgrid[:100, :140]
    target = np.zeros((100, 140), dtype=np.int64)
    for label, (cy, cx, r) in enumerate([(30, 40, 18), (60, 95, 25), (80, 25, 12)], start=1):
        inside = (yy - cy) ** 2 + (xx - cx) ** 2
        target[inside < (r + 3) ** 2] = VOID
        target[inside < r**2] = label
    return target


def fill_void(target, rng, num_classes):
    """A prediction equal to the target on non-void pixels and anything at all on void pixels."""
    pred = target.copy()
    void = target == VOID
    pred[void] = rng.integers(0, num_classes, void.sum())
    return pred


@pytest.mark.parametrize("scene, num_classes", [(void_hole_scene, 2), (voc_outline_scene, 4)])
def test_right_on_every_non_void_pixel_scores_one(scene, num_classes):
    target = scene()
    rng = np.random.default_rng(0)
    for pred in (fill_void(target, rng, num_classes), np.where(target == VOID, 0, target)):
        assert_perfect(evaluate(pred, target, num_classes))


@pytest.mark.parametrize("scene, num_classes", [(void_hole_scene, 2), (voc_outline_scene, 4)])
def test_void_scenes_match_reference_on_imperfect_predictions(scene, num_classes):
    target = scene()
    rng = np.random.default_rng(1)
    preds = np.stack([np.roll(fill_void(target, rng, num_classes), shift, axis=(0, 1)) for shift in [(2, 1), (-3, 4)]])
    targets = np.stack([target, target])
    got, want = evaluate(preds, targets, num_classes).as_dict(), reference.scores(preds, targets, num_classes)
    for key in SCORE_KEYS:
        np.testing.assert_allclose(got[key], want[key], rtol=0, atol=1e-9, err_msg=key)


def test_prediction_on_void_pixels_changes_nothing():
    target = voc_outline_scene()
    rng = np.random.default_rng(2)
    base = np.roll(np.where(target == VOID, 0, target), (1, 2), axis=(0, 1))
    first = base.copy()
    other = base.copy()
    void = target == VOID
    other[void] = rng.integers(0, 4, void.sum())
    a, b = evaluate(first, target, 4).as_dict(), evaluate(other, target, 4).as_dict()
    for key in SCORE_KEYS:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("shift, want", [(3, 1.0), (4, 0.0)])
def test_bf_tolerance_is_inclusive_at_an_integer_theta(shift, want):
    """240 x 320: diagonal 400, theta = 3.0 exactly. An edge moved by 3 px matches, by 4 px it does not."""
    target = np.zeros((240, 320), dtype=np.int64)
    target[:, 160:] = 1
    pred = np.zeros_like(target)
    pred[:, 160 + shift :] = 1
    scores = evaluate(pred, target, 2)
    np.testing.assert_array_equal(scores.class_boundary_f1, [want, want])
    assert scores.boundary_f1 == want
    np.testing.assert_array_equal(reference.bf_image(pred, target, 2, VOID), [want, want])


@pytest.mark.slow  # all 101 CamVid val masks (360 x 480) with every score: 3-6 s on the shared 2-core CPU
def test_camvid_val_masks_copied_exactly_score_one(camvid_root):
    paths = sorted((camvid_root / "masks" / "val").glob("*.png"))
    targets = np.stack([np.array(Image.open(p)) for p in paths]).astype(np.int64)
    assert (targets == VOID).any(), "CamVid val masks have void pixels; this test is about them"
    preds = np.where(targets == VOID, 0, targets)
    scores = evaluate(preds, targets, 11)
    assert_perfect(scores)
    assert np.all(scores.image_stats.per_image().to_numpy() == 1.0)
