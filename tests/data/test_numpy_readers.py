"""The torch-free readers (``find_files``, ``ShapeScenes``) give the very samples the torch datasets serve.

The report reads photographs and targets through them without torch; each torch dataset is these arrays
made tensors and normalised, so image and target must agree bit for bit, layout by layout.
"""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from tests.data.test_ade20k_reader import write_scene
from tests.data.test_cityscapes_reader import write_frame
from tests.data.test_voc_reader import write_voc
from workbench.data import ShapeScenes, SyntheticShapes, create_dataset, data_stems, find_files, normalize_array
from workbench.viz import as_rgb_image

RNG = np.random.default_rng(0)


def noisy(shape):
    """Random pixels: every rounding of the 0..255 -> [0, 1] -> normalised chain gets exercised."""
    return RNG.integers(0, 256, (*shape, 3), dtype=np.uint8)


def folder(root):
    for i, size in enumerate([(12, 16), (9, 7), (12, 16)]):
        for top in ("images/val", "masks/val"):
            (root / top).mkdir(parents=True, exist_ok=True)
        Image.fromarray(noisy(size)).save(root / "images/val" / f"s{2 - i}.png")
        mask = RNG.choice(np.array([0, 1, 2, 255], np.uint8), size)
        Image.fromarray(mask, mode="L").save(root / "masks/val" / f"s{2 - i}.png")
    Image.fromarray(noisy((6, 5))).save(root / "images/val" / "s3.jpg")  # a JPEG too
    Image.fromarray(np.ones((6, 5), np.uint8), mode="L").save(root / "masks/val" / "s3.png")
    (root / "classes.json").write_text(
        json.dumps({"classes": [{"id": i, "name": f"c{i}", "color": [i, i, i]} for i in range(3)], "ignore_index": 255})
    )
    return root, "val"


def cityscapes(root):
    write_frame(root, "val", "aachen", 19, np.arange(34, dtype=np.uint8).reshape(2, 17))
    write_frame(root, "val", "bochum", 7, RNG.integers(0, 34, (5, 6)).astype(np.uint8))
    return root, "val"


def voc(root):
    return write_voc(root / "VOC2012", {"val": ["2007_000033", "2007_000032"]}), "val"


def ade20k(root):
    write_scene(root, "validation", "ADE_val_00000002", RNG.integers(0, 151, (4, 5)).astype(np.uint8))
    write_scene(root, "validation", "ADE_val_00000001", np.arange(151, dtype=np.uint8).reshape(1, 151))
    return root, "val"


def same_samples(reader, dataset):
    assert len(reader) == len(dataset) and data_stems(reader) == data_stems(dataset)
    for i in range(len(dataset)):
        image, target = reader.read_sample(i)
        tensor_image, tensor_target = dataset[i]
        assert image.dtype == np.float32 and image.shape == tensor_image.shape[1:] + (3,)
        assert target.dtype == np.uint8
        np.testing.assert_array_equal(normalize_array(image), tensor_image.numpy())
        np.testing.assert_array_equal(target, tensor_target.numpy())
        np.testing.assert_array_equal(as_rgb_image(image), as_rgb_image(tensor_image))  # what the report shows


@pytest.mark.parametrize("layout", [folder, cityscapes, voc, ade20k])
def test_paired_files_read_what_the_dataset_serves(tmp_path, layout):
    root, split = layout(tmp_path)
    reader, dataset = find_files(root, split), create_dataset(root, split)
    assert [str(p) for p in reader.samples] == [str(p) for p in dataset.samples]
    same_samples(reader, dataset)


def test_scenes_are_the_synthetic_samples():
    params = dict(num_images=4, image_size=(20, 28), seed=5)
    same_samples(ShapeScenes(**params), SyntheticShapes(**params))


def test_a_folder_image_reads_back_its_bytes(tmp_path):
    """A PNG photograph comes back as its own bytes once shown (no rounding lost on the way to [0, 1])."""
    root, split = folder(tmp_path)
    reader = find_files(root, split)
    stored = np.asarray(Image.open(reader.image_path(0)).convert("RGB"))
    np.testing.assert_array_equal(as_rgb_image(reader.read_sample(0)[0]), stored)
    before = torch.from_numpy(stored.copy()).permute(2, 0, 1).float().div_(255.0)  # how images were read until now
    assert torch.equal(create_dataset(root, split).load(0)[0], before)
