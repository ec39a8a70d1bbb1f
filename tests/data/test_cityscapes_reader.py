"""Cityscapes on a tiny tree written here: labelIds mapped to the 19 train ids of cityscapesScripts."""

import numpy as np
import pytest
from PIL import Image

from workbench.data import CITYSCAPES_CLASSES, Cityscapes, DatasetError, create_dataset, create_splits

# label id -> train id, transcribed from cityscapesScripts' helpers/labels.py (255: not evaluated)
OFFICIAL = {
    0: 255,
    1: 255,
    2: 255,
    3: 255,
    4: 255,
    5: 255,
    6: 255,
    7: 0,
    8: 1,
    9: 255,
    10: 255,
    11: 2,
    12: 3,
    13: 4,
    14: 255,
    15: 255,
    16: 255,
    17: 5,
    18: 255,
    19: 6,
    20: 7,
    21: 8,
    22: 9,
    23: 10,
    24: 11,
    25: 12,
    26: 13,
    27: 14,
    28: 15,
    29: 255,
    30: 255,
    31: 16,
    32: 17,
    33: 18,
}


def write_frame(root, split, city, frame, label_ids):
    stem = f"{city}_000000_{frame:06d}"
    for top, suffix, array in (
        ("leftImg8bit", "_leftImg8bit.png", np.full(label_ids.shape + (3,), 90, np.uint8)),
        ("gtFine", "_gtFine_labelIds.png", label_ids.astype(np.uint8)),
    ):
        folder = root / top / split / city
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(array).save(folder / f"{stem}{suffix}")
    # a real download holds other gtFine files beside the labelIds; they must be left alone
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(root / "gtFine" / split / city / f"{stem}_gtFine_color.png")


@pytest.fixture
def tree(tmp_path):
    every_id = np.arange(34, dtype=np.uint8).reshape(2, 17)
    write_frame(tmp_path, "train", "aachen", 19, every_id)
    write_frame(tmp_path, "train", "bochum", 7, np.full((2, 17), 26, np.uint8))
    write_frame(tmp_path, "val", "frankfurt", 1, np.full((2, 17), 7, np.uint8))
    return tmp_path


def test_every_label_id_maps_to_its_official_train_id(tree):
    data = create_dataset(tree, "train")
    assert isinstance(data, Cityscapes) and len(data) == 2 and data.classes == CITYSCAPES_CLASSES
    assert data.image_path(0).name == "aachen_000000_000019_leftImg8bit.png"
    _, mask = data[0]
    expected = np.vectorize(OFFICIAL.get)(np.arange(34).reshape(2, 17))
    np.testing.assert_array_equal(mask.numpy(), expected)
    assert set(data[1][1].unique().tolist()) == {13}  # car
    assert data.validate(progress=False) == []


def test_classes_are_the_19_evaluated_ones():
    names = CITYSCAPES_CLASSES.names
    assert len(names) == 19 and names[0] == "road" and names[13] == "car" and names[18] == "bicycle"
    assert CITYSCAPES_CLASSES.colors[names.index("sky")] == (70, 130, 180)
    assert CITYSCAPES_CLASSES.ignore_index == 255


def test_value_outside_the_label_ids_names_the_file(tree):
    write_frame(tree, "val", "ulm", 2, np.full((2, 17), 34, np.uint8))
    data = Cityscapes(tree, "val")
    with pytest.raises(
        DatasetError, match=r"ulm_000000_000002_gtFine_labelIds.png: mask values \{34\} are not Cityscapes"
    ):
        data[1]


def test_missing_mask_and_missing_image(tree):
    (tree / "gtFine" / "train" / "bochum" / "bochum_000000_000007_gtFine_labelIds.png").unlink()
    with pytest.raises(DatasetError, match="bochum_000000_000007_leftImg8bit.png"):
        Cityscapes(tree, "train")
    (tree / "leftImg8bit" / "val" / "frankfurt" / "frankfurt_000000_000001_leftImg8bit.png").unlink()
    write_frame(tree, "val", "lindau", 3, np.full((2, 17), 7, np.uint8))
    with pytest.raises(DatasetError, match="masks .* have no image.*frankfurt_000000_000001_gtFine_labelIds.png"):
        Cityscapes(tree, "val")


def test_missing_split_lists_the_splits(tree):
    with pytest.raises(DatasetError, match=r"\['train', 'val'\]"):
        Cityscapes(tree, "test")


def test_create_splits_reads_train_and_val(tree):
    train, val = create_splits(tree, num_images=1)
    assert (len(train), len(val)) == (1, 1) and train.classes == CITYSCAPES_CLASSES
    assert set(val[0][1].unique().tolist()) == {0}  # label id 7, road
