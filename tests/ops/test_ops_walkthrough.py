"""The single-channel walkthrough behind TransposedConvExplorer: every view agrees with torch."""

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import transposed_conv_walkthrough
from workbench.ops.walkthrough import INPUT_PIXEL, INSERTED_ZERO, PADDING


@pytest.mark.parametrize("size,k,s,p,op", [(2, 2, 1, 0, 0), (3, 3, 2, 1, 1), (4, 2, 3, 0, 2), (3, 3, 2, 3, 0)])
def test_views_agree(size, k, s, p, op):
    x = torch.arange(size * size, dtype=torch.float64).reshape(size, size)
    w = torch.arange(k * k, dtype=torch.float64).reshape(k, k) - 1
    walk = transposed_conv_walkthrough(x, w, stride=s, padding=p, output_padding=op)
    expected = F.conv_transpose2d(x[None, None], w[None, None], stride=s, padding=p, output_padding=op)[0, 0]
    torch.testing.assert_close(walk.output, expected)
    torch.testing.assert_close(walk.matrix.T @ x.reshape(-1), expected.reshape(-1))
    torch.testing.assert_close(F.conv2d(walk.conv_input[None, None], walk.conv_kernel[None, None])[0, 0], expected)
    assert walk.shapes["output"] == tuple(expected.shape) == tuple(walk.steps.outputs.shape[1:])
    assert walk.shapes["canvas"] == tuple(walk.steps.canvases.shape[1:])
    assert walk.shapes["matrix"] == tuple(walk.matrix.shape)
    assert walk.shapes["conv_back"] == (size, size)
    assert walk.shapes["conv_input"] == tuple(walk.conv_input.shape)


def test_roles_of_the_equivalent_conv_input():
    x = torch.ones(2, 2)
    walk = transposed_conv_walkthrough(x, torch.ones(3, 3), stride=2, output_padding=1)
    roles = walk.conv_input_roles
    # stuffed 3x3 with 2 zeros of padding around, one more row/column at the bottom/right
    assert roles.shape == (8, 8)
    assert (roles == INPUT_PIXEL).sum() == 4
    assert (roles == INSERTED_ZERO).sum() == 9 - 4
    assert (roles == PADDING).sum() == 64 - 9
    assert roles[2, 2] == INPUT_PIXEL and roles[2, 3] == INSERTED_ZERO and roles[7, 7] == PADDING
    torch.testing.assert_close(walk.conv_input[roles == INPUT_PIXEL], x.reshape(-1))


def test_walkthrough_refuses_batched_input():
    with pytest.raises(ValueError, match=r"one \(H, W\) input"):
        transposed_conv_walkthrough(torch.ones(1, 2, 2), torch.ones(2, 2))
