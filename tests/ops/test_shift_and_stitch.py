"""Shift-and-stitch (Long et al. 3.2) equals the dense evaluation: pooling at stride 1, later layers dilated."""

import pytest
import torch
from torch import nn

from workbench.analysis.patch_classifier import PatchClassifier, convolutionalize
from workbench.ops import dense_network, shift_and_stitch, total_stride


def pooled_net():
    torch.manual_seed(1)
    return (
        nn.Sequential(
            nn.Conv2d(3, 4, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 4, 3),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=3),
            nn.Conv2d(4, 2, 2),
        )
        .double()
        .eval()
    )


@pytest.mark.parametrize("size", [(31, 31), (40, 35)])
def test_stitched_output_equals_the_dense_network(size):
    net = pooled_net()
    images = torch.randn(2, 3, *size, dtype=torch.float64)
    with torch.no_grad():
        stitched = shift_and_stitch(net, images, total_stride(net))
        dense = dense_network(net)(images)
    assert total_stride(net) == 6 and stitched.shape[-2:] == dense.shape[-2:]
    torch.testing.assert_close(stitched, dense, rtol=1e-12, atol=1e-12)


def test_every_stitched_unit_comes_from_its_shifted_pass():
    net = pooled_net()
    images = torch.randn(1, 3, 33, 34, dtype=torch.float64)
    with torch.no_grad():
        stitched = shift_and_stitch(net, images, 6)
        shifted = net(images[..., 2:, 5:])
    torch.testing.assert_close(
        stitched[..., 2::6, 5::6],
        shifted[..., : len(range(2, stitched.shape[-2], 6)), : len(range(5, stitched.shape[-1], 6))],
        rtol=1e-12,
        atol=1e-12,
    )


def test_convolutionalised_patch_classifier_scores_every_window_by_stitching():
    classifier = PatchClassifier(3, patch_size=18, width=4, hidden=6).double().eval()
    images = torch.randn(1, 3, 26, 27, dtype=torch.float64)
    with torch.no_grad():
        stitched = shift_and_stitch(convolutionalize(classifier).double(), images, 4)
        corner = classifier(images[:, :, 5:23, 7:25])
    assert stitched.shape[-2:] == (26 - 18 + 1, 27 - 18 + 1)
    torch.testing.assert_close(stitched[:, :, 5, 7], corner, rtol=1e-12, atol=1e-12)


def test_dense_network_leaves_the_original_alone_and_refuses_other_layers():
    net = pooled_net()
    dense_network(net)
    assert net[2].stride == 2 and net[3].dilation == (1, 1)
    with pytest.raises(ValueError, match="AvgPool2d is neither"):
        dense_network(nn.Sequential(nn.Conv2d(3, 3, 3), nn.AvgPool2d(2)))
