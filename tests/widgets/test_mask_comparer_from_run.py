"""MaskComparer.from_run: masks and per-image scores from evaluation records, photographs from the data, no model."""

import numpy as np
import pytest

from workbench.data import SyntheticShapes, describe_data
from workbench.metrics import evaluate, per_image_scores
from workbench.records import RecordError, write_comparison_order, write_record
from workbench.widgets import MaskComparer

DATA = dict(num_images=6, image_size=(24, 32), seed=3)


def _write(folder, name, preds, targets, data):
    stems = [f"{i:05d}" for i in range(len(targets))]
    write_record(
        folder / name,
        source={"kind": "predictions", "dir": name},
        data=describe_data(data),
        scores=evaluate(preds, targets, data.classes.num_classes),
        stems=stems,
        masks=preds,
        classes=data.classes,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A predictions-only comparison folder: two sources, each the target with some pixels made wrong."""
    data = SyntheticShapes(**DATA)
    targets = [data[i][1].numpy() for i in range(len(data))]
    rng = np.random.default_rng(0)
    preds = {
        name: [
            np.where(rng.random(t.shape) < share, rng.integers(0, 7, t.shape), np.where(t == 255, 0, t))
            for t in targets
        ]
        for name, share in (("good", 0.05), ("poor", 0.5))
    }
    folder = tmp_path_factory.mktemp("comparer") / "run"
    for name, maps in preds.items():
        _write(folder, name, maps, targets, data)
    write_comparison_order(folder, ["poor", "good"])
    return folder, data, targets, preds


def test_masks_and_scores_come_from_the_records(run):
    folder, data, targets, preds = run
    comparer = MaskComparer.from_run(folder, data)
    assert comparer.comparison.model_names == ("poor", "good")  # the comparison's order
    for name in ("poor", "good"):
        expected = per_image_scores(preds[name], targets, 7)  # scored independently, from the arrays
        np.testing.assert_allclose(comparer.comparison.scores[name].to_numpy(), expected.to_numpy(), atol=1e-12)
    comparer.index.value = 4
    assert comparer.current_index == 4
    np.testing.assert_array_equal(comparer.comparison.panels[4].preds["poor"], preds["poor"][4])
    comparer.sort.value, comparer.sort_by.value = "worst first", "poor"
    assert comparer.current_index == int(np.nanargmin(per_image_scores(preds["poor"], targets, 7)["miou"]))


def test_without_data_the_records_data_is_rebuilt(run):
    folder, data, targets, _ = run
    comparer = MaskComparer.from_run(folder)  # the records name SyntheticShapes(num_images=6, ..., seed=3)
    for panel, target in zip(comparer.comparison.panels, targets):
        np.testing.assert_array_equal(panel.target, target)


def test_one_record_and_a_subset(run):
    folder, data, _, preds = run
    comparer = MaskComparer.from_run(folder / "good", data, max_images=3)
    assert comparer.comparison.model_names == ("good",) and len(comparer.order) == 3
    np.testing.assert_array_equal(comparer.comparison.panels[2].preds["good"], preds["good"][2])


def test_wrong_data_and_wrong_folder_are_refused(run, tmp_path):
    folder, _, _, _ = run
    with pytest.raises(ValueError, match="not the one .* scored"):
        MaskComparer.from_run(folder, SyntheticShapes(**{**DATA, "seed": 4}))  # same size, other scenes
    with pytest.raises(ValueError, match=r"has no images \['00002', '00003', '00004'\] \(4 of 6 missing\)"):
        MaskComparer.from_run(folder, SyntheticShapes(**{**DATA, "num_images": 2}))
    with pytest.raises(RecordError, match="no evaluation record"):
        MaskComparer.from_run(tmp_path, SyntheticShapes(**DATA))
