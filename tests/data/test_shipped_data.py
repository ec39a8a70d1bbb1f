"""The repository's data/ folder: the sample reads as a SegmentationFolder and the palettes match the code."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workbench.data import (
    ADE20K_CLASSES,
    CITYSCAPES_CLASSES,
    SYNTHETIC_CLASSES,
    VOC_CLASSES,
    Classes,
    SegmentationFolder,
    create_dataset,
    create_splits,
    denormalize,
)

DATA = Path(__file__).resolve().parents[2] / "data"
REGENERATE = "data/README.md says how to rewrite it"


@pytest.mark.parametrize("split, count, suffix", [("train", 8, ".jpg"), ("val", 4, ".png")])
def test_sample_reads_and_is_the_synthetic_scenes(split, count, suffix):
    sample = SegmentationFolder(DATA / "sample", split)
    assert len(sample) == count and sample.classes == SYNTHETIC_CLASSES
    assert sample.validate(progress=False) == []
    drawn = create_dataset("synthetic", split, num_images=count, image_size=96, seed=0)
    for index in range(count):
        assert sample.image_path(index).suffix == suffix
        image, mask = sample[index]
        want_image, want_mask = drawn[index]
        assert np.array_equal(mask.numpy(), want_mask.numpy()), f"{sample.mask_path(index)} is stale; {REGENERATE}"
        # JPEG of noisy scenes: ~0.05 mean error; a different scene: above 0.15
        error = (denormalize(image) - denormalize(want_image)).abs().mean().item()
        assert error < (0.08 if suffix == ".jpg" else 0.003), f"{sample.image_path(index)} is stale; {REGENERATE}"


def test_sample_works_as_own_data():
    train, val = create_splits(DATA / "sample", num_images=3)
    assert (len(train), len(val)) == (3, 4) and train.classes.names[0] == "background"


def test_data_folder_stays_small():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 512 * 1024, f"data/ holds {total / 1024:.0f} KiB; keep it well under 1 MB"


@pytest.mark.parametrize(
    "name, classes, count",
    [
        ("voc", VOC_CLASSES, 21),
        ("cityscapes", CITYSCAPES_CLASSES, 19),
        ("ade20k", ADE20K_CLASSES, 150),
    ],
)
def test_palettes_match_the_readers(name, classes, count):
    shipped = Classes.from_json(DATA / "palettes" / f"{name}.json")
    assert shipped == classes and shipped.num_classes == count, f"data/palettes/{name}.json is stale; {REGENERATE}"
    assert json.loads((DATA / "palettes" / f"{name}.json").read_text())["source"]


def test_camvid_palette_matches_the_shared_copy(camvid_root):
    assert Classes.from_json(DATA / "palettes" / "camvid.json") == Classes.from_json(camvid_root / "classes.json")


def test_camvid_palette_names():
    camvid = Classes.from_json(DATA / "palettes" / "camvid.json")
    assert camvid.names == (
        "Sky",
        "Building",
        "Pole",
        "Road",
        "Pavement",
        "Tree",
        "SignSymbol",
        "Fence",
        "Car",
        "Pedestrian",
        "Bicyclist",
    )
    assert camvid.colors[3] == (128, 64, 128)  # Road, as in SegNet's CamVid palette


def test_sample_masks_are_8_bit_index_pngs():
    for path in (DATA / "sample" / "masks").rglob("*.png"):
        with Image.open(path) as img:
            assert img.mode == "L", path
