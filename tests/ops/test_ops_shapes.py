"""Shape arithmetic both ways, against the layers torch builds."""

import itertools

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import conv_output_size, conv_transpose_output_size

SWEEP = list(itertools.product(range(1, 8), range(1, 5), range(1, 4), range(0, 3), range(1, 3)))


@pytest.mark.parametrize("n,k,s,p,d", SWEEP[::3])
def test_conv_output_size_matches_conv1d(n, k, s, p, d):
    x, w = torch.zeros(1, 1, n), torch.zeros(1, 1, k)
    try:
        expected = F.conv1d(x, w, stride=s, padding=p, dilation=d).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError, match="does not fit"):
            conv_output_size(n, k, s, p, d)
        return
    assert conv_output_size(n, k, s, p, d) == expected


@pytest.mark.parametrize("n,k,s,p,d", SWEEP[1::3])
def test_conv_transpose_output_size_matches_torch(n, k, s, p, d):
    for op in range(max(s, d)):
        x, w = torch.zeros(1, 1, n), torch.zeros(1, 1, k)
        try:
            expected = F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=op, dilation=d).shape[-1]
        except RuntimeError:
            with pytest.raises(ValueError, match="crops the whole output"):
                conv_transpose_output_size(n, k, s, p, op, d)
            continue
        assert conv_transpose_output_size(n, k, s, p, op, d) == expected


def test_the_two_formulas_invert_each_other():
    # the convolution maps the S sizes n_t(op), op = 0..S-1, all to n: output_padding picks one of them
    for n, k, s, p, op in itertools.product(range(1, 8), range(1, 5), range(1, 4), range(0, 3), range(3)):
        if op >= s:
            continue
        try:
            up = conv_transpose_output_size(n, k, s, p, op)
        except ValueError:
            continue
        assert conv_output_size(up, k, s, p) == n
        assert up == s * (n - 1) + k - 2 * p + op


def test_textbook_formulas():
    # N' = floor((N - K + 2P) / S) + 1 and N = S (N' - 1) + K - 2P
    assert conv_output_size(5, 3, stride=2, padding=1) == 3
    assert conv_transpose_output_size(3, 3, stride=2, padding=1) == 5
    assert conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1) == 6
    assert conv_output_size(224, 7, stride=2, padding=3) == 112


def test_tuples_per_dimension():
    assert conv_output_size((5, 8), 3, stride=(1, 2)) == (3, 3)
    assert conv_transpose_output_size((3, 3), (3, 4), stride=2, output_padding=(0, 1)) == (7, 9)
    with pytest.raises(ValueError, match="one entry per spatial dimension"):
        conv_output_size((5, 8), (3, 3, 3))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: conv_transpose_output_size(3, 3, stride=2, output_padding=2), "smaller than stride"),
        (lambda: conv_output_size(3, 3, stride=0), "stride must be >= 1"),
        (lambda: conv_output_size(3, 2.5), "kernel_size must be an integer"),
        (lambda: conv_output_size(True, 1), "input size must be an integer"),
        (lambda: conv_output_size(2, 5), "does not fit an input of size 2"),
        (lambda: conv_transpose_output_size(1, 1, padding=1), "use padding <= 0"),
    ],
)
def test_bad_arguments_name_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()
