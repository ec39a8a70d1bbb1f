"""FCNInspector on untrained FCNs at a small size: captured shapes and strides, and controls driving state."""

import numpy as np
import pytest
import torch
from torch import nn

from workbench.data import SyntheticShapes
from workbench.models import create_model
from workbench.viz.score_maps import upsample_nearest
from workbench.widgets.fcn_inspector import FCNInspector, capture_fcn

SIZE = (40, 50)  # not multiples of 32: the FCN pads to (64, 64)


@pytest.fixture(scope="module")
def sample():
    dataset = SyntheticShapes(num_images=1, image_size=SIZE, seed=3)
    image, _ = dataset[0]
    return image, dataset.classes


@pytest.fixture(scope="module")
def fcn8s(sample):
    torch.manual_seed(0)
    return create_model("fcn8s", num_classes=sample[1].num_classes)


@pytest.fixture(scope="module")
def inspector(fcn8s, sample):
    return FCNInspector(fcn8s, sample[0], classes=sample[1])


def test_capture_records_each_transposed_convolution(fcn8s, sample):
    fcn8s.train()
    capture = capture_fcn(fcn8s, sample[0])
    assert fcn8s.training and not fcn8s.upscore2._forward_hooks  # left as it was found
    c = sample[1].num_classes
    assert capture.layer_names == ("upscore2", "upscore_pool4", "upscore8")
    assert {n: capture.layer_inputs[n].shape for n in capture.layer_names} == {
        "upscore2": (c, 2, 2),
        "upscore_pool4": (c, 4, 4),
        "upscore8": (c, 8, 8),
    }
    assert {n: capture.layer_outputs[n].shape for n in capture.layer_names} == {
        "upscore2": (c, 4, 4),
        "upscore_pool4": (c, 8, 8),
        "upscore8": (c, 64, 64),
    }
    assert [capture.stride(capture.layer_inputs[n]) for n in capture.layer_names] == [32, 16, 8]
    assert capture.logits.shape == (c, *SIZE)
    # The last layer's output, cropped, is the model's output (in eval mode).
    np.testing.assert_allclose(capture.layer_outputs["upscore8"][:, : SIZE[0], : SIZE[1]], capture.logits, atol=1e-5)


def test_inspector_shows_32s_16s_8s_side_by_side(inspector, sample):
    inspector.view.value = "argmax"
    assert list(inspector.stage_maps) == ["32s", "16s", "8s", "logits"]
    inspector.layer.value = "upscore8"
    # one of each: upscore8's input is the 8s panel and its output, cropped, the logits
    assert set(inspector.current_arrays) == {"image", "32s", "16s", "8s", "logits"}
    assert all(a.shape == (*SIZE, 3) and a.dtype == np.uint8 for a in inspector.current_arrays.values())
    # Argmax panels are class colours, in blocks of the stride.
    stage = inspector.current_arrays["32s"]
    assert (stage[:32, :32] == stage[0, 0]).all()
    expected = sample[1].palette()[inspector.stage_maps["32s"][:, 0, 0].argmax()]
    assert stage[0, 0].tolist() == expected.tolist()
    assert inspector.panel_titles["8s"] == "8s: 8x8, stride 8"


def test_class_and_view_controls_change_the_shown_arrays(inspector):
    inspector.view.value = "argmax"
    argmax_view = inspector.current_arrays["logits"].copy()
    inspector.class_id.value = 0
    inspector.view.value = "class score"
    first_class = inspector.current_arrays["logits"].copy()
    assert not np.array_equal(argmax_view, first_class)
    inspector.class_id.value = 2
    assert not np.array_equal(first_class, inspector.current_arrays["logits"])


def test_layer_control_outlines_the_input_and_adds_the_output(inspector, sample):
    inspector.view.value = "argmax"
    inspector.layer.value = "upscore2"
    assert inspector.shown_layer == "upscore2" and inspector.layer_input == "32s"
    borders = {k: p[2].layout.border for k, p in inspector._panels.items()}
    assert "#d62728" in borders["32s"] and all("transparent" in b for k, b in borders.items() if k != "32s")
    assert "stride 2" in inspector.info.value and "(7, 2, 2)" in inspector.info.value
    assert inspector.panel_titles["layer output"] == "upscore2 output: 4x4, stride 16"
    # the output of upscore2 is the 32s map upsampled x2 before the pool4 skip is added: not the 16s map
    expected = sample[1].palette()[upsample_nearest(inspector.capture.layer_outputs["upscore2"].argmax(0), 16, SIZE)]
    np.testing.assert_array_equal(inspector.current_arrays["layer output"], expected)
    inspector.layer.value = "upscore8"
    assert (
        "layer output" not in inspector.current_arrays and inspector._panels["layer output"][2].layout.display == "none"
    )


def test_legend_is_the_classes_or_the_score_colour_bar(inspector, sample):
    inspector.view.value = "argmax"
    assert all(name in inspector.legend.value for name in sample[1].names)
    inspector.view.value = "class score"
    inspector.class_id.value = 2
    vmax = inspector.score_range[2]
    assert "linear-gradient" in inspector.legend.value and f"{vmax:.3g}" in inspector.legend.value
    assert sample[1].names[2] in inspector.legend.value


def test_panels_share_one_row(inspector):
    row = inspector.widget.children[2]
    assert row.layout.flex_flow == "row nowrap" and len(row.children) == len(inspector._panels)
    assert all(p[2].layout.flex == "1 1 0%" and p[1].layout.width == "100%" for p in inspector._panels.values())


@pytest.mark.parametrize("name, stages", [("fcn32s", ["32s", "logits"]), ("fcn16s", ["32s", "16s", "logits"])])
def test_inspector_shows_what_the_model_has(name, stages, sample):
    model = create_model(name, num_classes=sample[1].num_classes)
    image = sample[0][:, :20, :40]  # padded to 32 x 64: the logits must still count as stride 1
    inspector = FCNInspector(model, image, classes=sample[1])
    assert list(inspector.stage_maps) == stages
    assert inspector.panel_titles["logits"] == "logits: 20x40, stride 1"
    logits_argmax = inspector.stage_maps["logits"].argmax(0)
    np.testing.assert_array_equal(inspector.current_arrays["logits"], sample[1].palette()[logits_argmax])


def test_not_an_fcn_names_the_fcns(sample):
    with pytest.raises(ValueError, match="fcn32s, fcn16s and fcn8s"):
        FCNInspector(nn.Conv2d(3, 7, 1), sample[0], classes=sample[1])


def test_classes_must_match_the_model(fcn8s, sample):
    fewer = type(sample[1])(names=sample[1].names[:3], colors=sample[1].colors[:3])
    with pytest.raises(ValueError, match="predicts 7 classes"):
        FCNInspector(fcn8s, sample[0], classes=fewer)
