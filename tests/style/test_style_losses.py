"""Gram matrix, content, style and total-variation losses against hand computations; StyleConfig checks."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from workbench.style import StyleConfig, content_loss, gram_matrix, style_budget, style_loss, total_variation


def test_gram_matrix_matches_hand_computation():
    features = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [0.0, 1.0]]])  # (C=2, H=2, W=2)
    # F = [[1, 2, 3, 4], [0, 1, 0, 1]]; F F^T = [[30, 6], [6, 2]]; divided by C*H*W = 8
    expected = torch.tensor([[3.75, 0.75], [0.75, 0.25]])
    torch.testing.assert_close(gram_matrix(features), expected)
    torch.testing.assert_close(gram_matrix(features[None]), expected[None])


def test_gram_matrix_rejects_flat_features():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        gram_matrix(torch.ones(4, 5))


def test_style_loss_is_mse_of_grams_and_ignores_image_size():
    generator = torch.Generator().manual_seed(0)
    small, large = torch.rand(1, 3, 4, 4, generator=generator), torch.rand(1, 3, 9, 7, generator=generator)
    target = gram_matrix(large)
    assert style_loss(small, target) == pytest.approx(F.mse_loss(gram_matrix(small), target).item())
    assert style_loss(large, target).item() == 0.0
    # a tiled copy has the same channel statistics, hence the same normalised Gram
    assert style_loss(small.repeat(1, 1, 2, 3), gram_matrix(small)).item() == pytest.approx(0.0, abs=1e-12)


def test_content_loss_is_mean_squared_difference():
    a, b = torch.zeros(1, 2, 2, 2), torch.full((1, 2, 2, 2), 3.0)
    assert content_loss(a, b).item() == 9.0


def test_total_variation_matches_hand_computation():
    image = torch.tensor([[[0.0, 1.0], [3.0, 5.0]]])  # (1, 2, 2)
    # vertical |3-0|, |5-1| -> mean 3.5; horizontal |1-0|, |5-3| -> mean 1.5
    assert total_variation(image).item() == pytest.approx(5.0)
    assert total_variation(torch.full((1, 3, 4, 4), 0.7)).item() == 0.0


def test_config_defaults_follow_gatys():
    config = StyleConfig()
    assert config.content_layer == "conv4_2"
    assert [layer for layer, _ in config.style_layers] == ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
    assert config.layers[0] == "conv4_2" and len(config.layers) == 6
    assert config.learning_rate == 1.0
    assert dataclasses.replace(config, optimizer="adam").learning_rate == 0.02
    assert dataclasses.replace(config, optimizer="adam", lr=0.5).learning_rate == 0.5


@pytest.mark.parametrize(
    "change, message",
    [
        ({"optimizer": "sgd"}, "optimizer 'sgd'"),
        ({"init": "zeros"}, "init 'zeros'"),
        ({"style_layers": ()}, "style_layers is empty"),
        ({"style_layers": (("conv1_1", 1.0), ("conv1_1", 2.0))}, "listed twice"),
        ({"steps": 0}, "steps"),
        ({"tv_weight": -1.0}, ">= 0"),
    ],
)
def test_config_rejects_bad_values(change, message):
    with pytest.raises(ValueError, match=message):
        StyleConfig(**change)


def test_style_budget_follows_the_device_and_explicit_values_win():
    cpu, gpu = style_budget("cpu"), style_budget("cuda")
    assert cpu["optimizer"] == "adam" and cpu["image_size"] < gpu["image_size"] and gpu["optimizer"] == "lbfgs"
    assert style_budget("cpu", steps=7, image_size=None)["steps"] == 7
    assert style_budget("cpu", image_size=None)["image_size"] == cpu["image_size"]
    assert style_budget("mps") == cpu
    StyleConfig(**gpu)  # every budget is a valid config
    with pytest.raises(ValueError, match="not budget fields"):
        style_budget("cpu", stepz=3)
