"""Pad-then-crop: how every model takes any input size."""

import torch
from torch import nn

from workbench.models.padding import PadCrop, crop_to, pad_to_multiple


def test_pad_to_multiple_pads_bottom_right_with_zeros():
    images = torch.randn(2, 3, 33, 64)

    padded = pad_to_multiple(images, 32)

    assert padded.shape == (2, 3, 64, 64)
    assert torch.equal(crop_to(padded, (33, 64)), images)  # top-left kept in place
    assert padded[..., 33:, :].abs().sum() == 0


def test_pad_to_multiple_returns_input_when_already_divisible():
    images = torch.randn(1, 3, 64, 96)
    assert pad_to_multiple(images, 32) is images


class _NeedsMultiple(nn.Module):
    """Refuses sizes not divisible by 16, like smp models; copies channel 0 so alignment is visible."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Identity()

    def forward(self, x):
        assert x.shape[-2] % 16 == 0 and x.shape[-1] % 16 == 0, x.shape
        return x[:, :1] * 2


def test_padcrop_runs_any_size_and_keeps_pixels_aligned():
    model = PadCrop(_NeedsMultiple(), multiple=16)
    images = torch.randn(2, 3, 17, 45)

    out = model(images)

    assert out.shape == (2, 1, 17, 45)
    assert torch.equal(out, images[:, :1] * 2)
    assert model.encoder is model.net.encoder
