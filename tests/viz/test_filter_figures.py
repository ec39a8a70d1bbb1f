"""filters_rgb: first-layer filters tiled into one picture, grey for 0, each on its own scale."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from workbench.viz import filters_rgb, plot_filters


def test_each_filter_is_a_patch_grey_at_zero_and_scaled_on_its_own_largest_weight():
    weight = torch.zeros(3, 3, 2, 2)
    weight[0, 0, 0, 0] = 4.0  # strong red at the top left of filter 0
    weight[1, 2, 1, 1] = -0.01  # weak negative blue at the bottom right of filter 1
    sheet = filters_rgb(weight, columns=2, gap=1)
    assert sheet.shape == (2 * 3 - 1, 2 * 3 - 1, 3)  # two rows of two 2 x 2 patches, 1 px apart
    np.testing.assert_array_equal(sheet[0, 0], [255, 128, 128])
    np.testing.assert_array_equal(sheet[1, 4], [128, 128, 0])  # filter 1 at column 3: its own scale
    np.testing.assert_array_equal(sheet[3:5, 0:2], 128)  # an all-zero filter is grey
    np.testing.assert_array_equal(sheet[:, 2], 255)  # the gap is white
    np.testing.assert_array_equal(sheet[3:, 3:], 255)  # no fourth filter: white


def test_plot_filters_draws_without_smoothing_and_refuses_grey_filters():
    ax = Figure().add_subplot()
    shown = plot_filters(ax, np.random.default_rng(0).normal(size=(64, 3, 7, 7)), title="conv1")
    assert shown.get_array().shape == (8 * 8 - 1, 8 * 8 - 1, 3) and ax.get_title() == "conv1"
    with pytest.raises(ValueError, match=r"expected \(C_out, 3, k, k\) RGB filters, got shape \(4, 1, 3, 3\)"):
        filters_rgb(np.zeros((4, 1, 3, 3)))
