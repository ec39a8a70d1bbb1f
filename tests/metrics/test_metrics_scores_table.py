"""``Scores.table()``: one row per class plus a mean row, conventions in ``attrs``."""

import numpy as np
import pytest

from workbench.data.classes import Classes
from workbench.metrics import evaluate, metric_notes

COLUMNS = ["class", "iou", "accuracy", "dice", "boundary_iou", "boundary_f1", "nsd", "pixel_share"]


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(0)
    targets = np.kron(rng.integers(0, 3, (2, 4, 5)), np.ones((6, 6), dtype=np.int64))
    targets[0, :2] = 255
    preds = np.roll(targets, 2, axis=2)
    preds[preds == 255] = 0
    return evaluate(preds, targets, 4)  # class 3 absent everywhere


def test_rows_columns_and_mean_row(scores):
    table = scores.table(["sky", "road", "car", "bike"])
    assert list(table.columns) == COLUMNS
    assert list(table["class"]) == ["sky", "road", "car", "bike", "mean"]
    np.testing.assert_array_equal(table["iou"][:4], scores.iou)
    mean = table.iloc[-1]
    assert mean["iou"] == scores.miou and mean["accuracy"] == scores.mean_accuracy
    assert mean["dice"] == scores.mean_dice and mean["boundary_iou"] == scores.boundary_miou
    assert mean["boundary_f1"] == scores.boundary_f1 and mean["nsd"] == scores.nsd
    assert table["pixel_share"][:4].sum() == pytest.approx(1.0)
    assert np.isnan(table.loc[3, "iou"])  # the absent class is undefined, not 0


def test_attrs_state_the_conventions(scores):
    attrs = scores.table().attrs
    assert attrs["ignore_index"] == 255 and attrs["num_images"] == 2
    assert "0.02" in attrs["boundary_iou_d"] and "0.0075" in attrs["bf_theta"]
    assert "one confusion matrix over the dataset" in attrs["averaging"]
    assert attrs["pixel_accuracy"] == scores.pixel_accuracy and attrs["fwiou"] == scores.fwiou
    assert "ignore_index" in attrs["caption"] and "0.0075" in attrs["caption"]


def test_class_names_default_classes_object_and_mismatch(scores):
    assert scores.table()["class"][0] == "class 0"
    classes = Classes(names=("a", "b", "c", "d"), colors=((0, 0, 0),) * 4)
    assert list(scores.table(classes)["class"][:4]) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="3 class names for 4 classes"):
        scores.table(["a", "b", "c"])


def test_metric_notes_are_the_table_attrs():
    notes = metric_notes(-1)
    assert notes["ignore_index"] == -1 and "pred'" in notes["void"] and "<= theta" in notes["bf_theta"]
    assert (
        notes["caption"]
        in evaluate(np.zeros((1, 4, 4), dtype=int), np.full((1, 4, 4), -1), 2, ignore_index=-1).table().attrs["caption"]
    )
