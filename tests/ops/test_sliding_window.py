"""Sliding window against the convolutionalised network: the same scores at every window position."""

import pytest
import torch

from workbench.analysis.patch_classifier import PatchClassifier, convolutionalize
from workbench.ops import sliding_window, window_grid


@pytest.fixture
def classifier():
    torch.manual_seed(0)
    return PatchClassifier(5, patch_size=22, width=4, hidden=8).double().eval()


@pytest.mark.parametrize("size", [(22, 22), (37, 41), (50, 29)])
def test_convolutionalised_equals_sliding_window_at_every_position(classifier, size):
    images = torch.randn(2, 3, *size, dtype=torch.float64)
    with torch.no_grad():
        windows = sliding_window(classifier, images, 22, classifier.stride, batch_size=7)
        dense = convolutionalize(classifier).double()(images)
    assert windows.shape == dense.shape == (2, 5, *window_grid(size, 22, 4))
    torch.testing.assert_close(windows, dense, rtol=1e-12, atol=1e-12)


def test_each_window_is_the_classifier_on_that_crop(classifier):
    images = torch.randn(1, 3, 30, 31, dtype=torch.float64)
    with torch.no_grad():
        scores = sliding_window(classifier, images, 22, 3)
        crop = classifier(images[:, :, 6:28, 3:25])
    torch.testing.assert_close(scores[:, :, 2, 1], crop, rtol=1e-12, atol=1e-12)  # batched matmul: last-bit order


def test_convolutionalised_copy_shares_no_weights(classifier):
    net = convolutionalize(classifier)
    with torch.no_grad():
        net[-1].bias.add_(1)
    assert not torch.equal(net[-1].bias, classifier.fc2.bias)


def test_bad_sizes_say_what_is_allowed():
    with pytest.raises(ValueError, match="2 mod 4"):
        PatchClassifier(3, patch_size=32)
    with pytest.raises(ValueError, match="smaller than the 30-pixel window"):
        window_grid((20, 40), 30, 4)
