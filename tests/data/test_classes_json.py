"""classes.json is checked when it is read (colours, ids), and the ignore index has one source of truth."""

import json
import os

import numpy as np
import pytest

from workbench import atomic
from workbench.data import Classes, DatasetError, SegmentationFolder, check_ignore_index
from workbench.data.classes import CLASSES_FILE
from workbench.metrics import evaluate
from workbench.records import write_record


def write_spec(path, colors, ids=None, ignore_index=255):
    ids = range(len(colors)) if ids is None else ids
    path.write_text(
        json.dumps(
            {
                "classes": [{"id": i, "name": f"c{i}", "color": c} for i, c in zip(ids, colors)],
                "ignore_index": ignore_index,
            }
        )
    )
    return path


@pytest.mark.parametrize("bad", [[0, 0, 256], [0, 0, -1], [0, 0], [0, 0, 0, 0], [0, 0, 1.5], "red", [True, 0, 0], 7])
def test_bad_colour_names_the_file_and_the_class(tmp_path, bad):
    spec = write_spec(tmp_path / "classes.json", [[0, 0, 0], bad])
    with pytest.raises(DatasetError, match=r"classes.json: not a valid classes.json \(class 1 \('c1'\) has colour"):
        Classes.from_json(spec)


def test_repeated_ids_are_named(tmp_path):
    spec = write_spec(tmp_path / "classes.json", [[0, 0, 0], [1, 1, 1], [2, 2, 2]], ids=[0, 1, 1])
    with pytest.raises(DatasetError, match=r"classes.json.*class ids \[1\] appear more than once"):
        Classes.from_json(spec)


def test_good_file_reads_and_remembers_its_source(tmp_path):
    spec = write_spec(tmp_path / "classes.json", [[0, 0, 0], [255, 128, 7]])
    classes = Classes.from_json(spec)
    assert classes.colors == ((0, 0, 0), (255, 128, 7)) and classes.source == str(spec)
    assert classes == Classes(names=("c0", "c1"), colors=np.array([[0, 0, 0], [255, 128, 7]]))  # source not compared


def test_folder_refuses_a_bad_classes_json_at_construction(folder_tree):
    root = folder_tree()
    write_spec(root / "classes.json", [[0, 0, 0], [300, 0, 0], [0, 0, 9]])
    with pytest.raises(DatasetError, match=r"classes.json.*\[300, 0, 0\]"):
        SegmentationFolder(root, "train")


def test_colours_checked_in_code_too():
    with pytest.raises(ValueError, match=r"class 0 \('a'\) has colour \(0, 0, 999\)"):
        Classes(names=("a",), colors=((0, 0, 999),))


def test_check_ignore_index(tmp_path):
    classes = Classes.from_json(write_spec(tmp_path / "classes.json", [[0, 0, 0], [9, 9, 9]], ignore_index=250))
    assert check_ignore_index(classes, None) == 250 and check_ignore_index(classes, 250) == 250
    with pytest.raises(
        DatasetError, match=r"ignore_index 255 disagrees with .*classes.json, which gives ignore_index 250"
    ):
        check_ignore_index(classes, 255)


def test_to_json_is_the_one_atomic_writer_and_from_json_reads_it_back(tmp_path, monkeypatch):
    classes = Classes(("sky", "road"), ((0, 0, 255), (128, 64, 128)), ignore_index=250)
    path = classes.to_json(tmp_path / CLASSES_FILE, name="two classes")
    assert Classes.from_json(path) == classes and json.loads(path.read_text())["name"] == "two classes"
    assert Classes.from_dict(classes.to_dict()) == classes
    before = path.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Classes(("a",), ((1, 2, 3),)).to_json(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == [CLASSES_FILE]  # old file, no temporary


def test_a_record_keeps_its_classes_in_the_classes_json_layout(tmp_path):
    classes = Classes(("sky", "road"), ((0, 0, 255), (128, 64, 128)))
    masks = [np.array([[0, 1], [1, 1]])]
    record = write_record(
        tmp_path / "rec",
        source={"kind": "predictions", "dir": "x"},
        data={},
        scores=evaluate(masks, masks, 2),
        stems=["a"],
        masks=masks,
        classes=classes,
    )
    assert json.loads((record.path / "record.json").read_text())["classes"] == classes.to_dict()
    assert record.classes == classes
