"""HD95 (``evaluate(..., distances=True)``) against a plain scipy reference and against MONAI."""

import math

import metrics_reference as reference
import numpy as np
import pytest
import torch

from workbench.metrics import SCORE_KEYS, Scores, evaluate, paired_bootstrap

VOID = 255


def blocks(rng, shape, num_labels, cell):
    coarse = rng.integers(0, num_labels, (shape[0] // cell + 1, shape[1] // cell + 1))
    return np.kron(coarse, np.ones((cell, cell), dtype=np.int64))[: shape[0], : shape[1]]


def case_blocks_with_void(rng):
    targets = np.stack([blocks(rng, (40, 56), 4, 7) for _ in range(3)])
    preds = np.roll(targets, (2, -3), axis=(1, 2))
    targets[rng.random(targets.shape) < 0.05] = VOID
    preds[preds == VOID] = 0
    return list(preds), list(targets), 4


def case_shapes_far_apart(rng):
    yy, xx = np.mgrid[:80, :100]
    target = np.zeros((80, 100), dtype=np.int64)
    target[(yy - 40) ** 2 + (xx - 30) ** 2 < 15**2] = 1
    target[10:30, 60:90] = 2
    pred = np.roll(target, (1, 2), axis=(0, 1))
    pred[70:74, 80:84] = 2  # a far-away spurious blob: HD95 grows, BF barely moves
    pred[:, 50] = 3  # a class only predicted: one boundary empty, HD95 = the diagonal
    return [pred], [target], 4


def case_thin_and_tiny(rng):
    shapes = [(1, 33), (33, 1), (2, 2), (5, 61), (64, 48)]
    targets = [blocks(rng, s, 3, 3) for s in shapes]
    preds = [np.roll(t, 1, axis=-1) for t in targets]
    return preds, targets, 3


def case_many_classes(rng):
    target = blocks(rng, (50, 70), 70, 5)
    pred = np.roll(target, (1, 1), axis=(0, 1))
    return [pred], [target], 70


CASES = [case_blocks_with_void, case_shapes_far_apart, case_thin_and_tiny, case_many_classes]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__[5:])
def test_hd95_matches_scipy_reference(case):
    preds, targets, num_classes = case(np.random.default_rng(0))
    scores = evaluate(preds, targets, num_classes, distances=True)
    want = reference.scores(preds, targets, num_classes, distances=True)
    np.testing.assert_allclose(scores.class_hd95, want["class_hd95"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(scores.hd95, want["hd95"], rtol=0, atol=1e-9)
    cells = np.stack([reference.hd95_image(p, t, num_classes, VOID) for p, t in zip(preds, targets)])
    np.testing.assert_allclose(scores.image_stats.counts["hd95"], cells, rtol=0, atol=1e-9)


def test_one_empty_boundary_is_the_diagonal_and_both_empty_undefined():
    preds, targets, _ = case_shapes_far_apart(None)
    cells = evaluate(preds, targets, 5, distances=True).image_stats.counts["hd95"][0]
    assert cells[3] == math.hypot(80, 100) and np.isnan(cells[4])


def test_distances_keys_only_when_asked():
    preds, targets, num_classes = case_blocks_with_void(np.random.default_rng(1))
    plain, with_distances = evaluate(preds, targets, num_classes), evaluate(preds, targets, num_classes, distances=True)
    assert tuple(plain.as_dict()) == SCORE_KEYS and plain.hd95 is None and "hd95" not in plain.table()
    assert tuple(with_distances.as_dict()) == SCORE_KEYS + ("class_hd95", "hd95")
    assert with_distances.table()["hd95"].iloc[-1] == with_distances.hd95
    for key in SCORE_KEYS:
        np.testing.assert_array_equal(plain.as_dict()[key], with_distances.as_dict()[key])
    region_only = evaluate(preds, targets, num_classes, boundary=False, distances=True)
    assert region_only.hd95 == with_distances.hd95 and np.isnan(region_only.boundary_f1)


def test_subsets_bootstrap_and_arrays_carry_hd95():
    preds, targets, num_classes = case_blocks_with_void(np.random.default_rng(2))
    stats = evaluate(preds, targets, num_classes, distances=True).image_stats
    picked = [2, 0, 2]
    want = evaluate([preds[i] for i in picked], [targets[i] for i in picked], num_classes, distances=True)
    np.testing.assert_allclose(
        Scores.from_image_stats(stats.subset(picked)).class_hd95, want.class_hd95, rtol=0, atol=1e-12
    )
    assert Scores.from_image_stats(stats.subset(picked)).hd95 == pytest.approx(want.hd95, abs=1e-12)
    assert "hd95" in Scores.from_image_stats(stats).bootstrap(resamples=50).index
    assert "hd95" in stats.per_image().columns
    back = type(stats).from_arrays(stats.to_arrays(), ignore_index=VOID)
    np.testing.assert_array_equal(back.counts["hd95"], stats.counts["hd95"])


def test_lower_is_better_in_the_paired_comparison():
    preds, targets, num_classes = case_blocks_with_void(np.random.default_rng(3))
    perfect = [np.where(t == VOID, 0, t) for t in targets]
    good, bad = (evaluate(p, targets, num_classes, distances=True) for p in (perfect, preds))
    result = paired_bootstrap(good, bad, key="hd95", resamples=100)
    assert result["difference"] < 0 and result["share_a_better"] == 1.0


def monai_hd95(preds, targets, num_classes, **kw):
    """MONAI's ``compute_hausdorff_distance(percentile=95)`` on one-hot maps; skips without MONAI (dev extra)."""
    metrics = pytest.importorskip("monai.metrics", reason="MONAI is a dev extra")
    return (
        metrics.compute_hausdorff_distance(
            one_hot(preds, num_classes), one_hot(targets, num_classes), percentile=95, **kw
        )
        .double()
        .numpy()
    )


def one_hot(labels, num_classes):
    return torch.nn.functional.one_hot(torch.as_tensor(labels), num_classes).movedim(-1, 1)


@pytest.mark.slow  # importing MONAI alone takes about 7 s of CPU
@pytest.mark.filterwarnings("ignore::FutureWarning")  # MONAI's own deprecation notice
def test_hd95_equals_monai_on_objects_away_from_the_frame():
    rng = np.random.default_rng(4)
    targets = reference.rectangles(rng, 4, (60, 90))
    preds = reference.rectangles(rng, 4, (60, 90))
    preds[:2] = np.roll(targets[:2], (2, 1), axis=(1, 2))
    ours = evaluate(preds, targets, 4, distances=True).image_stats.counts["hd95"]
    theirs = monai_hd95(preds, targets, 4, include_background=False)
    np.testing.assert_allclose(ours[:, 1:], theirs, rtol=0, atol=1e-4)  # MONAI: float32


@pytest.mark.slow  # importing MONAI alone takes about 7 s of CPU
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_monai_uses_4_neighbour_edges_so_discs_differ():
    """MONAI's edges come from scipy's default (cross) erosion; DESIGN.md's edges from the 3x3 square. On a
    disc the staircase pixels with only a diagonal neighbour outside are edges for us, not for MONAI."""
    yy, xx = np.mgrid[:64, :64]
    target = ((yy - 32) ** 2 + (xx - 30) ** 2 < 14**2).astype(np.int64)
    pred = ((yy - 31) ** 2 + (xx - 31) ** 2 < 13**2).astype(np.int64)
    ours = evaluate(pred[None], target[None], 2, distances=True).image_stats.counts["hd95"][0, 1]
    theirs = monai_hd95(pred[None], target[None], 2)[0, 0]  # class 1 (MONAI leaves out the background)
    assert ours == pytest.approx(reference.hd95_image(pred, target, 2, VOID)[1], abs=1e-9)
    assert abs(ours - theirs) > 0.1  # 2.236 here against MONAI's 2.503
