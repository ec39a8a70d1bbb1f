"""Fixtures for the style-transfer tests: one thread (tiny tensors run faster so on a busy 2-core machine)
and a narrow random-weight VGG19 built once."""

import warnings

import pytest
import torch

from workbench.style import random_vgg19_features


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def tiny_extractor():
    """VGG19 layer layout with 4..32 channels and random weights: fast, offline, untrained."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the untrained-features warning has its own test
        return random_vgg19_features(base_width=4, seed=0)


@pytest.fixture
def images():
    """A 32x32 content image and a 40x32 style image in [0, 1]."""
    generator = torch.Generator().manual_seed(1)
    content = torch.rand(3, 32, 32, generator=generator)
    style = torch.rand(3, 40, 32, generator=generator)
    return content, style
