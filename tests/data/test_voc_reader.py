"""VOCSegmentation on a tiny VOC2012-layout tree with palette PNG masks."""

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.data import VOC_CLASSES, DatasetError, VOCSegmentation, create_dataset


def write_voc(root, ids_by_split, size=(10, 14)):
    """JPEGs, palette ("P") masks holding classes 0, 15 (person) and 255, and the split lists."""
    for folder in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    palette = VOC_CLASSES.palette().ravel().tolist()
    for split, ids in ids_by_split.items():
        (root / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("".join(f"{i}\n" for i in ids))
        for i in ids:
            Image.fromarray(np.full((*size, 3), 90, np.uint8)).save(root / "JPEGImages" / f"{i}.jpg")
            mask = np.zeros(size, np.uint8)
            mask[2:8, 3:9], mask[1, :] = 15, 255  # a person with a void row above it
            png = Image.fromarray(mask, mode="P")
            png.putpalette(palette + [224, 224, 192] * (256 - len(palette) // 3))  # VOC's void colour
            png.save(root / "SegmentationClass" / f"{i}.png")
    return root


@pytest.fixture
def voc(tmp_path):
    return write_voc(tmp_path / "VOC2012", {"train": ["2007_000032", "2007_000039"], "val": ["2007_000033"]})


def test_reads_palette_masks_as_class_ids(voc):
    data = VOCSegmentation(voc, "train")
    assert len(data) == 2 and data.classes.num_classes == 21
    assert data.classes.names[15] == "person" and data.classes.colors[15] == (192, 128, 128)
    image, mask = data[0]
    assert image.shape == (3, 10, 14) and mask.dtype == torch.int64
    assert set(mask.unique().tolist()) == {0, 15, 255}
    assert int((mask == 15).sum()) == 36
    assert data.image_path(1).name == "2007_000039.jpg"


def test_create_dataset_detects_voc_layout(voc):
    data = create_dataset(voc, "val")
    assert isinstance(data, VOCSegmentation) and len(data) == 1


def test_missing_split_lists_available(voc):
    with pytest.raises(DatasetError, match=r"\['train', 'val'\]") as err:
        VOCSegmentation(voc, "trainval")
    assert "trainval.txt" in str(err.value)


def test_missing_files_named(voc):
    (voc / "JPEGImages" / "2007_000039.jpg").unlink()
    with pytest.raises(DatasetError, match="2007_000039.jpg"):
        VOCSegmentation(voc, "train")


def test_empty_split(voc):
    (voc / "ImageSets" / "Segmentation" / "test.txt").write_text("\n")
    with pytest.raises(DatasetError, match="empty"):
        VOCSegmentation(voc, "test")


def test_devkit_root_gets_a_hint(tmp_path):
    write_voc(tmp_path / "VOCdevkit" / "VOC2012", {"train": ["a"]})
    with pytest.raises(DatasetError, match="VOCdevkit/VOC2012"):
        VOCSegmentation(tmp_path, "train")
    with pytest.raises(DatasetError, match="does not exist"):
        VOCSegmentation(tmp_path / "missing", "train")
