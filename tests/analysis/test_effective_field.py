"""Effective receptive field (Luo et al. 2016): the input gradient of the centre unit, checked by hand."""

import numpy as np
import pytest
from torch import nn

from workbench.analysis import effective_receptive_field, erf_radius, receptive_field


def test_a_single_linear_convolution_has_its_kernel_as_effective_field():
    conv = nn.Conv2d(3, 2, 3, padding=1, bias=False)
    heat = effective_receptive_field(conv, image_size=(9, 9), num_samples=2)
    # d/dx[c, 3 + a, 3 + b] of the centre unit summed over output channels is sum_o w[o, c, a, b]
    kernel = conv.weight.detach().double().sum(0).abs().mean(0).numpy()
    expected = np.zeros((9, 9))
    expected[3:6, 3:6] = kernel
    np.testing.assert_allclose(heat, expected / expected.max(), rtol=1e-5, atol=1e-7)


def test_effective_field_lies_inside_the_analytic_field():
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=2, dilation=2),
        nn.ReLU(),
        nn.Conv2d(4, 2, 5, padding=2),
    )
    heat = effective_receptive_field(net, image_size=(31, 31), num_samples=3)
    top, left, bottom, right = receptive_field(net, "4", input_size=(31, 31)).box(15, 15)
    outside = heat.copy()
    outside[top : bottom + 1, left : right + 1] = 0
    assert heat[15, 15] > 0 and not outside.any() and (bottom - top + 1) == 1 + 2 + 4 + 4


def test_model_mode_is_restored():
    net = nn.Sequential(nn.Conv2d(3, 2, 3), nn.BatchNorm2d(2)).train()
    effective_receptive_field(net, image_size=(8, 8), num_samples=1)
    assert net.training


def test_erf_radius_of_a_delta_and_a_square():
    delta = np.zeros((11, 11))
    delta[5, 5] = 1
    square = np.zeros((11, 11))
    square[3:8, 3:8] = 1
    square[5, 5] = 2  # the peak the square is centred on
    assert erf_radius(delta) == 0 and erf_radius(square, mass=1.0) == 2 and erf_radius(square, mass=0.07) == 0
    with pytest.raises(ValueError, match="mass"):
        erf_radius(square, mass=0)
