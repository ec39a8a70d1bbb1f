"""The step-by-step scatter-add: each partial sum is the contribution of the positions seen so far."""

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import conv_matrix, equivalent_conv_input, equivalent_conv_weight, insert_zeros, scatter_steps


def test_steps_of_the_classic_2d_example():
    x = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    steps = scatter_steps(x, x)
    assert len(steps) == 4
    assert steps.positions.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert steps.windows[1].tolist() == [[0, 2], [1, 3]]
    # after (0, 0) (value 0) nothing; after (0, 1) (value 1) one copy of the kernel at column 1
    assert steps.outputs[0, 0, 0].tolist() == [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert steps.outputs[1, 0, 0].tolist() == [[0, 0, 1], [0, 2, 3], [0, 0, 0]]
    assert steps.outputs[-1, 0, 0].tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]


@pytest.mark.parametrize("stride,padding,output_padding", [(1, 0, 0), (2, 1, 1), (3, 2, 0), (2, 3, 1)])
def test_step_t_is_the_transposed_conv_of_the_first_t_positions(stride, padding, output_padding):
    gen = torch.Generator().manual_seed(stride * 10 + padding)
    x = torch.randn(2, 3, 3, 4, generator=gen, dtype=torch.float64)
    w = torch.randn(3, 2, 3, 3, generator=gen, dtype=torch.float64)
    steps = scatter_steps(x, w, stride, padding, output_padding)
    assert steps.canvases.shape[0] == steps.outputs.shape[0] == 12
    for t in range(12):
        masked = x.flatten(2).clone()
        masked[:, :, t + 1 :] = 0  # row-major positions after t are not added yet
        expected = F.conv_transpose2d(
            masked.reshape(x.shape), w, stride=stride, padding=padding, output_padding=output_padding
        )
        torch.testing.assert_close(steps.outputs[t], expected, rtol=0, atol=1e-10)
    (top, bottom), (left, right) = steps.crop.tolist()
    torch.testing.assert_close(steps.canvases[:, ..., top:bottom, left:right], steps.outputs)


def test_each_step_adds_one_column_of_v_transpose():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, 1, 3, 3, generator=gen, dtype=torch.float64)
    w = torch.randn(1, 1, 3, 3, generator=gen, dtype=torch.float64)
    steps = scatter_steps(x, w, stride=2, padding=1)
    out_h, out_w = steps.outputs.shape[-2:]
    v = conv_matrix((out_h, out_w), w, stride=2, padding=1)  # (9, H' W')
    for t in range(9):
        partial = v.T[:, : t + 1] @ x.reshape(-1)[: t + 1]
        torch.testing.assert_close(steps.outputs[t].reshape(-1), partial, rtol=0, atol=1e-10)


def test_1d_and_unbatched_layouts():
    steps = scatter_steps(torch.tensor([[1.0, 2.0]]), torch.tensor([[[3.0, 4.0]]]), stride=2)
    assert steps.positions.tolist() == [[0], [1]]
    assert steps.windows.tolist() == [[[0, 2]], [[2, 4]]]
    assert steps.outputs.tolist() == [[[3, 4, 0, 0]], [[3, 4, 6, 8]]]
    assert steps.crop.tolist() == [[0, 4]]


def test_zero_stuffing_and_flipped_kernel():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert insert_zeros(x, (2, 3)).tolist() == [[1, 0, 0, 2], [0, 0, 0, 0], [3, 0, 0, 4]]
    w = torch.arange(8.0).reshape(1, 2, 2, 2)
    flipped = equivalent_conv_weight(w)
    assert flipped.shape == (2, 1, 2, 2)
    assert flipped[1, 0].tolist() == [[7, 6], [5, 4]]
    # kernel 3, padding 0: K - P - 1 = 2 zeros around the stuffed input, output padding one more at the end
    z = equivalent_conv_input(x[None, None], torch.ones(1, 1, 3, 3), stride=2, output_padding=1)
    assert z.shape == (1, 1, 3 + 4 + 1, 3 + 4 + 1)
    assert z[0, 0, 2:5, 2:5].tolist() == [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
    assert z.sum() == x.sum()
    # padding larger than K - 1 crops the stuffed input instead
    # (kernel 2, padding 2: K - P - 1 = -1; stuffed 5x5 cropped by one on each side, output 3x3)
    z = equivalent_conv_input(x[None, None], torch.ones(1, 1, 2, 2), stride=4, padding=2)
    assert z.shape == (1, 1, 3, 3) and z.sum() == 0
