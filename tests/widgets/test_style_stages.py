"""StyleStages driven through its controls, as a notebook user would, without a browser."""
import dataclasses
import warnings

import numpy as np
import pytest
import torch

from workbench.style import StyleConfig, random_vgg19_features, transfer
from workbench.viz.style_figures import image_array
from workbench.widgets import style_stages
from workbench.widgets.style_stages import StyleStages, gram_limits

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def result():
    """Eight Adam steps on 32x32 random images, a stage every four: stages at steps 0, 4, 8."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: one thread is faster on a busy machine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # untrained-features warning, tested in tests/style
        extractor = random_vgg19_features(base_width=4)
    generator = torch.Generator().manual_seed(0)
    content, style = torch.rand(3, 32, 32, generator=generator), torch.rand(3, 32, 32, generator=generator)
    config = StyleConfig(image_size=None, optimizer="adam", steps=8, stage_every=4)
    run = transfer(content, style, extractor=extractor, config=config, progress=False)
    torch.set_num_threads(threads)
    return run


def test_starts_at_the_last_stage(result):
    w = StyleStages(result, dpi=40)
    assert w.stage.max == 2 and w.stage.value == 2
    assert w.current_stage.step == 8 and w.shown["marker_step"] == 8
    assert w.layer.value == "conv1_1" and bytes(w.view.value).startswith(PNG)


def test_stage_slider_changes_image_marker_gram_and_text(result):
    w = StyleStages(result, dpi=40)
    w.stage.value = 1
    stage = result.stages[1]
    shown = w.shown
    assert w.current_stage is stage and shown["step"] == 4 and shown["marker_step"] == 4
    np.testing.assert_array_equal(shown["image"], image_array(stage.image))
    np.testing.assert_array_equal(shown["gram_stage"], stage.grams["conv1_1"])
    assert "step 4" in w.info.value and f"{stage.losses['total']:.4g}" in w.info.value


def test_layer_dropdown_changes_both_grams_and_their_common_range(result):
    w = StyleStages(result, layer="conv2_1", dpi=40)
    before = w.view.value
    w.layer.value = "conv5_1"
    shown = w.shown
    np.testing.assert_array_equal(shown["gram_target"], result.style_grams["conv5_1"])
    np.testing.assert_array_equal(shown["gram_stage"], result.stages[-1].grams["conv5_1"])
    assert shown["gram_stage"].shape == (32, 32)
    assert w._artists["gram_stage"].get_clim() == w._artists["gram_target"].get_clim() == gram_limits(result, "conv5_1")
    assert w.view.value != before


def test_callbacks_reuse_what_the_constructor_prepared(result, monkeypatch):
    w = StyleStages(result, dpi=40)

    def refuse(*args, **kwargs):
        raise AssertionError("computed inside a callback")

    monkeypatch.setattr(style_stages, "image_array", refuse)
    monkeypatch.setattr(style_stages, "gram_limits", refuse)
    w.stage.value = 0
    w.layer.value = "conv3_1"
    assert w.shown["step"] == 0


def test_unknown_layer_is_refused(result):
    with pytest.raises(ValueError, match="'conv4_2' is not a style layer .*conv1_1"):
        StyleStages(result, layer="conv4_2")
    empty = dataclasses.replace(result, stages=[])
    with pytest.raises(ValueError, match="no stages"):
        StyleStages(empty)
