"""MONAI's HD95 convention (``Scores.conventions()``, cells ``hd95_monai``) against MONAI itself.

MONAI returns float32; ``monai_cells`` repeats ``compute_hausdorff_distance``'s loop on MONAI's own edges and
distances in float64 (squared distances are integers, so rounding the float32 squares recovers them exactly),
so the cells are held to 1e-9; MONAI's float32 results to 1e-6.
"""

import math

import metrics_reference as reference
import numpy as np
import pytest
import torch

from workbench.metrics import evaluate

pytestmark = [
    pytest.mark.slow,  # importing MONAI alone takes about 7 s of CPU
    pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning"),
]  # MONAI's empty-mask notes

VOID = 255


def one_hot(labels, num_classes):
    """``(N, C, H, W)`` float one-hot maps; void pixels in no class (MONAI's ``ignore_index`` masking)."""
    labels = torch.as_tensor(np.asarray(labels))
    valid = labels != VOID
    hot = torch.nn.functional.one_hot(torch.where(valid, labels, 0), num_classes).movedim(-1, 1)
    return (hot * valid[:, None]).float()


def monai_inputs(preds, targets, num_classes):
    """MONAI's inputs for our maps: the prediction masked where the target is void (pred')."""
    preds = np.where(np.asarray(targets) == VOID, VOID, preds)
    return one_hot(preds, num_classes), one_hot(targets, num_classes)


def monai_cells(preds, targets, num_classes):
    """MONAI's ``compute_hausdorff_distance(percentile=95, include_background=True)``, in float64."""
    utils = pytest.importorskip("monai.metrics.utils", reason="MONAI is a dev extra")
    y_pred, y = monai_inputs(preds, targets, num_classes)
    out = np.full(y.shape[:2], np.nan)
    for b, c in np.ndindex(*out.shape):
        _, distances, _ = utils.get_edge_surface_distance(y_pred[b, c], y[b, c], symmetric=True)
        exact = [d.double().square().round().sqrt() for d in distances]  # inf stays inf
        if all(len(d) for d in exact):
            out[b, c] = max(torch.quantile(d, 0.95).item() for d in exact)  # all inf (one side empty): NaN
    return out


def monai_float32(preds, targets, num_classes):
    metrics = pytest.importorskip("monai.metrics", reason="MONAI is a dev extra")
    return (
        metrics.compute_hausdorff_distance(
            *monai_inputs(preds, targets, num_classes), include_background=True, percentile=95
        )
        .double()
        .numpy()
    )


def random_with_void(rng):
    targets = np.stack([reference.rectangles(rng, 1, (48, 64), largest=12)[0] for _ in range(3)])
    targets[1] = np.kron(rng.integers(0, 4, (6, 8)), np.ones((8, 8), dtype=np.int64))  # touches the frame
    noisy = rng.random(targets.shape) < 0.04
    preds = np.where(noisy, rng.integers(0, 4, targets.shape), np.roll(targets, (1, -2), axis=(1, 2)))
    targets[rng.random(targets.shape) < 0.05] = VOID
    targets[2, :5] = VOID
    return preds, targets, 5  # class 4 in neither: NaN everywhere


def rectangles_at_the_frame(rng):
    targets = np.zeros((2, 40, 60), dtype=np.int64)
    targets[0, :15, :20] = 1
    targets[0, 25:, 40:] = 2
    targets[1, 10:30, 50:] = 3
    preds = np.roll(targets, (2, 3), axis=(1, 2))
    preds[1, 0:5, 0:5] = 2  # class 2 only predicted in image 1: NaN for MONAI, the diagonal for us
    preds[0][preds[0] == 2] = 0  # class 2 only in the target of image 0
    return preds, targets, 4


CASES = [random_with_void, rectangles_at_the_frame]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__)
def test_cells_equal_monai(case):
    preds, targets, num_classes = case(np.random.default_rng(0))
    stats = evaluate(preds, targets, num_classes, distances=True).image_stats
    ours, theirs = stats.counts["hd95_monai"], monai_cells(preds, targets, num_classes)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours, monai_float32(preds, targets, num_classes), rtol=1e-6, atol=0)
    differ = ~np.isclose(ours, stats.counts["hd95"], equal_nan=True)
    assert differ.any()  # the frame, 4-neighbour edges and empty sides all differ from DESIGN.md's convention


def test_one_empty_side_is_nan_for_monai_and_the_diagonal_for_us():
    preds, targets, _ = rectangles_at_the_frame(None)
    counts = evaluate(preds, targets, 4, distances=True).image_stats.counts
    assert np.isnan(counts["hd95_monai"][1, 2]) and counts["hd95"][1, 2] == math.hypot(40, 60)
    assert np.isnan(counts["hd95_monai"][0, 2]) and counts["hd95"][0, 2] == math.hypot(40, 60)


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__)
def test_the_conventions_row_is_monai_metric_mean(case):
    metrics = pytest.importorskip("monai.metrics", reason="MONAI is a dev extra")
    preds, targets, num_classes = case(np.random.default_rng(1))
    scores = evaluate(preds, targets, num_classes, distances=True)
    row = scores.conventions().loc["4-neighbour edges, the frame an edge, one empty side NaN"]
    metric = metrics.HausdorffDistanceMetric(
        percentile=95, include_background=True, reduction="mean", ignore_index=VOID
    )
    metric(one_hot(preds, num_classes), one_hot(targets, num_classes))  # its ignore_index makes pred' itself
    assert row["value"] == pytest.approx(metric.aggregate().item(), rel=1e-6)
    cells = monai_cells(preds, targets, num_classes)
    image_means = [np.nanmean(r) for r in cells if not np.isnan(r).all()]
    assert row["value"] == pytest.approx(np.mean(image_means), abs=1e-9)  # per image, then over images
    assert row["workbench_key"] == "hd95" and row["workbench_value"] == pytest.approx(scores.hd95, abs=1e-12)


def test_the_row_only_when_distances_were_scored():
    preds, targets, num_classes = random_with_void(np.random.default_rng(2))
    plain = evaluate(preds, targets, num_classes).conventions()
    with_distances = evaluate(preds, targets, num_classes, distances=True).conventions()
    assert len(with_distances) == len(plain) + 1 and "MONAI" in with_distances["tool"].iloc[-1]
    assert not plain["tool"].str.contains("MONAI").any()
