"""create_splits: train and val datasets from a name or a folder, the same as building them one by one."""

import pytest
import torch

from workbench.data import DatasetError, SyntheticShapes, create_dataset, create_split, create_splits, register_dataset
from workbench.data.registry import DATASETS
from workbench.data.transforms import Compose


def test_synthetic_sizes_and_seeds_match_create_dataset():
    train, val = create_splits("synthetic", image_size="24,32", num_images=3, val_images=2, seed=4)
    assert isinstance(train, SyntheticShapes) and (len(train), len(val)) == (3, 2)
    assert train.image_size == val.image_size == (24, 32)
    for split, data in (("train", train), ("val", val)):
        peer = create_dataset("synthetic", split, num_images=len(data), image_size=(24, 32), seed=4)
        assert torch.equal(data[1][0], peer[1][0]) and torch.equal(data[1][1], peer[1][1])
    assert not torch.equal(train[0][1], val[0][1])  # different seeds per split


def test_synthetic_defaults_are_the_dataset_defaults():
    train, val = create_splits("synthetic")
    default = SyntheticShapes()
    assert (len(train), train.image_size) == (default.num_images, default.image_size) == (len(val), val.image_size)


@pytest.mark.parametrize("image_size", [32, "32", "[32, 32]", (32, 32), [32]])
def test_every_size_form_gives_a_square(image_size):
    train, _ = create_splits("synthetic", image_size=image_size, num_images=1, val_images=1)
    assert train[0][0].shape == (3, 32, 32)


@pytest.mark.parametrize(
    "sizes, match",
    [
        ({"num_images": 0}, "num_images=0"),
        ({"val_images": 0}, "val_images=0"),
        ({"num_images": -2}, "num_images=-2"),
        ({"image_size": (32, 32, 3)}, "3 values"),
        ({"image_size": "[32, 32, 3]"}, "3 values"),
        ({"crop_size": "a,b"}, "crop_size"),
    ],
)
def test_bad_sizes_are_errors_not_defaults(sizes, match):
    with pytest.raises(DatasetError, match=match):
        create_splits("synthetic", **sizes)


def test_crop_size_augments_training_only():
    train, val = create_splits("synthetic", image_size=40, num_images=2, val_images=2, crop_size=24)
    assert isinstance(train.transform, Compose) and val.transform is None
    assert train[0][0].shape == (3, 24, 24) and val[0][0].shape == (3, 40, 40)


def test_folder_takes_the_first_images(folder_tree):
    root = folder_tree()
    train, val = create_splits(root, num_images=2, image_size=999)  # image_size: generated data only
    assert (len(train), len(val)) == (2, 3)
    assert train.classes.names == ("sky", "road", "car") and val.classes == train.classes
    whole = create_dataset(root, "train")
    assert torch.equal(train[1][1], whole[1][1])
    train, _ = create_splits(str(root), num_images=50)  # more than there are: all of them
    assert len(train) == 5


def test_folder_split_names(folder_tree):
    root = folder_tree(counts=(("a", 2), ("b", 1)))
    train, val = create_splits(root, train_split="a", val_split="b")
    assert (len(train), len(val)) == (2, 1)


def test_ignore_index_must_agree_with_classes_json(folder_tree):
    root = folder_tree()
    assert create_splits(root, ignore_index=255)[0].classes.ignore_index == 255
    with pytest.raises(
        DatasetError, match=r"ignore_index 0 disagrees with .*classes.json, which gives ignore_index 255"
    ):
        create_splits(root, ignore_index=0)
    with pytest.raises(DatasetError, match="ignore_index 7 disagrees with the dataset's classes"):
        create_splits("synthetic", num_images=1, val_images=1, ignore_index=7)


def test_registered_builder_gets_only_the_given_sizes():
    calls = []

    @register_dataset("recorded-test")
    def recorded(split, *, transform=None, **kw):
        calls.append((split, kw))
        return SyntheticShapes(num_images=1, image_size=8)

    try:
        create_splits("recorded-test", num_images=7)
    finally:
        DATASETS.remove("recorded-test")
    assert calls == [("train", {"num_images": 7}), ("val", {})]


def test_unknown_data_names_the_choices():
    with pytest.raises(DatasetError, match="synthetic"):
        create_splits("no-such-dataset-or-folder")


def test_one_split_for_evaluation(folder_tree):
    root = folder_tree()
    val = create_split(root, "val", num_images=2)
    assert len(val) == 2 and torch.equal(val[1][1], create_dataset(root, "val")[1][1])
    with pytest.raises(DatasetError, match="val_images=0"):
        create_split(root, "val", num_images=0, count_name="val_images")


def test_same_split_twice(folder_tree):
    train, val = create_splits(folder_tree(), train_split="val", val_split="val", crop_size=8)
    assert len(train) == len(val) == 3 and train.transform is not None and val.transform is None
