"""parse_size and check_count: every form users type (papermill -p, the CLI, Python), and clear refusals."""

import numpy as np
import pytest

from workbench.data import DatasetError, check_count, parse_size


@pytest.mark.parametrize(
    "value, expected",
    [
        (64, (64, 64)),
        (np.int64(32), (32, 32)),
        ("64", (64, 64)),
        (" 64 ", (64, 64)),
        ("64,48", (64, 48)),
        ("64, 48", (64, 48)),
        ("64x48", (64, 48)),
        ("64 48", (64, 48)),
        ("[64, 48]", (64, 48)),
        ("[64,64]", (64, 64)),
        ("(64, 48)", (64, 48)),
        ([64], (64, 64)),
        (64.0, (64, 64)),
        ((64, 48), (64, 48)),
        ([np.int32(8), 9], (8, 9)),
        (None, None),
    ],
)
def test_accepted_forms(value, expected):
    assert parse_size(value) == expected


@pytest.mark.parametrize("value", [(64, 64, 3), "[64, 64, 3]", "64,64,3", []])
def test_wrong_number_of_values(value):
    with pytest.raises(DatasetError, match="give one .* or two"):
        parse_size(value)


@pytest.mark.parametrize("value", ["abc", "64.5", "[64; 64]", "", "[]"])
def test_text_that_is_no_size_shows_the_yaml_form(value):
    with pytest.raises(DatasetError, match=r'-y "image_size: \[64, 48\]"'):
        parse_size(value)


@pytest.mark.parametrize("value", [0, -3, (64, 0), 64.5, True, (64, 48.5), float("nan")])
def test_non_positive_or_fractional_sides(value):
    with pytest.raises(DatasetError, match="crop_size"):
        parse_size(value, "crop_size")


def test_counts():
    assert check_count(None, "num_images") is None
    assert check_count(5, "num_images") == 5 and check_count(np.int64(3), "val_images") == 3
    for bad in (0, -1):
        with pytest.raises(DatasetError, match=f"val_images={bad}: a split needs at least one image"):
            check_count(bad, "val_images")
    for bad in (True, 2.5, "many"):
        with pytest.raises(DatasetError, match="not a number of images"):
            check_count(bad, "num_images")
