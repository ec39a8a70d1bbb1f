"""TransposedConvExplorer without a browser: set a slider, read the state."""

import pytest
import torch
import torch.nn.functional as F

from workbench.ops import conv_output_size, conv_transpose_output_size
from workbench.viz.ops_figures import conv_window
from workbench.widgets.transposed_conv import TransposedConvExplorer


@pytest.fixture
def explorer():
    return TransposedConvExplorer()


def _reference(state):
    s = state["settings"]
    return F.conv_transpose2d(
        state["input"][None, None],
        state["kernel"][None, None],
        stride=s["stride"],
        padding=s["padding"],
        output_padding=s["output_padding"],
    )[0, 0]


def test_defaults_start_from_non_zero_values(explorer):
    # x = [[1, 2], [3, 4]] and K = [[1, 2], [3, 4]]: every stamp x[i,j] * K is non-zero, the first one included
    assert explorer.state["input"][0, 0] == 1 and explorer.state["kernel"][0, 0] == 1
    assert explorer.state["output"].tolist() == [[1, 4, 4], [6, 20, 16], [9, 24, 16]]
    assert explorer.step.min == 1 and explorer.step.value == 1 and explorer.state["step"] == 1
    assert explorer.state["error"] is None
    assert "S(H-1) + K - 2P + OP = 1(2-1) + 2 - 2*0 + 0 = 3" in explorer.shapes.value


def test_settings_change_the_state_as_torch_and_the_formulas_say(explorer):
    for name, value in [("input_size", 3), ("kernel_size", 3), ("stride", 2), ("padding", 1), ("output_padding", 1)]:
        getattr(explorer, name).value = value
        state = explorer.state
        torch.testing.assert_close(state["output"], _reference(state))
        s = state["settings"]
        expected = conv_transpose_output_size(
            s["input_size"], s["kernel_size"], s["stride"], s["padding"], s["output_padding"]
        )
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
    explorer.step.value = 2  # the conv view boxes the step's pixel and window: drawn
    assert renders == {"scatter": 2, "matrix": 1, "conv": 3}
    explorer.tabs.selected_index = 1
    explorer.tabs.selected_index = 2  # still up to date: not drawn again
    assert renders == {"scatter": 2, "matrix": 2, "conv": 3}
    explorer.tabs.selected_index = 0  # out of date since step 2
    assert renders == {"scatter": 3, "matrix": 2, "conv": 3}


def test_step_slider_shows_partial_sums_without_recomputing(explorer):
    explorer.input_size.value, explorer.kernel_size.value, explorer.stride.value = 3, 3, 2
    walk, renders = explorer.state["walkthrough"], dict(explorer.state["renders"])
    assert explorer.step.max == 9
    explorer.step.value = 5  # the fifth pixel, row-major: the centre
    state = explorer.state
    assert state["walkthrough"] is walk  # nothing recomputed
    assert state["renders"]["scatter"] == renders["scatter"] + 1
    assert state["position"] == (1, 1)
    masked = state["input"].reshape(-1).clone()
    masked[5:] = 0  # pixels after step 5 (row-major) not yet added
    expected = F.conv_transpose2d(masked.reshape(1, 1, 3, 3), state["kernel"][None, None], stride=2)[0, 0]
    torch.testing.assert_close(state["partial"], expected)
    explorer.step.value = 9
    torch.testing.assert_close(explorer.state["partial"], explorer.state["output"])


def test_output_padding_and_step_are_clamped(explorer):
    explorer.stride.value = 3
    explorer.output_padding.value = 2
    explorer.stride.value = 1  # output_padding 2 >= stride 1 is not allowed: the slider follows
    assert explorer.output_padding.max == 0 and explorer.output_padding.value == 0
    assert explorer.state["error"] is None
    torch.testing.assert_close(explorer.state["output"], _reference(explorer.state))
    explorer.input_size.value = 4
    explorer.step.value = 16
    explorer.input_size.value = 2
    assert explorer.step.value == 4 and explorer.state["position"] == (1, 1)


def test_padding_that_crops_everything_shows_a_message(explorer):
    explorer.padding.value = 3  # 1 (2 - 1) + 2 - 6 < 1
    assert "use padding <= 1" in explorer.state["error"] and "crops the whole output" in explorer.status.value
    assert explorer.state["error"] and explorer.state["output"] is None
    explorer.step.value = 2  # moving the step while invalid must not crash
    explorer.padding.value = 1
    assert explorer.state["error"] is None and explorer.status.value == ""
    assert explorer.state["output"].tolist() == [[20.0]]


