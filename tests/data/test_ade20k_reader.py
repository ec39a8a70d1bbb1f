"""ADE20K SceneParsing on a tiny tree written here: 0 is void, label k is class k - 1."""

import numpy as np
import pytest
from PIL import Image

from workbench.data import ADE20K, ADE20K_CLASSES, DatasetError, create_dataset, create_splits


def write_scene(root, folder, name, labels):
    (root / "images" / folder).mkdir(parents=True, exist_ok=True)
    (root / "annotations" / folder).mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full(labels.shape + (3,), 120, np.uint8)).save(root / "images" / folder / f"{name}.jpg")
    Image.fromarray(labels.astype(np.uint8), mode="L").save(root / "annotations" / folder / f"{name}.png")


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "ADEChallengeData2016"
    write_scene(root, "training", "ADE_train_00000001", np.arange(151, dtype=np.uint8).reshape(1, 151))
    write_scene(root, "training", "ADE_train_00000002", np.full((4, 5), 3, np.uint8))
    write_scene(root, "validation", "ADE_val_00000001", np.zeros((4, 5), np.uint8))
    return root


def test_labels_shift_by_one_and_zero_is_void(tree):
    data = create_dataset(tree, "training")
    assert isinstance(data, ADE20K) and len(data) == 2
    _, mask = data[0]
    assert mask[0, 0] == 255 and mask[0, 1] == 0 and mask[0, 150] == 149
    np.testing.assert_array_equal(mask.numpy()[0, 1:], np.arange(150))
    assert set(data[1][1].unique().tolist()) == {2}  # raw 3 is "sky", class 2
    assert ADE20K_CLASSES.names[2] == "sky" and data.validate(progress=False) == []


def test_classes():
    assert ADE20K_CLASSES.num_classes == 150 and ADE20K_CLASSES.ignore_index == 255
    assert ADE20K_CLASSES.names[:3] == ("wall", "building", "sky") and ADE20K_CLASSES.names[-1] == "flag"
    assert ADE20K_CLASSES.colors[0] == (120, 120, 120) and ADE20K_CLASSES.colors[-1] == (92, 0, 255)


def test_train_and_val_names_work_for_create_splits(tree):
    train, val = create_splits(tree)
    assert (len(train), len(val)) == (2, 1)
    assert set(val[0][1].unique().tolist()) == {255}


def test_value_above_150_names_the_file(tree):
    write_scene(tree, "validation", "ADE_val_00000002", np.full((2, 2), 151, np.uint8))
    with pytest.raises(DatasetError, match=r"ADE_val_00000002.png: mask values \{151\} are not ADE20K"):
        ADE20K(tree, "val")[1]


def test_parent_folder_gets_a_hint(tree):
    with pytest.raises(DatasetError, match="ADEChallengeData2016"):
        ADE20K(tree.parent, "training")
    with pytest.raises(DatasetError, match="unknown split 'test'"):
        ADE20K(tree, "test")


def test_mask_without_image(tree):
    (tree / "images" / "validation" / "ADE_val_00000001.jpg").unlink()
    write_scene(tree, "validation", "ADE_val_00000009", np.ones((2, 2), np.uint8))
    with pytest.raises(DatasetError, match="ADE_val_00000001.png"):
        ADE20K(tree, "validation")
