"""Tiny data and a tiny model shared by the engine tests (8 + 4 synthetic images of 32 x 32)."""

import pytest
import torch
from torch import nn

from workbench.data import SyntheticShapes, train_transforms


@pytest.fixture(scope="module")
def tiny_data():
    """Training data with random scale/crop/flip/jitter (so augmentation randomness is exercised) and val data."""
    train = SyntheticShapes(num_images=8, image_size=(32, 32), seed=1, transform=train_transforms(32))
    return train, SyntheticShapes(num_images=4, image_size=(32, 32), seed=2)


class TinyNet(nn.Sequential):
    """Conv-BN-ReLU-Dropout-Conv: BatchNorm buffers and dropout randomness make resumption non-trivial."""

    def __init__(self, num_classes=7, seed=0):
        torch.manual_seed(seed)
        super().__init__(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Dropout2d(0.2), nn.Conv2d(8, num_classes, 1)
        )


@pytest.fixture
def tiny_net():
    return TinyNet
