"""SegmentationFolder on tiny trees built in tmp_path (every error names its file), and on CamVid."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.data import DatasetError, SegmentationFolder, create_dataset

CLASSES_JSON = {
    "classes": [
        {"id": i, "name": n, "color": c}
        for i, (n, c) in enumerate([("sky", [0, 0, 255]), ("road", [128, 64, 128]), ("car", [64, 0, 128])])
    ],
    "ignore_index": 255,
}


def write_pair(root, split, stem, size=(12, 16), values=(0, 1, 2, 255), image_size=None):
    """An RGB JPEG and an L-mode mask PNG whose rows cycle through ``values``."""
    height, width = size
    (root / "images" / split).mkdir(parents=True, exist_ok=True)
    (root / "masks" / split).mkdir(parents=True, exist_ok=True)
    ih, iw = image_size or size
    Image.fromarray(np.full((ih, iw, 3), 100, np.uint8)).save(root / "images" / split / f"{stem}.jpg")
    mask = np.array(values, np.uint8)[np.arange(height) % len(values)][:, None].repeat(width, 1)
    Image.fromarray(mask, mode="L").save(root / "masks" / split / f"{stem}.png")


@pytest.fixture
def tree(tmp_path):
    for i in range(3):
        write_pair(tmp_path, "train", f"img{i}")
    write_pair(tmp_path, "val", "only")
    (tmp_path / "classes.json").write_text(json.dumps(CLASSES_JSON))
    return tmp_path


def test_reads_samples_and_classes(tree):
    data = SegmentationFolder(tree, "train")
    assert len(data) == 3 and data.classes.names == ("sky", "road", "car")
    image, mask = data[1]
    assert image.shape == (3, 12, 16) and image.dtype == torch.float32
    assert mask.dtype == torch.int64 and set(mask.unique().tolist()) == {0, 1, 2, 255}
    assert data.image_path(1).name == "img1.jpg" and data.mask_path(1).name == "img1.png"
    assert data.validate() == []


def test_num_classes_without_classes_json(tree):
    (tree / "classes.json").unlink()
    with pytest.raises(DatasetError, match="num_classes"):
        SegmentationFolder(tree, "train")
    data = SegmentationFolder(tree, "train", num_classes=4)
    assert data.classes.names == ("class_0", "class_1", "class_2", "class_3")
    assert len(set(data.classes.colors)) == 4


def test_num_classes_disagreeing_with_classes_json(tree):
    with pytest.raises(DatasetError, match="classes.json"):
        SegmentationFolder(tree, "train", num_classes=5)


def test_missing_root(tmp_path):
    with pytest.raises(DatasetError, match="does not exist") as err:
        SegmentationFolder(tmp_path / "nowhere", "train")
    assert "nowhere" in str(err.value)


def test_missing_split_lists_available(tree):
    with pytest.raises(DatasetError, match=r"\['train', 'val'\]") as err:
        SegmentationFolder(tree, "test")
    assert "images/test" in str(err.value)


def test_empty_split(tree):
    (tree / "images" / "empty").mkdir()
    (tree / "masks" / "empty").mkdir()
    with pytest.raises(DatasetError, match="empty") as err:
        SegmentationFolder(tree, "empty")
    assert "images/empty" in str(err.value)


def test_missing_mask_named(tree):
    (tree / "masks" / "train" / "img2.png").unlink()
    with pytest.raises(DatasetError, match="img2.jpg"):
        SegmentationFolder(tree, "train")


def test_size_mismatch_named(tree):
    write_pair(tree, "train", "odd", size=(12, 16), image_size=(10, 16))
    data = SegmentationFolder(tree, "train")
    index = [p.name for p, _ in data.samples].index("odd.jpg")
    with pytest.raises(DatasetError, match="odd.jpg") as err:
        data[index]
    assert "16x10" in str(err.value) and "16x12" in str(err.value)


def test_bad_mask_values_named(tree):
    write_pair(tree, "train", "bad", values=(0, 7, 200, 255))
    data = SegmentationFolder(tree, "train")
    with pytest.raises(DatasetError, match="bad.png") as err:
        data[0]
    message = str(err.value)
    assert "{7, 200}" in message and "0..2" in message and "255" in message


def test_unreadable_file_named(tree):
    (tree / "images" / "train" / "img0.jpg").write_bytes(b"not a jpeg at all")
    data = SegmentationFolder(tree, "train")
    with pytest.raises(DatasetError, match="img0.jpg") as err:
        data[0]
    assert "cannot read" in str(err.value)


def test_colour_mask_rejected_with_advice(tree):
    Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(tree / "masks" / "train" / "img1.png")
    with pytest.raises(DatasetError, match="img1.png") as err:
        SegmentationFolder(tree, "train")[1]
    assert "index PNG" in str(err.value)


def test_validate_reports_every_problem(tree):
    write_pair(tree, "train", "bad", values=(0, 9))
    write_pair(tree, "train", "odd", image_size=(5, 5))
    (tree / "images" / "train" / "img0.jpg").write_bytes(b"")
    problems = SegmentationFolder(tree, "train").validate()
    assert len(problems) == 3
    assert any("bad.png" in p for p in problems) and any("odd.jpg" in p for p in problems)
    assert any("img0.jpg" in p for p in problems)


def test_create_dataset_from_folder_path(tree):
    data = create_dataset(str(tree), "val")
    assert isinstance(data, SegmentationFolder) and len(data) == 1


def test_camvid(camvid_root):
    train, val = SegmentationFolder(camvid_root, "train"), SegmentationFolder(camvid_root, "val")
    assert (len(train), len(val)) == (367, 101)
    names = [c["name"] for c in json.loads((camvid_root / "classes.json").read_text())["classes"]]
    assert train.classes.num_classes == 11 and list(train.classes.names) == names
    image, mask = val[0]
    assert image.shape == (3, 360, 480) and image.dtype == torch.float32
    assert mask.shape == (360, 480) and mask.dtype == torch.int64
    assert set(mask.unique().tolist()) <= set(range(11)) | {255}
    assert val.image_path(0).stem == val.mask_path(0).stem


@pytest.mark.slow
def test_camvid_val_is_clean(camvid_root):
    assert SegmentationFolder(camvid_root, "val").validate() == []