@pytest.mark.parametrize(
    "settings",
    [
        dict(input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1),
        dict(input_size=2, kernel_size=2, stride=1, padding=0),
        dict(input_size=3, kernel_size=2, stride=3, padding=2),
    ],
)
def test_conv_tab_boxes_the_output_pixels_that_the_steps_pixel_reaches(settings):
    explorer = TransposedConvExplorer(**settings)
    explorer.tabs.selected_index = 2
    walk = explorer.state["walkthrough"]
    for step in range(1, len(walk.steps) + 1):
        explorer.step.value = step
        pixel, window = conv_window(walk, step - 1)
        # independent: the outputs that change when only this input pixel changes
        bumped = explorer.state["input"].clone()
        bumped[explorer.state["position"]] += 1
        s = settings
        delta = (
            F.conv_transpose2d(
                bumped[None, None],
                explorer.state["kernel"][None, None],
                stride=s["stride"],
                padding=s["padding"],
                output_padding=s.get("output_padding", 0),
            )[0, 0]
            - explorer.state["output"]
        )
        rows, cols = torch.nonzero(delta, as_tuple=True)
        if len(rows) == 0:
            assert window is None
            continue
        assert window == ((rows.min().item(), rows.max().item() + 1), (cols.min().item(), cols.max().item() + 1))
        (r, _), (c, _) = pixel
        assert walk.conv_input[r, c] == explorer.state["input"][explorer.state["position"]]
        box = explorer._grids["conv"][2].boxes[0]  # the drawn box is that window
        assert box.get_visible() and box.get_xy() == (window[1][0] - 0.5, window[0][0] - 0.5)


def test_titles_count_steps_from_one(explorer):
    explorer.input_size.value = 3
    explorer.step.value = 9
    assert explorer._grids["scatter"][2].title_text.startswith("step 9 of 9")
    explorer.tabs.selected_index = 1
    assert explorer._grids["matrix"][2].title_text == "Y' after step 9 of 9"
    explorer.step.value = 1  # Y' is coloured on this step's own range
    y = explorer._grids["matrix"][2].cells
    assert y.norm.vmax == explorer.state["partial"].max().item()


def test_matrix_view_grows_with_the_rows_of_v_transposed_so_its_numbers_stay_readable():
    explorer = TransposedConvExplorer(input_size=3, kernel_size=3, stride=2, padding=1)  # V^T is 25 x 9
    explorer.tabs.selected_index = 1
    figure = explorer._figures["matrix"][0]
    assert figure.get_size_inches()[1] == pytest.approx(0.9 + 0.2 * 25)
    v_grid = explorer._grids["matrix"][0]
    assert v_grid.labels.get_visible()
    row_pixels = figure.bbox.height * v_grid.ax.get_position().height / 25
    assert row_pixels >= 15  # one row of V^T, at 96 dpi: a number of about 9 px fits


# d2l.ai 14.10 "Transposed Convolution": X = K = [[0, 1], [2, 3]]
D2L = "0 1; 2 3"


def test_typed_values_reproduce_d2l_stride_1_and_2():
    explorer = TransposedConvExplorer(input_values=D2L, kernel_values=[[0, 1], [2, 3]])
    assert explorer.kernel_values.value == D2L  # nested lists are shown as typed text
    assert explorer.state["output"].tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    explorer.stride.value = 2
    assert explorer.state["output"].tolist() == [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]
    torch.testing.assert_close(explorer.state["output"], _reference(explorer.state))
    explorer.stride.value, explorer.padding.value = 1, 1  # d2l: padding 1 crops the border, leaving [[4]]
    assert explorer.state["output"].tolist() == [[4]]


def test_typed_values_disable_their_size_slider_until_cleared(explorer):
    explorer.input_size.value = 4
    explorer.input_values.value = D2L
    assert explorer.input_size.disabled and explorer.input_size.value == 2 and explorer.step.max == 4
    assert not explorer.kernel_size.disabled
    assert explorer.state["settings"]["input_values"] == ((0, 1), (2, 3))
    explorer.input_values.value = " "
    assert not explorer.input_size.disabled and explorer.state["input"][0, 0] == 1  # back to 1, 2, 3, ...


def test_a_typed_row_gives_the_1d_example_of_the_lecture_notes(explorer):
    # [1, 2] with kernel [3, 4], stride 2 -> [3, 4, 6, 8], as one row of a 2D map
    explorer.input_values.value, explorer.kernel_values.value, explorer.stride.value = "1 2", "3, 4", 2
    assert explorer.state["output"].tolist() == [[3, 4, 6, 8]]
    assert explorer.step.max == 2 and explorer.input_size.disabled and explorer.kernel_size.disabled
    assert "columns: S(H-1) + K - 2P + OP = 2(2-1) + 2 - 2*0 + 0 = 4" in explorer.shapes.value
    for index in range(3):  # every view draws the 1 x 2 input
        explorer.tabs.selected_index = index
    assert all(count >= 2 for count in explorer.state["renders"].values())


@pytest.mark.parametrize(
    "typed,message",
    [
        ("0 1; 2 x", "input values: 'x' is not a number"),
        ("0 1; 2", "the rows of '0 1; 2' hold 2, 1 numbers"),
        ("1 2 3 4 5 6", "1 x 6 values; at most 5 rows"),
        ("1; ; 2", "has an empty row"),
        ("nan", "'nan' is not a finite number"),
    ],
)
def test_bad_typed_values_show_a_message_not_a_traceback(explorer, typed, message):
    explorer.input_values.value = typed
    assert message in explorer.state["error"]
    assert "Cannot use the typed values" in explorer.status.value and explorer.state["output"] is None
    explorer.step.value = 2  # moving a slider while the text is wrong must not crash
    explorer.input_values.value = D2L
    assert explorer.state["error"] is None and explorer.status.value == ""
