"""Nearest, bed-of-nails and max-unpooling, against torch's layers."""

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import max_unpool, unpool_bed_of_nails, unpool_nearest


@pytest.mark.parametrize("scale", [1, 2, 3, (2, 3)])
def test_nearest_matches_interpolate(scale):
    x = torch.randn(2, 3, 4, 5)
    factor = scale if isinstance(scale, tuple) else (scale, scale)
    expected = F.interpolate(x, scale_factor=factor, mode="nearest")
    torch.testing.assert_close(unpool_nearest(x, scale), expected, rtol=0, atol=0)


def test_bed_of_nails_puts_values_top_left():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert unpool_bed_of_nails(x, 2).tolist() == [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    y = unpool_bed_of_nails(torch.randn(2, 3, 4, 5), (2, 3))
    assert y.shape == (2, 3, 8, 15)
    assert y.count_nonzero() <= 2 * 3 * 4 * 5


@pytest.mark.parametrize(
    "kernel,stride,padding,size",
    [
        (2, None, 0, (8, 8)),
        (2, 2, 0, (7, 9)),
        (3, 2, 0, (9, 10)),
        (3, 3, 1, (10, 11)),
        (3, 1, 1, (5, 6)),
        ((2, 3), (2, 3), 0, (8, 9)),
    ],
)
def test_max_unpool_matches_torch(kernel, stride, padding, size):
    x = torch.randn(2, 3, *size, dtype=torch.float64)
    pooled, indices = F.max_pool2d(x, kernel, stride, padding, return_indices=True)
    layer = torch.nn.MaxUnpool2d(kernel, stride, padding)
    try:  # without output_size, an index past the default size is an error for both
        expected = layer(pooled, indices)
    except RuntimeError:
        with pytest.raises(ValueError, match="pass the pooled map's input size"):
            max_unpool(pooled, indices, kernel, stride, padding)
    else:
        torch.testing.assert_close(max_unpool(pooled, indices, kernel, stride, padding), expected, rtol=0, atol=0)
    torch.testing.assert_close(
        max_unpool(pooled, indices, kernel, stride, padding, output_size=size),
        layer(pooled, indices, output_size=size),
        rtol=0,
        atol=0,
    )


def test_max_unpool_restores_the_maxima_and_zeros_the_rest():
    x = torch.tensor([[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0]]])
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    assert max_unpool(pooled, indices, 2).tolist() == [[[0, 5, 0, 0], [0, 0, 8, 0]]]


def test_max_unpool_errors_say_what_to_do():
    x = torch.randn(1, 1, 5, 5)
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(ValueError, match="return_indices=True"):
        max_unpool(pooled, indices[..., :1], 2)
    with pytest.raises(ValueError, match="torch allows 3..5"):
        max_unpool(pooled, indices, 2, output_size=(7, 5))
    with pytest.raises(ValueError, match="pass the pooled map's input size"):
        max_unpool(pooled, indices + 30, 2)
    with pytest.raises(ValueError, match="scale must be >= 1"):
        unpool_nearest(x, 0)


def test_unpooling_walkthrough():
    from workbench.ops import unpooling_walkthrough

    x = torch.arange(36.0).reshape(6, 6)
    walk = unpooling_walkthrough(x, "max", 3)
    assert walk.pooled.tolist() == [[14, 17], [32, 35]]  # bottom-right of each 3x3 block
    assert walk.sources.tolist() == [[2, 2], [2, 5], [5, 2], [5, 5]]
    assert walk.output.count_nonzero() == 4 and walk.output[5, 5] == 35
    assert unpooling_walkthrough(x, "nearest", 3).output[0, 0] == 14
    assert unpooling_walkthrough(x, "bed of nails", 3).output[0, 0] == 14
    with pytest.raises(ValueError, match="choose one of nearest, bed of nails, max"):
        unpooling_walkthrough(x, "bilinear", 2)
    with pytest.raises(ValueError, match="H, W >= scale 7"):
        unpooling_walkthrough(x, "max", 7)
