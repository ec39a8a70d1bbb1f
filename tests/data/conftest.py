"""Tiny dataset trees written into tmp_path, shared by the data tests."""

import json

import numpy as np
import pytest
from PIL import Image

THREE_CLASSES = {
    "classes": [
        {"id": i, "name": n, "color": c}
        for i, (n, c) in enumerate([("sky", [0, 0, 255]), ("road", [128, 64, 128]), ("car", [64, 0, 128])])
    ],
    "ignore_index": 255,
}


def write_pair(image_path, mask_path, mask: np.ndarray, image_size=None) -> None:
    """A flat grey RGB image (JPEG or PNG by suffix) and the L-mode mask PNG ``mask``."""
    height, width = image_size or mask.shape
    image_path.parent.mkdir(parents=True, exist_ok=True)
    mask_path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((height, width, 3), 100, np.uint8)).save(image_path)
    Image.fromarray(mask.astype(np.uint8), mode="L").save(mask_path)


@pytest.fixture
def save_pair():
    """``save_pair(image_path, mask_path, mask, image_size=None)``: write one image and its mask."""
    return write_pair


@pytest.fixture
def folder_tree(tmp_path):
    """``images/`` + ``masks/`` with 5 train and 3 val pairs of 12 x 16 and a three-class ``classes.json``."""

    def make(root=tmp_path, counts=(("train", 5), ("val", 3)), classes=THREE_CLASSES):
        for split, count in counts:
            for i in range(count):
                mask = np.array([0, 1, 2, 255], np.uint8)[(np.arange(12) + i) % 4][:, None].repeat(16, 1)
                write_pair(
                    root / "images" / split / f"{split}{i}.jpg", root / "masks" / split / f"{split}{i}.png", mask
                )
        if classes is not None:
            (root / "classes.json").write_text(json.dumps(classes))
        return root

    return make
