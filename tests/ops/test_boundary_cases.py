"""The boundary error cases make exactly the error they are named for."""

import numpy as np
import pytest

from workbench.ops.boundary_cases import boundary_error_cases, shifted, square_target, with_blob, with_thin_bar


def test_each_case_differs_from_its_target_only_by_its_error():
    cases = boundary_error_cases(128, shift=4, distance=24, blob=6, bar_width=2)
    target, pred = cases["perfect"]
    assert (target == pred).all() and target.sum() == 48 * 48
    target, pred = cases["boundary shifted 4 px"]
    assert pred.sum() == target.sum() and (pred != target).sum() == 2 * 4 * 48
    target, pred = cases["6x6 blob 24 px away"]
    extra = np.argwhere(pred != target)
    assert len(extra) == 36 and extra[:, 0].min() == 40 + 48 + 24  # square rows 40..87, then the gap
    target, pred = cases["missed 2-px bar"]
    assert (target != pred).sum() == 2 * 48 and (pred == square_target(128)).all()


def test_errors_that_leave_the_image_are_refused():
    square = square_target(64, side=48)
    with pytest.raises(ValueError, match="out of the 64-pixel image"):
        shifted(square, 20)
    with pytest.raises(ValueError, match="does not fit"):
        with_blob(square, 30)
    with pytest.raises(ValueError, match="does not fit"):
        with_thin_bar(square, gap=20)
