"""Dilated convolution arithmetic against torch: path counts are the gradient of a stack of all-ones kernels."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from workbench.ops.dilation import coverage, dilated_taps, field_size, stack_rates, stacked_paths, taps_inside


@pytest.mark.parametrize("kernel_size, rates", [(3, (2, 2)), (3, (1, 2, 3)), (2, (3,)), (5, (2, 4)), (1, (4, 4))])
def test_path_counts_equal_the_gradient_of_stacked_all_ones_dilated_convolutions(kernel_size, rates):
    side = field_size(kernel_size, rates)
    image = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    x = image
    for rate in rates:
        x = F.conv2d(x, torch.ones(1, 1, kernel_size, kernel_size, dtype=torch.float64), dilation=rate)
    assert x.shape[-2:] == (1, 1)  # the stack maps its field to one unit
    x.sum().backward()
    np.testing.assert_array_equal(stacked_paths(kernel_size, rates), image.grad[0, 0].numpy().astype(np.int64))


def test_equal_rates_grid_and_hybrid_rates_do_not():
    assert coverage(stacked_paths(3, stack_rates(2, 3))) == pytest.approx((7 / 13) ** 2)
    assert stack_rates(3, 4, "hybrid") == (1, 2, 3, 1) and coverage(stacked_paths(3, (1, 2, 3, 1))) == 1.0
    assert dilated_taps(3, 3).tolist() == [1, 0, 0, 1, 0, 0, 1]
    with pytest.raises(ValueError, match="'equal' or 'hybrid'"):
        stack_rates(2, 2, "zigzag")


def test_taps_inside_counts_zero_padding_reads():
    # 1D map of 5 and rate 2: positions 0..4 see taps at i-2, i, i+2; 3+2+2... inside: 2,2,3,2,2 of 3 each
    assert taps_inside((5, 1), rate=2) == pytest.approx((11 / 15) * (1 / 3))
    assert taps_inside((30, 23), rate=36) == pytest.approx(1 / 9)  # only the centre tap: a 1x1 convolution
    assert taps_inside((60, 45), rate=1) > 0.9
