"""NSD, normalised surface Dice (``class_nsd``, ``nsd``): against a plain scipy reference and against MONAI."""

import math

import metrics_reference as reference
import numpy as np
import pytest
import torch

from workbench.data import Classes
from workbench.metrics import Scores, SegmentationEvaluator, evaluate
from workbench.records import read_record, write_record

VOID = 255


def blobs(rng, shape, num_labels, cell):
    """Blocky random labels sprinkled with single pixels of any label (concave corners, tiny islands)."""
    coarse = rng.integers(0, num_labels, (shape[0] // cell + 2, shape[1] // cell + 2))
    labels = np.kron(coarse, np.ones((cell, cell), dtype=np.int64))[: shape[0], : shape[1]]
    return np.where(rng.random(shape) < 0.03, rng.integers(0, num_labels, shape), labels)


def case_void_and_shifts(rng):
    targets = [blobs(rng, s, labels, 6) for s, labels in (((40, 60), 4), ((40, 60), 4), ((57, 31), 2))]
    preds = [np.roll(t, (rng.integers(-3, 4), rng.integers(-3, 4)), axis=(0, 1)) for t in targets]
    for target in targets:
        target[rng.random(target.shape) < 0.05] = VOID
        target[:3] = VOID  # a void band along the top, as in VOC's outlines
    return preds, targets, 4


def case_spurious_and_missing(rng):
    target = blobs(rng, (80, 100), 3, 9)
    pred = np.roll(target, (1, 2), axis=(0, 1))
    pred[60:66, 10:16] = 3  # a class only predicted: its target edge empty
    pred[pred == 2] = 1  # a class only in the target: its predicted edge empty
    return [pred], [target], 5  # class 4: in neither, undefined


def case_many_classes(rng):  # 63 classes or more: the matching gathers labels, not class bits
    target = blobs(rng, (50, 70), 70, 5)
    return [np.roll(target, (1, -2), axis=(0, 1))], [target], 70


def case_thin_and_tiny(rng):
    targets = [blobs(rng, s, 3, 3) for s in ((1, 33), (33, 1), (2, 2), (5, 61))]
    return [np.roll(t, 1, axis=-1) for t in targets], targets, 3


CASES = [case_void_and_shifts, case_spurious_and_missing, case_many_classes, case_thin_and_tiny]


def reference_cells(preds, targets, num_classes, tau=None):
    return np.stack([reference.nsd_image(p, t, num_classes, VOID, tau) for p, t in zip(preds, targets)])


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__[5:])
@pytest.mark.parametrize("tau", [None, 0.0, 1.0, 2.5, 7.2])
def test_nsd_matches_scipy_reference(case, tau):
    preds, targets, num_classes = case(np.random.default_rng(0))
    scores = evaluate(preds, targets, num_classes, nsd_tolerance=tau)
    want = reference_cells(preds, targets, num_classes, tau)
    np.testing.assert_allclose(scores.image_stats.counts["nsd"], want, rtol=0, atol=1e-12)
    class_nsd = np.array([reference.mean_defined(want[:, c]) for c in range(num_classes)])
    np.testing.assert_allclose(scores.class_nsd, class_nsd, rtol=0, atol=1e-12)
    assert scores.nsd == pytest.approx(reference.mean_defined([reference.mean_defined(r) for r in want]), abs=1e-12)


def test_the_default_tolerance_is_bf_theta_and_nsd_is_not_the_bf_score():
    target = np.zeros((160, 200), dtype=np.int64)  # theta = 0.0075 x diagonal = 1.92 px
    target[50, 20:121] = 1  # a thin line: each of its pixels lies 1 px from two edge pixels of the band below
    pred = np.zeros_like(target)
    pred[49:52, 20:121] = 1
    pred[130:150, 150:190] = 1  # a spurious blob: precision falls, recall stays 1
    default = evaluate(pred[None], target[None], 2)
    at_theta = evaluate(pred[None], target[None], 2, nsd_tolerance=0.0075 * math.hypot(160, 200))
    np.testing.assert_array_equal(default.image_stats.counts["nsd"], at_theta.image_stats.counts["nsd"])
    # F1 weighs the matched shares of each side, NSD the matched pixels of both; equal when as many pixels match
    # on each side, as below 1 px, where a pixel matches only its own copy
    assert abs(default.nsd - default.boundary_f1) > 0.01
    assert evaluate(pred[None], target[None], 2, nsd_tolerance=0.5).nsd < default.nsd


def test_right_on_every_non_void_pixel_scores_one():
    preds, targets, num_classes = case_void_and_shifts(np.random.default_rng(1))
    perfect = [np.where(t == VOID, np.random.default_rng(2).integers(0, num_classes, t.shape), t) for t in targets]
    for tau in (None, 0.0):
        scores = evaluate(perfect, targets, num_classes, nsd_tolerance=tau)
        assert scores.nsd == 1.0 and np.all(scores.class_nsd == 1.0)


def test_both_empty_is_undefined_and_one_empty_is_zero():
    preds, targets, num_classes = case_spurious_and_missing(np.random.default_rng(0))
    cells = evaluate(preds, targets, num_classes).image_stats.counts["nsd"][0]
    assert cells[3] == 0.0 and cells[2] == 0.0 and np.isnan(cells[4])
    assert 0.0 < cells[0] < 1.0


def test_region_only_leaves_nsd_undefined_and_a_bad_tolerance_is_refused():
    preds, targets, num_classes = case_void_and_shifts(np.random.default_rng(3))
    assert np.isnan(evaluate(preds, targets, num_classes, boundary=False).nsd)
    for bad in (-1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="nsd_tolerance"):
            SegmentationEvaluator(num_classes, nsd_tolerance=bad)


def test_subsets_bootstrap_tables_and_arrays_carry_nsd():
    preds, targets, num_classes = case_void_and_shifts(np.random.default_rng(4))
    scores = evaluate(preds, targets, num_classes)
    stats, picked = scores.image_stats, [2, 0, 2]
    want = evaluate([preds[i] for i in picked], [targets[i] for i in picked], num_classes)
    again = Scores.from_image_stats(stats.subset(picked))
    np.testing.assert_allclose(again.class_nsd, want.class_nsd, rtol=0, atol=1e-12)
    assert again.nsd == pytest.approx(want.nsd, abs=1e-12)
    assert scores.bootstrap(resamples=50).loc["nsd", "value"] == scores.nsd
    assert stats.per_image()["nsd"].tolist() == [reference.mean_defined(r) for r in stats.counts["nsd"]]
    table = scores.table()
    assert table["nsd"].iloc[-1] == scores.nsd and table["nsd"].iloc[:-1].tolist() == scores.class_nsd.tolist()
    back = type(stats).from_arrays(stats.to_arrays(), ignore_index=VOID)
    np.testing.assert_array_equal(back.counts["nsd"], stats.counts["nsd"])


def test_records_round_trip_nsd(tmp_path):
    preds, targets, num_classes = case_void_and_shifts(np.random.default_rng(5))
    scores = evaluate(preds, targets, num_classes)
    classes = Classes(tuple(f"c{i}" for i in range(num_classes)), tuple((i, i, i) for i in range(num_classes)))
    write_record(
        tmp_path / "rec",
        source={"kind": "predictions", "dir": "x"},
        data={},
        scores=scores,
        stems=["a", "b", "c"],
        masks=preds,
        classes=classes,
    )
    back = read_record(tmp_path / "rec")
    np.testing.assert_array_equal(back.scores.image_stats.counts["nsd"], scores.image_stats.counts["nsd"])
    assert (
        back.scores.nsd == scores.nsd
        and back.per_image["nsd"].tolist() == scores.image_stats.per_image()["nsd"].tolist()
    )


def one_hot(labels, num_classes):
    return torch.nn.functional.one_hot(torch.as_tensor(labels), num_classes).movedim(-1, 1)


def monai_nsd(preds, targets, num_classes, tau):
    """MONAI's ``compute_surface_dice`` on one-hot maps, every class, one tolerance; skips without MONAI."""
    metrics = pytest.importorskip("monai.metrics", reason="MONAI is a dev extra")
    return (
        metrics.compute_surface_dice(
            one_hot(preds, num_classes),
            one_hot(targets, num_classes),
            [tau] * num_classes,
            include_background=True,
            use_subvoxels=False,
        )
        .double()
        .numpy()
    )


@pytest.mark.slow  # importing MONAI alone takes about 7 s of CPU
@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")  # MONAI's empty-class warnings
def test_nsd_equals_monai_where_the_conventions_coincide():
    """Rectangles away from the frame, no void: MONAI's 4-neighbour, framed edges are ours. Class 0 (the
    background, around every rectangle) is left out: its edge runs along the frame for MONAI."""
    rng = np.random.default_rng(6)
    targets, preds = (reference.rectangles(rng, 4, (160, 240), largest=20) for _ in range(2))
    preds[:2] = np.roll(targets[:2], (2, -1), axis=(1, 2))
    preds[2, preds[2] == 3] = 0  # class 3 only in the target: 0 for both
    theta = 0.0075 * math.hypot(160, 240)  # 2.16 px
    for tau in (None, 0.0, 1.0, 3.5):
        ours = evaluate(preds, targets, 5, nsd_tolerance=tau).image_stats.counts["nsd"]
        theirs = monai_nsd(preds, targets, 5, theta if tau is None else tau)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))  # class 4: NaN for both
        np.testing.assert_allclose(ours[:, 1:], theirs[:, 1:], rtol=1e-6, atol=0)  # MONAI: float32
    # MONAI's reduction "mean" averages each image's defined classes, then the images: ``nsd``'s rule
    metric = pytest.importorskip("monai.metrics").SurfaceDiceMetric([theta] * 4, include_background=False)
    metric(one_hot(preds, 5), one_hot(targets, 5))
    cells = evaluate(preds, targets, 5).image_stats.counts["nsd"][:, 1:]
    mean_of_image_means = np.nanmean([np.nanmean(row) for row in cells if not np.isnan(row).all()])
    assert metric.aggregate().item() == pytest.approx(mean_of_image_means, rel=1e-6)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_monai_differs_on_curved_edges_and_along_the_frame():
    """MONAI's edges are scipy's cross-shaped erosion with the image frame outside the mask: a disc loses the
    staircase pixels that touch the outside only diagonally, and a mask along the frame gains the frame."""
    yy, xx = np.mgrid[:64, :64]
    target = ((yy - 32) ** 2 + (xx - 30) ** 2 < 14**2).astype(np.int64)
    pred = ((yy - 31) ** 2 + (xx - 31) ** 2 < 12**2).astype(np.int64)
    ours = evaluate(pred[None], target[None], 2, nsd_tolerance=1.0).image_stats.counts["nsd"][0, 1]
    assert ours == pytest.approx(reference.nsd_image(pred, target, 2, VOID, 1.0)[1], abs=1e-12)
    assert abs(ours - monai_nsd(pred[None], target[None], 2, 1.0)[0, 1]) > 0.01
    target = np.zeros((40, 60), dtype=np.int64)
    target[:20, :30] = 1  # touches the top and left frame
    pred = np.roll(target, 3, axis=1)
    ours = evaluate(pred[None], target[None], 2, nsd_tolerance=1.0).image_stats.counts["nsd"][0, 1]
    assert ours == pytest.approx(reference.nsd_image(pred, target, 2, VOID, 1.0)[1], abs=1e-12)
    assert abs(ours - monai_nsd(pred[None], target[None], 2, 1.0)[0, 1]) > 0.05
