"""parse_grid reads the ways a reader types a small grid, and refuses the rest with the box's name."""

import pytest

from workbench.widgets.typed_grid import format_grid, parse_grid


@pytest.mark.parametrize("text", ["0 1; 2 3", "0, 1\n2, 3", "[[0, 1], [2, 3]]", "  [[0,1],[2,3]] ", "0 1;2 3"])
def test_the_usual_spellings_give_one_grid(text):
    assert parse_grid(text, name="input values", max_side=5).tolist() == [[0, 1], [2, 3]]


def test_one_row_blank_and_decimals():
    assert parse_grid("1 2", name="x", max_side=5).shape == (1, 2)
    assert parse_grid("[1, 2]", name="x", max_side=5).tolist() == [[1, 2]]
    assert parse_grid("  ", name="x", max_side=5) is None
    assert parse_grid("-0.5 1e1", name="x", max_side=5).tolist() == [[-0.5, 10.0]]


def test_format_grid_is_read_back():
    assert format_grid([[0, 1], [2, 3]]) == "0 1; 2 3"
    assert format_grid([1.5, -2]) == "1.5 -2"  # one row
    assert parse_grid(format_grid([[1.5, -2], [0, 7]]), name="x", max_side=5).tolist() == [[1.5, -2], [0, 7]]


@pytest.mark.parametrize(
    "text,message",
    [
        ("1 two", "kernel values: 'two' is not a number"),
        ("1 2; 3", "hold 2, 1 numbers"),
        ("1;;2", "has an empty row"),
        ("1 2 3", "1 x 3 values; at most 2 rows and 2 columns"),
        ("inf", "not a finite number"),
    ],
)
def test_bad_text_names_the_box_and_the_value(text, message):
    with pytest.raises(ValueError, match=message):
        parse_grid(text, name="kernel values", max_side=2)
