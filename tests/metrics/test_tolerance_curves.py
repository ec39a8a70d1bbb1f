"""Scores over the tolerance: each rung equals a fresh evaluation at that tolerance; intervals from the bootstrap."""

import numpy as np
import pytest

from workbench.metrics import evaluate
from workbench.metrics.boundary import bf_scores, edge_matches, label_edge_pair
from workbench.metrics.catalog import TOLERANCES, ladder_names
from workbench.metrics.inputs import label_batches
from workbench.metrics.scores import Scores
from workbench.metrics.tolerance import edge_match_ladder


def _masks(seed, n, height, width, classes):
    """Blocky random targets with void, predictions shifted and partly wrong."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, classes, (n, height // 8 + 1, width // 8 + 1))
    target = np.repeat(np.repeat(coarse, 8, 1), 8, 2)[:, :height, :width]
    pred = np.roll(target, (rng.integers(-3, 4), rng.integers(-3, 4)), axis=(1, 2))
    noise = rng.random(target.shape) < 0.02
    pred = np.where(noise, rng.integers(0, classes, target.shape), pred)
    target = np.where(rng.random(target.shape) < 0.03, 255, target)
    target[:, : height // 6, : width // 5] = 255  # a void block too
    return pred, target


CASES = [(0, 3, 37, 53, 3), (1, 2, 64, 96, 5), (2, 4, 90, 71, 7)]


@pytest.mark.parametrize("seed,n,height,width,classes", CASES)
def test_each_rung_equals_a_fresh_evaluation(seed, n, height, width, classes):
    pred, target = _masks(seed, n, height, width, classes)
    scores = evaluate(pred, target, classes, tolerances=True)
    stats = scores.image_stats
    batch = label_batches(pred, target, classes, 255)[0]
    curves = {
        key: scores.tolerance_curve(key, intervals=False)["value"] for key in ("boundary_f1", "nsd", "boundary_miou")
    }
    for t in TOLERANCES:
        names = ladder_names(t)
        fresh_nsd = evaluate(pred, target, classes, nsd_tolerance=t)
        np.testing.assert_array_equal(stats.counts[names["nsd"]], fresh_nsd.image_stats.counts["nsd"])
        assert curves["nsd"][t] == fresh_nsd.nsd
        fresh_bf = bf_scores(edge_matches(batch, classes, tolerance=t))  # BF's cells at tau = t
        np.testing.assert_array_equal(stats.counts[names["bf"]], fresh_bf)
        image_means = np.nanmean(np.where(np.isnan(fresh_bf).all(1, keepdims=True), 0, fresh_bf), 1)
        defined = ~np.isnan(fresh_bf).all(1)
        assert curves["boundary_f1"][t] == pytest.approx(image_means[defined].mean(), rel=1e-12)
        fresh_biou = evaluate(pred, target, classes, boundary_iou_d=t)
        np.testing.assert_array_equal(stats.counts[names["inter"]], fresh_biou.image_stats.counts["boundary_inter"])
        np.testing.assert_array_equal(stats.counts[names["union"]], fresh_biou.image_stats.counts["boundary_union"])
        assert curves["boundary_miou"][t] == fresh_biou.boundary_miou
    default = evaluate(pred, target, classes)
    assert default.as_dict().keys() == scores.as_dict().keys()  # the ladder adds no score key
    assert scores.boundary_miou == default.boundary_miou and scores.boundary_f1 == default.boundary_f1


@pytest.mark.parametrize("seed,n,height,width,classes", CASES)
def test_matched_counts_and_nsd_never_fall_as_tau_grows(seed, n, height, width, classes):
    pred, target = _masks(seed, n, height, width, classes)
    batch = label_batches(pred, target, classes, 255)[0]
    ladder = edge_match_ladder(batch, classes, label_edge_pair(batch))
    pred_hit = np.stack([m.pred_hit for m in ladder], -1)
    target_hit = np.stack([m.target_hit for m in ladder], -1)
    assert (np.diff(pred_hit, axis=-1) >= 0).all() and (np.diff(target_hit, axis=-1) >= 0).all()
    assert (pred_hit[..., -1] <= ladder[0].pred_total).all() and (np.diff(pred_hit, axis=-1) > 0).any()
    curve = evaluate(pred, target, classes, tolerances=True).tolerance_curve("nsd", intervals=False)["value"]
    assert (np.diff(curve.to_numpy()) >= 0).all()


def test_intervals_come_from_the_bootstrap_resamples():
    pred, target = _masks(5, 6, 48, 64, 4)
    scores = evaluate(pred, target, 4, tolerances=True)
    curve = scores.tolerance_curve("boundary_f1", resamples=5, level=0.5, seed=3)
    draws = np.random.default_rng(3).integers(0, 6, (5, 6))  # Scores.bootstrap's image-level draws
    samples = np.array(
        [
            Scores.from_image_stats(scores.image_stats.subset(draw))
            .tolerance_curve("boundary_f1", intervals=False)["value"]
            .to_numpy()
            for draw in draws
        ]
    )
    np.testing.assert_allclose(curve["low"], np.quantile(samples, 0.25, axis=0), rtol=1e-12)
    np.testing.assert_allclose(curve["high"], np.quantile(samples, 0.75, axis=0), rtol=1e-12)
    assert curve.attrs["key"] == "boundary_f1" and curve.attrs["unit"] == "pixels"
    assert curve.attrs["method"] == scores.bootstrap(resamples=5).attrs["method"]


def test_refuses_without_the_ladder_and_unknown_keys():
    pred, target = _masks(0, 1, 32, 32, 3)
    with pytest.raises(ValueError, match="tolerances=True"):
        evaluate(pred, target, 3).tolerance_curve("nsd")
    with pytest.raises(ValueError, match="key must be one of"):
        evaluate(pred, target, 3, tolerances=True).tolerance_curve("miou")
