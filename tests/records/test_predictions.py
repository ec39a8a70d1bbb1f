"""Predictions of other tools: every accepted file format gives the same class ids; bad folders are clear errors."""

import re

import numpy as np
import pytest
from PIL import Image

from workbench.data import Classes
from workbench.records import find_predictions, read_prediction

CLASSES = Classes(("sky", "road", "car"), ((0, 0, 255), (128, 128, 128), (255, 0, 0)))
IDS = np.array([[0, 1, 2, 2], [1, 1, 0, 2], [2, 0, 0, 1]])


def _palette_png(path, ids):
    img = Image.fromarray(ids.astype(np.uint8), mode="P")
    img.putpalette([v for color in CLASSES.colors for v in color] + [0] * (3 * 253))
    img.save(path)


WRITERS = {
    "grey8.png": lambda p: Image.fromarray(IDS.astype(np.uint8)).save(p),
    "grey16.png": lambda p: Image.fromarray(IDS.astype(np.uint16)).save(p),
    "palette.png": lambda p: _palette_png(p, IDS),
    "rgb.png": lambda p: Image.fromarray(CLASSES.palette()[IDS]).save(p),
    "rgba.png": lambda p: Image.fromarray(np.dstack([CLASSES.palette()[IDS], np.full(IDS.shape, 255, np.uint8)])).save(
        p
    ),
    "ids.npy": lambda p: np.save(p, IDS.astype(np.int16)),
}


@pytest.mark.parametrize("name", WRITERS)
def test_every_accepted_format_reads_as_the_class_ids(tmp_path, name):
    path = tmp_path / name
    WRITERS[name](path)
    pred = read_prediction(path, CLASSES, IDS.shape)
    assert pred.dtype == np.int64 and (pred == IDS).all()


def test_wrong_size_unknown_colours_and_values_outside_the_classes(tmp_path):
    Image.fromarray(IDS.T.astype(np.uint8)).save(tmp_path / "t.png")
    with pytest.raises(ValueError, match=r"t\.png: prediction is 3x4 \(WxH\) but the target mask is 4x3"):
        read_prediction(tmp_path / "t.png", CLASSES, IDS.shape)
    rgb = CLASSES.palette()[IDS]
    rgb[0, 0] = (1, 2, 3)
    Image.fromarray(rgb).save(tmp_path / "c.png")
    with pytest.raises(
        ValueError, match=re.escape("c.png: 1 colours are not class colours of classes.json, e.g. (1, 2, 3)")
    ):
        read_prediction(tmp_path / "c.png", CLASSES, IDS.shape)
    Image.fromarray(np.where(IDS == 2, 255, IDS).astype(np.uint8)).save(tmp_path / "v.png")
    with pytest.raises(ValueError, match=r"v\.png: values \{255\} are not class ids 0\.\.2 \(4 pixels\)"):
        read_prediction(tmp_path / "v.png", CLASSES, IDS.shape)
    np.save(tmp_path / "f.npy", IDS.astype(float))
    with pytest.raises(ValueError, match=r"f\.npy: holds a float64 array .*argmax the logits"):
        read_prediction(tmp_path / "f.npy", CLASSES, IDS.shape)


def _folder(tmp_path, names):
    folder = tmp_path / "preds"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")
    return folder


def test_the_folder_must_hold_exactly_one_file_per_stem(tmp_path):
    stems = [f"img{i}" for i in range(8)]
    folder = _folder(tmp_path, [f"{s}.png" for s in stems] + [".DS_Store"])
    assert list(find_predictions(folder, stems)) == stems  # hidden files are skipped
    (folder / "img3.png").unlink()
    (folder / "img5.png").unlink()
    with pytest.raises(
        ValueError, match=r"2 of 8 images have no prediction \(img3, img5\).*nothing is scored on a subset"
    ):
        find_predictions(folder, stems)
    _folder(tmp_path, ["img3.png", "img5.npy", "img5.png"])
    with pytest.raises(ValueError, match=r"two prediction files, e\.g\. img5\.npy, img5\.png"):
        find_predictions(folder, stems)
    (folder / "img5.npy").unlink()
    _folder(tmp_path, ["other.png", "notes.txt"])
    with pytest.raises(ValueError, match=r"2 files match no image of the split, e\.g\. notes\.txt, other\.png"):
        find_predictions(folder, stems)


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(ValueError, match="no such predictions folder"):
        find_predictions(tmp_path / "nope", ["a"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty"):
        find_predictions(tmp_path / "empty", ["a"])
