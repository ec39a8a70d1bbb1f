"""StyleStages driven through its controls, as a notebook user would, without a browser."""

import dataclasses
import io
import warnings

import numpy as np
import pytest
import torch
from matplotlib import colormaps
from PIL import Image

from workbench.style import StyleConfig, random_vgg19_features, transfer
from workbench.viz.style_figures import image_array
from workbench.widgets import style_stages
from workbench.widgets.style_stages import StyleStages, gram_limits, stage_title

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
    assert w.current_stage.step == 8 and w.shown["step"] == 8
    assert w.layer.value == "conv1_1" and bytes(w.view.value).startswith(PNG)
    assert w.shown["title"].startswith("stage 3 of 3, step 8")  # 1-based stage numbers, in the picture
    assert w.info.value.startswith("style per layer: conv1_1 ")


def test_stage_slider_shows_that_stages_picture_and_numbers_together(result):
    w = StyleStages(result, dpi=40)
    w.stage.value = 1
    stage, shown = result.stages[1], w.shown
    assert w.current_stage is stage and shown["step"] == 4
    np.testing.assert_array_equal(shown["image"], image_array(stage.image))
    np.testing.assert_array_equal(shown["gram_stage"], stage.grams["conv1_1"])
    # the picture on display is the one rendered for stage 1, whose title carries the same losses
    assert shown["pngs"]["stage"] == w.stage_pngs[1] != w.stage_pngs[2]
    assert shown["title"] == stage_title(1, result) and f"{stage.losses['total']:.3g}" in shown["title"]
    assert f"conv5_1 {stage.losses['style/conv5_1']:.3g}" in w.info.value
    assert shown["pngs"]["gram_stage"] == w.gram_pngs["conv1_1"][1]


def test_gram_pictures_use_the_layers_common_range(result):
    w = StyleStages(result, layer="conv2_1", dpi=40)
    w.layer.value = "conv5_1"
    shown = w.shown
    low, high = gram_limits(result, "conv5_1")
    assert shown["gram_limits"] == (low, high)
    # decode the palette PNG and compare its colours with an independent mapping of the Gram matrix
    decoded = np.asarray(Image.open(io.BytesIO(shown["pngs"]["gram_stage"])).convert("RGB"))
    gram = result.stages[-1].grams["conv5_1"]
    grams = [result.style_grams["conv5_1"], *(s.grams["conv5_1"] for s in result.stages)]
    assert low == min(g.min() for g in grams) and high == max(np.percentile(g, 99) for g in grams)
    expected = colormaps["magma"](np.clip((gram - low) / (high - low), 0, 1))[..., :3] * 255
    assert decoded.shape == (32, 32, 3)
    assert np.abs(decoded.astype(float) - expected).max() <= 6  # 256 colour levels
    assert shown["pngs"]["gram_target"] == w.target_pngs["conv5_1"] != w.target_pngs["conv2_1"]


def test_callbacks_only_swap_what_the_constructor_rendered(result, monkeypatch):
    w = StyleStages(result, dpi=40)

    def refuse(*args, **kwargs):
        raise AssertionError("computed inside a callback")

    for name in ("image_array", "gram_limits", "render_png", "codes_to_png", "figure_to_png"):
        monkeypatch.setattr(style_stages, name, refuse)
    w.stage.value = 0
    w.layer.value = "conv3_1"
    assert w.shown["step"] == 0 and w.shown["pngs"]["gram_stage"] == w.gram_pngs["conv3_1"][0]


def test_unknown_layer_is_refused(result):
    with pytest.raises(ValueError, match="'conv4_2' is not a style layer .*conv1_1"):
        StyleStages(result, layer="conv4_2")
    empty = dataclasses.replace(result, stages=[])
    with pytest.raises(ValueError, match="no stages"):
        StyleStages(empty)


def test_layer_labels_say_what_each_extractor_layer_sees():
    """The dropdown names pyramid levels and VGG19 blocks for what they are, matching the notebook's prose."""
    from workbench.widgets.style_stages import layer_label

    assert layer_label("scale1") == "scale1: 1 feature per 1 x 1 px (finest)"
    assert layer_label("scale8") == "scale8: 1 feature per 8 x 8 px"
    assert layer_label("conv4_1") == "conv4_1: VGG19 block 4"
    assert layer_label("relu") == "relu"
