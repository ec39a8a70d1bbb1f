"""Every score against the plain per-image reference (tests/metrics/reference.py), to 1e-9 in float64."""

import functools

import metrics_reference as reference
import numpy as np
import pytest
import torch

from workbench.metrics import SCORE_KEYS, SegmentationEvaluator, evaluate, per_image_scores, trimap_miou

VOID = 255


def blobs(rng, shape, num_labels, cell=8):
    """Piecewise-constant label map: random labels on a coarse grid, blown up (structured, not noise)."""
    coarse = rng.integers(0, num_labels, (shape[0] // cell + 1, shape[1] // cell + 1))
    return np.kron(coarse, np.ones((cell, cell), dtype=np.int64))[: shape[0], : shape[1]]


def perturb(rng, labels, num_classes, flips=0.02, shift=(1, 2)):
    """A plausible prediction: the target shifted a little, with a few pixels relabelled."""
    pred = np.roll(labels, shift, axis=(0, 1)).copy()
    pred[pred >= num_classes] = 0
    noise = rng.random(pred.shape) < flips
    pred[noise] = rng.integers(0, num_classes, noise.sum())
    return pred


def case_random(rng):
    targets = rng.integers(0, 4, (3, 17, 23))
    targets[rng.random(targets.shape) < 0.1] = VOID
    return rng.integers(0, 4, (3, 17, 23)), targets, 4


def case_structured(rng):
    target = np.zeros((120, 160), dtype=np.int64)
    target[20:70, 30:90] = 1  # rectangle
    yy, xx = np.mgrid[:120, :160]
    target[(yy - 80) ** 2 + (xx - 120) ** 2 < 25**2] = 2  # disc
    target[:, 100] = 3  # one-pixel-wide line
    target[5:15, 5:150] = VOID
    second = blobs(rng, (120, 160), 5, cell=20)
    targets = np.stack([target, second])
    preds = np.stack([perturb(rng, t, 5) for t in targets])
    return preds, targets, 5


def case_large_tolerance(rng):
    target = blobs(rng, (300, 400), 6, cell=37)  # d = 10 px, theta = 3.75 px
    target[rng.random(target.shape) < 0.01] = VOID
    return perturb(rng, target, 6, shift=(3, -4))[None], target[None], 6


def case_absent_classes(rng):
    targets = blobs(rng, (2, 48, 64)[1:], 3)[None].repeat(2, 0)  # classes 0..2 only
    preds = targets.copy()
    preds[:, 10:20, 10:20] = 5  # class 5 only predicted; 3, 4, 6 nowhere
    return preds, targets, 7


def case_all_ignore_image(rng):
    targets = blobs(rng, (40, 50), 3)[None].repeat(3, 0)
    targets[1] = VOID  # nothing to score in image 1
    targets[2, :, :25] = VOID
    preds = rng.integers(0, 3, targets.shape)
    return preds, targets, 3


def case_one_pixel_objects(rng):
    target = np.zeros((60, 80), dtype=np.int64)
    pred = np.zeros_like(target)
    for y, x in [(10, 10), (30, 40), (50, 70)]:
        target[y, x] = 1
    pred[10, 10] = 1  # exact hit
    pred[31, 41] = 1  # one pixel off, within the BF tolerance
    pred[50, 75] = 1  # five pixels off
    target[0, 0], pred[59, 79] = 2, 2  # one-pixel objects in corners
    return pred[None], target[None], 3


def case_touching_frame(rng):
    target = np.zeros((64, 96), dtype=np.int64)
    target[:, :12] = 1  # whole left strip
    target[:20, -20:] = 2  # top-right corner
    target[-1, :] = 3  # bottom row
    pred = target.copy()
    pred[:, :14] = 1
    pred[:18, -24:] = 2
    return pred[None], target[None], 4


def case_non_square(rng):
    shapes = [(5, 61), (61, 5), (1, 33), (33, 1), (2, 2)]
    targets = [blobs(rng, s, 3, cell=3) for s in shapes]
    preds = [perturb(rng, t, 3, flips=0.1, shift=(0, 1)) for t in targets]
    return preds, targets, 3


def case_mixed_sizes(rng):
    shapes = [(40, 60), (57, 31), (40, 60), (8, 8), (100, 90)]
    targets = [blobs(rng, s, 4, cell=6) for s in shapes]
    targets[1][:4] = VOID
    preds = [perturb(rng, t, 4) for t in targets]
    return preds, targets, 4


CASES = {name[5:]: fn for name, fn in dict(globals()).items() if name.startswith("case_")}


@functools.cache
def make_case(name: str):
    """The case's maps and the reference's answers, computed once per session (the reference is slow)."""
    preds, targets, num_classes = CASES[name](np.random.default_rng(len(name)))
    return preds, targets, num_classes, reference.scores(preds, targets, num_classes)


@pytest.fixture(params=sorted(CASES))
def case(request):
    return make_case(request.param)


def assert_scores_match(got: dict, want: dict):
    assert set(got) == set(SCORE_KEYS)
    for key in SCORE_KEYS:
        np.testing.assert_allclose(np.asarray(got[key], dtype=np.float64), want[key], rtol=0, atol=1e-9, err_msg=key)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_every_key_matches_reference(case):
    preds, targets, num_classes, want = case
    scores = evaluate(preds, targets, num_classes)
    assert_scores_match(scores.as_dict(), want)
    np.testing.assert_array_equal(scores.confusion, want["confusion"])
    assert scores.confusion.dtype == np.int64 and scores.num_images == len(preds)


def test_per_image_scores_match_reference(case):
    preds, targets, num_classes, _ = case
    table = per_image_scores(preds, targets, num_classes)
    want = reference.per_image(preds, targets, num_classes)
    assert list(table.index) == list(range(len(want))) and table.index.name == "image"
    for column in ["pixel_accuracy", "miou", "boundary_iou", "boundary_f1"]:
        np.testing.assert_allclose(
            table[column].to_numpy(), [row[column] for row in want], rtol=0, atol=1e-9, err_msg=column
        )


def test_trimap_miou_matches_reference(case):
    preds, targets, num_classes, _ = case
    curve = trimap_miou(preds, targets, num_classes, widths=[1, 2, 5])
    assert list(curve.index) == [1, 2, 5] and curve.index.name == "w"
    np.testing.assert_allclose(
        curve.to_numpy(), reference.trimap_miou(preds, targets, num_classes, [1, 2, 5]), rtol=0, atol=1e-9
    )


def test_streaming_updates_equal_one_evaluate():
    rng = np.random.default_rng(7)
    preds, targets, num_classes = case_mixed_sizes(rng)
    evaluator = SegmentationEvaluator(num_classes, per_image=True)
    evaluator.update(torch.as_tensor(np.stack(preds[0:3:2])), torch.as_tensor(np.stack(targets[0:3:2])))  # a batch
    evaluator.update(preds[1], targets[1])  # one (H, W) map
    evaluator.update([torch.as_tensor(p) for p in preds[3:]], targets[3:])  # a list, tensors and arrays mixed
    order = [0, 2, 1, 3, 4]
    want = reference.scores([preds[i] for i in order], [targets[i] for i in order], num_classes)
    assert_scores_match(evaluator.compute().as_dict(), want)
    assert_scores_match(evaluate(preds, targets, num_classes).as_dict(), want)  # order does not matter
    rows = evaluator.per_image()
    want_rows = reference.per_image([preds[i] for i in order], [targets[i] for i in order], num_classes)
    np.testing.assert_allclose(rows["miou"].to_numpy(), [r["miou"] for r in want_rows], rtol=0, atol=1e-9)
    evaluator.reset()
    assert evaluator.compute().num_images == 0 and evaluator.per_image().empty


def test_other_ignore_index_values():
    """A negative ignore_index and one equal to num_classes behave like 255."""
    rng = np.random.default_rng(3)
    preds, targets, num_classes = case_all_ignore_image(rng)
    want = reference.scores(preds, targets, num_classes)
    for ignore_index in (-1, 3, 1000):
        moved = np.where(targets == VOID, ignore_index, targets)
        assert_scores_match(evaluate(preds, moved, num_classes, ignore_index=ignore_index).as_dict(), want)


def test_many_classes_use_a_wider_label_type():
    rng = np.random.default_rng(4)
    target = blobs(rng, (50, 70), 300, cell=5)
    pred = perturb(rng, target, 300)
    target[:3] = -1
    want = reference.scores(pred[None], target[None], 300, ignore_index=-1)
    scores = evaluate(torch.as_tensor(pred), torch.as_tensor(target), 300, ignore_index=-1)
    assert_scores_match(scores.as_dict(), want)
