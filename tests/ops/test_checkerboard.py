"""Checkerboard artefacts: uneven overlap unless the stride divides the kernel; resize-conv is even."""

import pytest
import torch

from workbench.ops.checkerboard import (
    resize_conv_overlap,
    transposed_overlap,
    unevenness,
    upsampled_constant,
    upsampler,
)


def test_kernel_3_stride_2_overlap_alternates_one_and_two_stamps_per_axis():
    counts = transposed_overlap(3, 2, size=5)
    # along one axis: taps at 2i .. 2i+2, so even interior pixels get 2 stamps, odd ones 1
    line = torch.tensor([1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1], dtype=torch.float64)
    torch.testing.assert_close(counts, torch.outer(line, line))
    assert unevenness(counts, 2) == pytest.approx((4 - 1) / counts[2:-2, 2:-2].mean().item())


@pytest.mark.parametrize("kernel_size, stride", [(4, 2), (2, 2), (6, 3)])
def test_stride_dividing_the_kernel_overlaps_evenly(kernel_size, stride):
    assert unevenness(transposed_overlap(kernel_size, stride), kernel_size) == 0


@pytest.mark.parametrize("kernel_size", [3, 5])
def test_resize_then_convolve_overlaps_evenly(kernel_size):
    counts = resize_conv_overlap(kernel_size, 2)
    assert unevenness(counts, kernel_size) == 0 and counts[8, 8] == kernel_size**2


def test_random_transposed_stack_makes_a_checkerboard_from_a_constant_and_resize_conv_does_not():
    transposed, resized = upsampled_constant("transposed"), upsampled_constant("resize-conv")
    assert transposed.shape == resized.shape == (64, 64)
    assert unevenness(transposed, 8) > 0.2 and unevenness(resized, 8) < 1e-12


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="'transposed' or 'resize-conv'"):
        upsampler("pixel-shuffle")


def test_a_border_that_leaves_nothing_is_refused():
    with pytest.raises(ValueError, match="leaves nothing"):
        unevenness(resize_conv_overlap(3, 2, size=4), 4)
