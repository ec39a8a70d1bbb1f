"""FCN (Long et al., CVPR 2015): bilinear-initialised transposed convolutions, skips, hookable layers."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from workbench.models import FCN, bilinear_kernel, bilinear_upsampling, create_model


def test_bilinear_kernel_matches_the_caffe_filter():
    # surgery.upsample_filt(4): factor 2, centre 1.5 -> taps 0.25, 0.75, 0.75, 0.25
    taps = torch.tensor([0.25, 0.75, 0.75, 0.25])
    torch.testing.assert_close(bilinear_kernel(2), torch.outer(taps, taps))


@pytest.mark.parametrize("factor", [2, 8, 32])
def test_upsampling_equals_bilinear_interpolation_away_from_borders(factor):
    layer = bilinear_upsampling(3, factor)
    x = torch.randn(1, 3, 5, 6)

    up = layer(x)
    ref = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)

    assert up.shape == (1, 3, 5 * factor, 6 * factor)
    inner = slice(factor, -factor)  # border pixels see the zero padding, interpolate replicates the edge
    torch.testing.assert_close(up[..., inner, inner], ref[..., inner, inner])


def test_upsampling_keeps_a_constant_map_constant_inside_and_channels_apart():
    layer = bilinear_upsampling(2, 16)
    x = torch.stack([torch.full((4, 4), 3.0), torch.zeros(4, 4)])[None]

    up = layer(x)

    torch.testing.assert_close(up[0, 0, 16:-16, 16:-16], torch.full((32, 32), 3.0))
    assert up[0, 1].abs().max() == 0  # no mixing between classes at initialisation
    assert layer.bias is None and layer.weight.requires_grad


def test_odd_factor_refused():
    with pytest.raises(ValueError, match="even"):
        bilinear_upsampling(2, 3)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("fcn32s", {"upscore32": (96, 128)}),
        ("fcn16s", {"upscore2": (6, 8), "upscore16": (96, 128)}),
        ("fcn8s", {"upscore2": (6, 8), "upscore_pool4": (12, 16), "upscore8": (96, 128)}),
    ],
)
def test_upsample_layers_are_named_and_hookable(name, expected):
    model = create_model(name, 4).eval()
    assert model.upsample_names == tuple(expected)  # coarse to fine
    outputs = {}
    for layer_name in model.upsample_names:
        layer = getattr(model, layer_name)
        assert isinstance(layer, nn.ConvTranspose2d)
        layer.register_forward_hook(lambda mod, inp, out, key=layer_name: outputs.__setitem__(key, out))

    with torch.no_grad():
        logits = model(torch.randn(1, 3, 90, 100))  # padded to 96 x 128 inside

    assert {k: tuple(v.shape[-2:]) for k, v in outputs.items()} == expected
    assert all(v.shape[:2] == (1, 4) for v in outputs.values())
    torch.testing.assert_close(logits, outputs[model.upsample_names[-1]][..., :90, :100])


def test_skip_scores_start_at_zero_so_fcn16s_begins_as_upsampled_fcn32s():
    model = FCN(3, logit_stride=16).eval()
    assert model.score_pool4.weight.abs().sum() == 0 and model.score_pool4.bias.abs().sum() == 0
    images = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        _, _, c32 = model.encoder(images)
        coarse = model.upscore16(model.upscore2(model.score_fr(c32)))
        torch.testing.assert_close(model(images), coarse)


def test_frozen_upsampling_option():
    model = FCN(3, logit_stride=8, learn_upsampling=False)
    assert not any(getattr(model, n).weight.requires_grad for n in model.upsample_names)
    assert model.score_pool3.weight.requires_grad


def test_bad_logit_stride():
    with pytest.raises(ValueError, match="32, 16 or 8"):
        FCN(3, logit_stride=4)


def test_resnet50_backbone_channels():
    model = FCN(2, encoder="resnet50", logit_stride=8)
    assert model.score_fr.in_channels == 2048 and model.score_pool3.in_channels == 512
