"""The one-by-one boundary distances: the Hausdorff distance as scipy computes it, HD95 as evaluate does."""

import numpy as np
import pytest
from scipy.spatial.distance import directed_hausdorff

from workbench.metrics import boundary_points, evaluate, surface_distances
from workbench.ops import shifted, square_target, with_blob


def _hd95(pred, target) -> float:
    return evaluate(pred, target, num_classes=2, distances=True).as_dict()["class_hd95"][1]


def test_notebook_13_example_hausdorff_sees_the_blob_hd95_the_shift():
    # a 24 px square shifted 2 px, plus a 2 x 2 blob 6 px below it: 4 of 96 predicted boundary pixels (< 5%)
    target = square_target(40, side=24)
    pred = with_blob(shifted(target, 2), 6, 2)
    bp, bg = boundary_points(pred, target, 1, num_classes=2)
    assert (len(bp), len(bg)) == (96, 92)  # 4 x 24 - 4 corners, plus the blob's 4 pixels
    to_target, to_pred = surface_distances(bp, bg)
    assert to_target.max() == directed_hausdorff(bp, bg)[0] == 8.0  # the blob's far row, 6 + 2 px below
    assert to_pred.max() == directed_hausdorff(bg, bp)[0] == 2.0  # the shift
    assert np.sort(to_target)[-5:].tolist() == [2.0, 7.0, 7.0, 8.0, 8.0]  # the blob holds the largest four
    hd95 = max(np.percentile(to_target, 95), np.percentile(to_pred, 95))
    assert hd95 == _hd95(pred, target) == 2.0


@pytest.mark.parametrize("seed", range(6))
def test_random_masks_agree_with_scipy_and_evaluate(seed):
    rng = np.random.default_rng(seed)
    target = (rng.random((24, 30)) < 0.1).astype(np.int64)
    pred = (rng.random((24, 30)) < 0.1).astype(np.int64)
    target[rng.random((24, 30)) < 0.05] = 255  # void: nobody's boundary
    bp, bg = boundary_points(pred, target, 1, num_classes=2)
    to_target, to_pred = surface_distances(bp, bg)
    assert to_target.max() == pytest.approx(directed_hausdorff(bp, bg)[0])
    assert to_pred.max() == pytest.approx(directed_hausdorff(bg, bp)[0])
    assert max(np.percentile(to_target, 95), np.percentile(to_pred, 95)) == pytest.approx(_hd95(pred, target))


def test_empty_boundaries_and_bad_classes_are_refused():
    target = square_target(16, side=6)
    bp, bg = boundary_points(np.zeros_like(target), target, 1, num_classes=2)
    assert bp.shape == (0, 2) and len(bg) == 20
    with pytest.raises(ValueError, match="a boundary is empty"):
        surface_distances(bp, bg)
    with pytest.raises(ValueError, match="class_id 2 is not a class of 0..1"):
        boundary_points(target, target, 2, num_classes=2)
