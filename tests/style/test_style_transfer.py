"""transfer() offline with a tiny random-weight VGG19: losses fall, stages are kept, images stay valid."""

import dataclasses

import pandas as pd
import pytest
import torch

from workbench.style import StyleConfig, gram_matrix, transfer

TINY = StyleConfig(image_size=None, stage_every=5)
LOSS_KEYS = {"total", "content", "style", "tv"} | {f"style/{layer}" for layer, _ in TINY.style_layers}


def check_losses_add_up(losses: dict):
    assert set(losses) == LOSS_KEYS
    assert losses["total"] == pytest.approx(losses["content"] + losses["style"] + losses["tv"], rel=1e-5)
    assert losses["style"] == pytest.approx(sum(v for k, v in losses.items() if k.startswith("style/")), rel=1e-5)


def test_adam_lowers_the_loss_and_keeps_stages(tiny_extractor, images):
    config = dataclasses.replace(TINY, optimizer="adam", steps=20)
    result = transfer(*images, extractor=tiny_extractor, config=config, progress=False)
    history = result.history
    assert isinstance(history, pd.DataFrame) and list(history.index) == list(range(21))
    assert history["total"].iloc[-1] < 0.5 * history["total"].iloc[0]
    assert [stage.step for stage in result.stages] == [0, 5, 10, 15, 20]
    for stage in result.stages:
        check_losses_add_up(stage.losses)
        assert stage.losses["total"] == pytest.approx(history.loc[stage.step, "total"])
        assert stage.image.shape == (3, 32, 32) and 0 <= stage.image.min() and stage.image.max() <= 1
    assert torch.equal(result.image, result.stages[-1].image)
    assert torch.equal(result.stages[0].image, images[0])  # started from the content image
    assert "random weights" in result.extractor


def test_lbfgs_lowers_the_loss(tiny_extractor, images):
    config = dataclasses.replace(TINY, optimizer="lbfgs", steps=5, stage_every=2)
    result = transfer(*images, extractor=tiny_extractor, config=config, progress=False)
    assert [stage.step for stage in result.stages] == [0, 2, 4, 5]
    assert result.history["total"].iloc[-1] < 0.8 * result.history["total"].iloc[0]
    assert result.history.notna().all().all()


def test_lbfgs_accepts_a_channels_last_image(tiny_extractor, images):
    content = images[0].permute(1, 2, 0).contiguous().permute(2, 0, 1)  # (3, H, W) view of (H, W, 3) memory
    config = dataclasses.replace(TINY, optimizer="lbfgs", steps=2)
    result = transfer(content, images[1], extractor=tiny_extractor, config=config, progress=False)
    assert result.history["total"].iloc[-1] < result.history["total"].iloc[0]


def test_stage_grams_are_those_of_the_stage_image(tiny_extractor, images):
    config = dataclasses.replace(TINY, optimizer="adam", steps=3, stage_every=3)
    result = transfer(*images, extractor=tiny_extractor, config=config, progress=False)
    stage = result.stages[-1]
    features = tiny_extractor(stage.image[None], ["conv3_1"])["conv3_1"]
    torch.testing.assert_close(torch.from_numpy(stage.grams["conv3_1"]), gram_matrix(features)[0])
    style_features = tiny_extractor(images[1][None], ["conv1_1"])["conv1_1"]
    torch.testing.assert_close(torch.from_numpy(result.style_grams["conv1_1"]), gram_matrix(style_features)[0])
    assert result.style_grams["conv5_1"].shape == stage.grams["conv5_1"].shape == (32, 32)


def test_noise_start_is_seeded(tiny_extractor, images):
    def first_image(seed):
        config = dataclasses.replace(TINY, init="noise", seed=seed, optimizer="adam", steps=1)
        return transfer(*images, extractor=tiny_extractor, config=config, progress=True).stages[0].image

    assert torch.equal(first_image(0), first_image(0))
    assert not torch.equal(first_image(0), first_image(1))


def test_resizes_to_image_size_keeping_aspect(tiny_extractor):
    content, style = torch.rand(3, 60, 45), (torch.rand(3, 24, 48) * 255).to(torch.uint8)
    config = StyleConfig(image_size=40, optimizer="adam", steps=1)
    result = transfer(content, style, extractor=tiny_extractor, config=config, progress=False)
    assert result.image.shape == (3, 40, 30) and result.style.shape == (3, 20, 40)


def test_image_too_small_for_the_cnn_is_explained(tiny_extractor):
    with pytest.raises(ValueError, match="8x8 .* too small .*conv5_1"):
        transfer(torch.rand(3, 8, 8), torch.rand(3, 8, 8), extractor=tiny_extractor, config=TINY, progress=False)


def test_parameters_of_the_cnn_get_no_gradients(tiny_extractor, images):
    transfer(*images, extractor=tiny_extractor, config=dataclasses.replace(TINY, steps=2), progress=False)
    assert all(p.grad is None for p in tiny_extractor.parameters())


def test_normalised_input_is_refused_with_a_hint(tiny_extractor, images):
    with pytest.raises(ValueError, match="content image has values in .*denormalize"):
        transfer(images[0] * 4 - 2, images[1], extractor=tiny_extractor, config=TINY, progress=False)


def test_layer_missing_from_the_cnn_is_named(tiny_extractor, images):
    config = dataclasses.replace(TINY, content_layer="conv6_1")
    with pytest.raises(ValueError, match="unknown layer 'conv6_1'"):
        transfer(*images, extractor=tiny_extractor, config=config, progress=False)


def test_non_finite_loss_stops_with_advice(tiny_extractor, images):
    config = dataclasses.replace(TINY, tv_weight=float("inf"), optimizer="adam")
    with pytest.raises(FloatingPointError, match="at step 0; lower lr"):
        transfer(*images, extractor=tiny_extractor, config=config, progress=False)


@pytest.mark.gpu
def test_runs_on_cuda_where_the_tensors_are(tiny_extractor, images):
    content, style = (x.cuda() for x in images)
    config = dataclasses.replace(TINY, optimizer="adam", steps=5)
    result = transfer(content, style, extractor=tiny_extractor, config=config, progress=False)
    assert result.image.device.type == "cpu" and result.history["total"].iloc[-1] < result.history["total"].iloc[0]
    tiny_extractor.to("cpu")  # the module fixture is shared with CPU tests
