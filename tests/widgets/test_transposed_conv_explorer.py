"""TransposedConvExplorer without a browser: set a slider, read the state."""
import pytest
import torch
import torch.nn.functional as F

from workbench.ops import conv_output_size, conv_transpose_output_size
from workbench.widgets.transposed_conv import TransposedConvExplorer


@pytest.fixture
def explorer():
    return TransposedConvExplorer()


def _reference(state):
    s = state["settings"]
    return F.conv_transpose2d(state["input"][None, None], state["kernel"][None, None], stride=s["stride"],
                              padding=s["padding"], output_padding=s["output_padding"])[0, 0]


def test_defaults_show_the_classic_example(explorer):
    assert explorer.state["output"].tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    assert explorer.state["error"] is None
    assert "S(H-1) + K - 2P + OP = 1(2-1) + 2 - 2*0 + 0 = 3" in explorer.shapes.value


def test_settings_change_the_state_as_torch_and_the_formulas_say(explorer):
    for name, value in [("input_size", 3), ("kernel_size", 3), ("stride", 2), ("padding", 1), ("output_padding", 1)]:
        getattr(explorer, name).value = value
        state = explorer.state
        torch.testing.assert_close(state["output"], _reference(state))
        s = state["settings"]
        expected = conv_transpose_output_size(s["input_size"], s["kernel_size"], s["stride"], s["padding"],
                                              s["output_padding"])
        assert state["output"].shape == (expected, expected) == state["shapes"]["output"]
        assert conv_output_size(expected, s["kernel_size"], s["stride"], s["padding"]) == s["input_size"]
        torch.testing.assert_close(state["matrix"].T @ state["input"].reshape(-1), state["output"].reshape(-1))
    assert explorer.state["output"].shape == (6, 6)  # 2 (3 - 1) + 3 - 2 + 1


def test_only_the_visible_view_is_drawn_and_hidden_ones_catch_up(explorer):
    renders = explorer.state["renders"]
    assert renders == {"scatter": 1, "matrix": 1, "conv": 1}  # all drawn once by the constructor
    assert all(bytes(image.value).startswith(b"\x89PNG") for image in explorer.images.values())
    explorer.stride.value = 2
    assert renders == {"scatter": 2, "matrix": 1, "conv": 1}
    explorer.tabs.selected_index = 2  # the equivalent convolution, out of date: drawn now
    assert explorer.state["view"] == "conv" and renders == {"scatter": 2, "matrix": 1, "conv": 2}
    explorer.step.value = 1  # the step does not change this view: nothing drawn
    assert renders == {"scatter": 2, "matrix": 1, "conv": 2}
    explorer.tabs.selected_index = 1
    explorer.step.value = 2
    explorer.tabs.selected_index = 2  # still up to date: not drawn again
    assert renders == {"scatter": 2, "matrix": 3, "conv": 2}
    explorer.tabs.selected_index = 0  # out of date since step 1
    assert renders == {"scatter": 3, "matrix": 3, "conv": 2}


def test_step_slider_shows_partial_sums_without_recomputing(explorer):
    explorer.input_size.value, explorer.kernel_size.value, explorer.stride.value = 3, 3, 2
    walk, renders = explorer.state["walkthrough"], dict(explorer.state["renders"])
    assert explorer.step.max == 8
    explorer.step.value = 4
    state = explorer.state
    assert state["walkthrough"] is walk  # nothing recomputed
    assert state["renders"]["scatter"] == renders["scatter"] + 1
    assert state["position"] == (1, 1)
    masked = state["input"].reshape(-1).clone()
    masked[5:] = 0  # positions after step 4 (row-major) not yet added
    expected = F.conv_transpose2d(masked.reshape(1, 1, 3, 3), state["kernel"][None, None], stride=2)[0, 0]
    torch.testing.assert_close(state["partial"], expected)
    explorer.step.value = 8
    torch.testing.assert_close(explorer.state["partial"], explorer.state["output"])


def test_output_padding_and_step_are_clamped(explorer):
    explorer.stride.value = 3
    explorer.output_padding.value = 2
    explorer.stride.value = 1  # output_padding 2 >= stride 1 is not allowed: the slider follows
    assert explorer.output_padding.max == 0 and explorer.output_padding.value == 0
    assert explorer.state["error"] is None
    torch.testing.assert_close(explorer.state["output"], _reference(explorer.state))
    explorer.input_size.value = 4
    explorer.step.value = 15
    explorer.input_size.value = 2
    assert explorer.step.value == 3 and explorer.state["position"] == (1, 1)


def test_padding_that_crops_everything_shows_a_message(explorer):
    explorer.padding.value = 3  # 1 (2 - 1) + 2 - 6 < 1
    assert "use padding <= 1" in explorer.state["error"] and "crops the whole output" in explorer.status.value
    assert explorer.state["error"] and explorer.state["output"] is None
    explorer.step.value = 1  # moving the step while invalid must not crash
    explorer.padding.value = 1
    assert explorer.state["error"] is None and explorer.status.value == ""
    assert explorer.state["output"].tolist() == [[4.0]]
