"""The explicit convolution matrix V: V X' is the convolution, V^T X' the transposed convolution."""

import random

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import conv_matrix, conv_output_size


def _random_case(seed):
    rng = random.Random(seed)
    k = (rng.randint(1, 4), rng.randint(1, 4))
    s = (rng.randint(1, 3), rng.randint(1, 3))
    p = (rng.randint(0, 2), rng.randint(0, 2))
    size = tuple(rng.randint(max(1, kk - 2 * pp), 7) for kk, pp in zip(k, p))
    return size, k, s, p, rng.randint(1, 3), rng.randint(1, 3)


@pytest.mark.parametrize("seed", range(20))
def test_v_times_x_is_the_convolution(seed):
    size, k, s, p, c_in, c_out = _random_case(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(c_in, *size, generator=gen, dtype=torch.float64)
    w = torch.randn(c_out, c_in, *k, generator=gen, dtype=torch.float64)
    v = conv_matrix(size, w, stride=s, padding=p)
    out_size = conv_output_size(size, k, s, p)
    assert v.shape == (c_out * out_size[0] * out_size[1], c_in * size[0] * size[1])
    expected = F.conv2d(x[None], w, stride=s, padding=p).reshape(-1)
    torch.testing.assert_close(v @ x.reshape(-1), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(20))
def test_v_transpose_times_x_is_the_transposed_convolution(seed):
    size, k, s, p, c_in, c_out = _random_case(seed)
    gen = torch.Generator().manual_seed(seed)
    # the transposed conv's input lives in the conv's output space: (C_out_conv, H', W')
    small = conv_output_size(size, k, s, p)
    x = torch.randn(c_out, *small, generator=gen, dtype=torch.float64)
    w = torch.randn(c_out, c_in, *k, generator=gen, dtype=torch.float64)  # conv_transpose2d reads (C_in_t, C_out_t)
    # the output padding that brings the transposed conv back to `size`: S (N' - 1) + K - 2P + OP = N
    op = tuple(n - (ss * (m - 1) + kk - 2 * pp) for n, m, kk, ss, pp in zip(size, small, k, s, p))
    expected = F.conv_transpose2d(x[None], w, stride=s, padding=p, output_padding=op).reshape(-1)
    v = conv_matrix(size, w, stride=s, padding=p)
    torch.testing.assert_close(v.T @ x.reshape(-1), expected, rtol=0, atol=1e-10)


def test_layout_of_a_small_v():
    # 1D, input length 4, kernel [1, 2, 3], stride 1: each row is the kernel slid one step further
    v = conv_matrix(4, torch.tensor([[[1.0, 2.0, 3.0]]]))
    assert v.tolist() == [[1, 2, 3, 0], [0, 1, 2, 3]]
    # stride 2, padding 1: rows read input positions -1..1 and 1..3; taps in the padding are left out
    v = conv_matrix(4, torch.tensor([[[1.0, 2.0, 3.0]]]), stride=2, padding=1)
    assert v.tolist() == [[2, 3, 0, 0], [0, 1, 2, 3]]


def test_row_and_column_flattening_is_channel_major():
    w = torch.zeros(2, 3, 1, 1)
    w[1, 2] = 7.0  # output channel 1 reads input channel 2
    v = conv_matrix((2, 2), w)
    assert v.shape == (2 * 4, 3 * 4)
    assert v[1 * 4 + 3, 2 * 4 + 3] == 7.0  # row (1, 1, 1) -> 7, column (2, 1, 1) -> 11
    assert v.count_nonzero() == 4


def test_bad_arguments():
    with pytest.raises(ValueError, match="weight must be"):
        conv_matrix(4, torch.ones(3, 3))
    with pytest.raises(ValueError, match="input_size has 3 entries"):
        conv_matrix((4, 4, 4), torch.ones(1, 1, 3, 3))
    with pytest.raises(ValueError, match="does not fit"):
        conv_matrix(2, torch.ones(1, 1, 3, 3))
