"""Segmenting one photo: the scale the model sees, the banded upsampling, the shares, the run's training size."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from workbench.data import Classes
from workbench.engine import photo
from workbench.engine.photo import model_input_size, segment_photo, training_size, upsampled_argmax


@pytest.mark.parametrize("size", [(40, 50), (600, 31), (7, 9), (13, 17)])
def test_banded_upsampling_equals_one_bilinear_interpolation(size, monkeypatch):
    monkeypatch.setattr(photo, "BAND_ROWS", 5)  # several bands, and a last one that is short
    logits = torch.randn(5, 13, 17, generator=torch.Generator().manual_seed(0))
    expected = F.interpolate(logits[None], size=size, mode="bilinear", align_corners=False).argmax(1)[0]
    torch.testing.assert_close(upsampled_argmax(logits, size), expected)


def test_the_longer_side_becomes_the_training_size():
    assert model_input_size((480, 640), 64) == (48, 64)
    assert model_input_size((20, 10), 64) == (64, 32)  # small photos are scaled up to the training scale
    assert model_input_size((3000, 4000), None) == (768, 1024)  # unknown scale: the photo's own, at most 1024
    assert model_input_size((300, 400), None) == (300, 400)


class Halves(nn.Module):
    """Class 1 on the left half of the model's input, class 0 on the right: predictable at any scale."""

    def __init__(self):
        super().__init__()
        self.seen = None
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, images):
        self.seen = tuple(images.shape[-2:])
        n, _, h, w = images.shape
        left = (torch.arange(w) < w / 2).float().expand(n, h, w)
        return torch.stack([1 - left, left], dim=1)


def test_a_photo_is_scaled_for_the_model_and_its_mask_has_the_photo_size():
    model = Halves()
    result = segment_photo(model, np.zeros((30, 80, 3), np.uint8), size=16)
    assert model.seen == (6, 16) and result.input_size == (6, 16) and result.mask.shape == (30, 80)
    assert (result.mask[:, :40] == 1).all() and (result.mask[:, 40:] == 0).all()
    np.testing.assert_allclose(result.shares, [0.5, 0.5])
    table = result.shares_table(Classes(("road", "car"), ((0, 0, 0), (255, 0, 0))))
    assert list(table.index) == ["road", "car"] and table["pixels"].sum() == 30 * 80
    with pytest.raises(ValueError, match=r"expected a uint8 \(H, W, 3\) RGB photo, got float32"):
        segment_photo(model, np.zeros((4, 4, 3), np.float32))


def test_training_size_from_the_crop_size_of_the_config(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"config": {"crop_size": [48, 96]}}))
    assert training_size(tmp_path) == 96
    (tmp_path / "config.json").write_text(json.dumps({"config": {"crop_size": None}}))
    assert training_size(tmp_path) is None  # whole dataset images, and no record to say more
