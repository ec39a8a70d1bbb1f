"""scored_data: a record finds the data it scored again (generated or a folder), and its images by stem, as
numpy arrays equal to the torch dataset's samples."""

from pathlib import Path

import numpy as np
import pytest

from workbench.data import ShapeScenes, SyntheticShapes, create_dataset, data_stems, describe_data, normalize_array
from workbench.metrics import evaluate
from workbench.records import (
    RecordError,
    label_digest,
    read_record,
    scored_data,
    scored_samples,
    stem_positions,
    write_record,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _record(folder, data, stems, targets, described=None):
    """A record of perfect predictions of ``targets`` (void as class 0), under ``describe_data(data)``."""
    preds = [np.where(t == 255, 0, t) for t in targets]
    write_record(
        folder,
        source={"kind": "predictions", "dir": "x"},
        data=described or describe_data(data),
        stems=stems,
        scores=evaluate(preds, targets, data.classes.num_classes),
        masks=preds,
        classes=data.classes,
    )
    return read_record(folder)


def test_generated_data_is_rebuilt_from_its_parameters(tmp_path):
    data = SyntheticShapes(num_images=5, image_size=(24, 32), seed=7)
    targets = [data[i][1].numpy() for i in range(5)]
    record = _record(tmp_path / "r", data, data_stems(data), targets)
    again = scored_data(record)
    assert isinstance(again, ShapeScenes) and len(again) == 5
    for i in range(5):
        image, target = again.read_sample(i)
        np.testing.assert_array_equal(normalize_array(image), data[i][0].numpy())
        np.testing.assert_array_equal(target, targets[i])
    samples = scored_samples(record, ["00003", "00001"])
    assert [label_digest(t) for _, t in samples] == [label_digest(targets[3]), label_digest(targets[1])]


def test_a_folder_is_found_again_and_its_images_by_stem(tmp_path):
    data = create_dataset(SAMPLE, "val")
    stems = data_stems(data)[::-1]  # the record's order need not be the data's
    positions = stem_positions(data, stems, "here")
    record = _record(tmp_path / "r", data, stems, [data[i][1].numpy() for i in positions])
    again = scored_data(record)
    assert stem_positions(again, stems, "here") == positions == list(range(len(stems)))[::-1]
    for (image, target), i in zip(scored_samples(record, stems), positions):
        assert image.dtype == np.float32 and target.dtype == np.uint8
        np.testing.assert_array_equal(normalize_array(image), data[i][0].numpy())
        np.testing.assert_array_equal(target, data[i][1].numpy())


def test_missing_data_and_missing_images_say_what(tmp_path):
    data = create_dataset(SAMPLE, "val")
    targets = [data[i][1].numpy() for i in range(len(data))]
    record = _record(tmp_path / "r", data, data_stems(data), targets)
    moved = _record(
        tmp_path / "moved",
        data,
        data_stems(data),
        targets,
        described={**describe_data(data), "root": str(tmp_path / "gone")},
    )
    with pytest.raises(
        RecordError, match=f"the data the record names \\({tmp_path / 'gone'}\\) is not on this machine"
    ):
        scored_data(moved)
    with pytest.raises(ValueError, match=r"run/: the data has no images \['nope'\] \(1 of 2 missing\)"):
        stem_positions(scored_data(record), [record.stems[0], "nope"], "run/")
