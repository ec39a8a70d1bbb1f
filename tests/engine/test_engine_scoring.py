"""score_model and score_predictions: records whose numbers equal an independent evaluation of the same masks."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import Subset

from tests.data.test_cityscapes_reader import write_frame
from workbench.data import ImageGroups, SegmentationFolder, SyntheticShapes, create_dataset, data_stems, data_target
from workbench.engine import MemoryCache, predict, score_comparison, score_model, score_predictions
from workbench.engine.loaders import create_eval_loader
from workbench.engine.runtime import Runtime
from workbench.metrics import SegmentationEvaluator, evaluate
from workbench.records import read_comparison, read_record

CLASSES = {
    "classes": [
        {"id": 0, "name": "sky", "color": [0, 0, 255]},
        {"id": 1, "name": "road", "color": [9, 9, 9]},
        {"id": 2, "name": "car", "color": [255, 0, 0]},
    ],
    "ignore_index": 255,
}
SIZES = {"b01": (10, 14), "a02": (12, 9), "c03": (10, 14)}  # mixed sizes: batches are padded


def tiny_tree(root, rng):
    for folder in ("images/val", "masks/val"):
        (root / folder).mkdir(parents=True)
    for stem, size in SIZES.items():
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(root / "images/val" / f"{stem}.png")
        mask = np.where(rng.random(size) < 0.1, 255, rng.integers(0, 3, size)).astype(np.uint8)
        Image.fromarray(mask).save(root / "masks/val" / f"{stem}.png")
    (root / "classes.json").write_text(json.dumps(CLASSES))
    return SegmentationFolder(root, "val")


@pytest.fixture
def folder(tmp_path):
    return tiny_tree(tmp_path / "data", np.random.default_rng(0))


def _targets(data):
    return [data[i][1].numpy() for i in range(len(data))]


def test_score_predictions_equals_evaluate_on_the_same_masks(folder, tmp_path):
    rng = np.random.default_rng(1)
    preds = {stem: rng.integers(0, 3, size) for stem, size in SIZES.items()}
    (tmp_path / "preds").mkdir()
    for stem, pred in preds.items():
        np.save(tmp_path / "preds" / f"{stem}.npy", pred)
    record = score_predictions(tmp_path / "preds", folder, tmp_path / "out")
    stems = [folder.mask_path(i).stem for i in range(len(folder))]
    expected = evaluate([preds[s] for s in stems], _targets(folder), 3).as_dict()
    for key, value in read_record(tmp_path / "out").scores.as_dict().items():
        np.testing.assert_allclose(value, expected[key], rtol=0, atol=1e-12, err_msg=key)
    assert record.stems == stems and record.source == {
        "kind": "predictions",
        "dir": str((tmp_path / "preds").resolve()),
    }
    assert record.data["root"] == str((tmp_path / "data").resolve()) and record.data["split"] == "val"
    assert all((record.mask(s) == preds[s]).all() for s in stems)


class Shifted(torch.nn.Module):
    """A fixed 'model': class = (channel sum quantised) mod 3, so its predictions are known without it."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, images):
        ids = (images.sum(1) * 4).floor().long() % 3
        return torch.nn.functional.one_hot(ids, 3).permute(0, 3, 1, 2).float() + self.dummy


def test_score_model_crops_padded_batches_back_to_each_image(folder, tmp_path):
    record = score_model(Shifted(), folder, tmp_path / "out", spec={"name": "shifted"}, batch_size=3)
    singles = [Shifted()(folder[i][0][None]).argmax(1)[0].numpy() for i in range(len(folder))]
    for stem, single in zip(record.stems, singles):
        assert record.mask(stem).shape == single.shape and (record.mask(stem) == single).all()
    expected = evaluate(singles, _targets(folder), 3).as_dict()
    for key, value in record.scores.as_dict().items():
        np.testing.assert_allclose(value, expected[key], rtol=0, atol=1e-12, err_msg=key)
    assert record.source == {"kind": "model", "name": "shifted", "encoder": None, "weights": None, "sha256": None}


def test_records_store_the_groups_of_the_dataset(folder, tmp_path):
    (tmp_path / "data" / "groups.csv").write_text("stem,sequence\na02,left\nb01,right\nc03,left\n")
    want = ImageGroups(("left", "right", "left"), True, "sequence")
    assert score_model(Shifted(), folder, tmp_path / "model", spec={"name": "shifted"}).groups == want
    (tmp_path / "preds").mkdir()
    for stem, size in SIZES.items():
        np.save(tmp_path / "preds" / f"{stem}.npy", np.zeros(size, np.int64))
    assert score_predictions(tmp_path / "preds", folder, tmp_path / "out").groups == want
    assert read_record(tmp_path / "out").groups == want


def test_predict_is_the_one_batched_path(folder):
    evaluator = SegmentationEvaluator(3, 255)
    loader = create_eval_loader(folder, batch_size=2)
    seen = []
    loss = predict(
        Shifted(),
        loader,
        evaluator,
        runtime=Runtime(torch.device("cpu"), "fp32", False),
        sink=lambda preds, targets: seen.append((preds, targets)),
    )
    assert [len(preds) for preds, _ in seen] == [2, 1]  # one call per batch, as it is scored
    masks = [m for preds, _ in seen for m in preds]
    assert [m.shape for m in masks] == [tuple(folder[i][1].shape) for i in range(len(folder))]
    targets = [t for _, batch in seen for t in batch]
    assert all((t == folder[i][1].numpy()).all() for i, t in enumerate(targets))  # cropped back, padding gone
    assert np.isnan(loss) and evaluator.compute().num_images == 3


def test_a_comparison_of_prediction_folders(folder, tmp_path):
    rng = np.random.default_rng(2)
    sources = {}
    for name in ("mine", "theirs"):
        sources[name] = tmp_path / name
        sources[name].mkdir()
        for stem, size in SIZES.items():
            Image.fromarray(rng.integers(0, 3, size).astype(np.uint8)).save(sources[name] / f"{stem}.png")
    records = score_comparison({"theirs": sources["theirs"], "mine": sources["mine"]}, folder, tmp_path / "cmp")
    assert list(read_comparison(tmp_path / "cmp")) == ["theirs", "mine"] == list(records)
    table = (tmp_path / "cmp" / "comparison.csv").read_text()
    assert f"{records['mine'].scores.miou}" in table and "ignore_index: 255" in table
    assert (tmp_path / "cmp" / "per_class_iou.md").is_file()


def test_stems_name_files_and_look_through_wrappers(folder, tmp_path):
    assert data_stems(folder) == ["a02", "b01", "c03"]
    assert data_stems(Subset(folder, [2, 0])) == ["c03", "a02"]
    assert data_stems(MemoryCache(SyntheticShapes(num_images=3, image_size=8))) == ["00000", "00001", "00002"]
    write_frame(tmp_path / "cs", "val", "frankfurt", 1, np.full((2, 17), 7, np.uint8))
    assert data_stems(create_dataset(tmp_path / "cs", "val")) == ["frankfurt_000000_000001"]  # not ..._leftImg8bit


def test_targets_are_read_without_the_images(folder):
    for index in range(len(folder)):
        assert (data_target(folder, index) == folder[index][1].numpy()).all()
    assert (data_target(Subset(folder, [2]), 0) == folder[2][1].numpy()).all()
    synthetic = SyntheticShapes(num_images=2, image_size=8)
    assert (data_target(MemoryCache(synthetic), 1) == synthetic[1][1].numpy()).all()
