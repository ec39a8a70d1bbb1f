"""Records keep the group of each image (sequence, city), so intervals need no dataset; older records read as
each image alone."""

import json

import numpy as np
import pytest

from workbench.data import Classes, ImageGroups
from workbench.metrics import evaluate
from workbench.records import RecordError, read_record, write_record

CLASSES = Classes(("sky", "road"), ((0, 0, 255), (128, 128, 128)))
STEMS = ("s1_001", "s1_002", "s2_001", "s2_002", "s2_003")


def _write(path, groups=None):
    rng = np.random.default_rng(0)
    preds = [rng.integers(0, 2, (6, 5)) for _ in STEMS]
    targets = [rng.integers(0, 2, (6, 5)) for _ in STEMS]
    return write_record(
        path,
        source={"kind": "predictions", "dir": "/p"},
        data={"root": None, "split": None},
        scores=evaluate(preds, targets, 2),
        stems=STEMS,
        masks=preds,
        classes=CLASSES,
        groups=groups,
    )


def test_a_record_written_with_groups_reads_them_back(tmp_path):
    groups = ImageGroups(("s1", "s1", "s2", "s2", "s2"), True, "sequence")
    record = _write(tmp_path / "r", groups)
    assert read_record(tmp_path / "r").groups == groups == record.groups
    meta = json.loads((tmp_path / "r" / "record.json").read_text())
    assert meta["groups"] == {"labels": ["s1", "s1", "s2", "s2", "s2"], "sequences": True, "unit": "sequence"}
    table = record.scores.bootstrap(resamples=40, **record.groups.bootstrap_options())
    assert table.attrs["method"].endswith("blocks of 10 frames within each of 2 sequences")


def test_a_record_without_groups_reads_as_each_image_alone(tmp_path):
    record = _write(tmp_path / "r")
    assert "groups" not in json.loads((tmp_path / "r" / "record.json").read_text())
    assert record.groups == ImageGroups.each_image(STEMS) and record.groups.block is None
    today = record.scores.bootstrap(resamples=40)
    assert record.scores.bootstrap(resamples=40, **record.groups.bootstrap_options()).equals(today)


def test_groups_not_one_per_stem_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="4 group labels for 5 stems"):
        _write(tmp_path / "r", ImageGroups(("a",) * 4))
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "groups, message",
    [
        ({"labels": ["a"] * 4, "sequences": False, "unit": "city"}, "groups.labels is .* expected a list of 5"),
        ({"labels": ["a", "a", 3, "b", "b"], "sequences": False, "unit": "city"}, "groups.labels is"),
        (
            {"labels": ["a"] * 5, "sequences": "yes", "unit": "city"},
            "groups.sequences is 'yes', expected true or false",
        ),
        ({"labels": ["a"] * 5, "sequences": False}, "groups is .* expected a JSON object with exactly"),
        (["a"] * 5, "groups is .* expected a JSON object"),
    ],
)
def test_hand_edited_groups_are_refused_naming_the_key(tmp_path, groups, message):
    _write(tmp_path / "r", ImageGroups(("a",) * 5))
    file = tmp_path / "r" / "record.json"
    meta = json.loads(file.read_text())
    meta["groups"] = groups
    file.write_text(json.dumps(meta))
    with pytest.raises(RecordError, match=message):
        read_record(tmp_path / "r")
