"""bench/eval_scale.py: its generated folder is a dataset workbench reads, its predictions are wrong where they
should be, and its region and boundary peers score tiny masks exactly as ``workbench.metrics.evaluate``."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workbench.data import create_dataset
from workbench.metrics import evaluate

BENCH = Path(__file__).resolve().parents[1] / "bench" / "eval_scale.py"
HEIGHT, WIDTH, SEED = 64, 128, 3


@pytest.fixture(scope="module")
def eval_scale():
    spec = importlib.util.spec_from_file_location("eval_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_scale"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def folder(eval_scale, tmp_path_factory) -> Path:
    return eval_scale.generate(tmp_path_factory.mktemp("work"), [2], HEIGHT, WIDTH, SEED, processes=0)[2]


@pytest.fixture(scope="module")
def maps(folder):
    """``(preds, targets)`` of the generated folder as workbench reads them."""
    data = create_dataset(folder / "data", "val")
    targets = [data[i][1].numpy() for i in range(len(data))]
    preds = [np.array(Image.open(folder / "preds" / f"{stem}.png")) for stem in ("scene_00000", "scene_00001")]
    return preds, targets


def test_folder_is_a_dataset_of_the_drawn_scenes(eval_scale, folder):
    data = create_dataset(folder / "data", "val")
    assert len(data) == 2 and data.classes.num_classes == 19 and data.classes.ignore_index == 255
    image, mask = data[1]
    assert tuple(image.shape) == (3, HEIGHT, WIDTH) and tuple(mask.shape) == (HEIGHT, WIDTH)
    scene = eval_scale.draw_scene(1, SEED, HEIGHT, WIDTH)
    np.testing.assert_array_equal(mask.numpy(), scene.target)
    np.testing.assert_array_equal(np.array(Image.open(folder / "preds" / "scene_00001.png")), scene.pred)


def test_predictions_differ_from_targets_where_intended(eval_scale):
    for index in range(2):
        scene = eval_scale.draw_scene(index, SEED, HEIGHT, WIDTH)
        valid = scene.target != 255
        assert 0.10 <= (~valid).mean() < 0.2  # about 10% void
        assert scene.pred.max() < 19  # a prediction is never void
        pole = scene.target[scene.missed]
        assert pole.size and len(np.unique(pole)) == 1 and pole[0] in eval_scale.THIN_CLASSES
        with_pole = eval_scale.draw_scene(index, SEED, HEIGHT, WIDTH, miss_pole=False)
        np.testing.assert_array_equal(with_pole.target, scene.target)
        differ = with_pole.pred != scene.pred  # the prediction differs from one with the pole by the pole alone
        assert differ.any() and (with_pole.pred[differ] == pole[0]).all() and (scene.pred[differ] != pole[0]).all()
        larger = eval_scale.draw_scene(index, SEED, 256, 512)  # at 64 x 128 a few pixels of shift are most of a cell
        valid = larger.target != 255
        assert 0.6 < (larger.pred[valid] == larger.target[valid]).mean() < 0.95  # wrong edges and blobs, mostly right
    again = eval_scale.draw_scene(0, SEED, HEIGHT, WIDTH)
    np.testing.assert_array_equal(again.pred, eval_scale.draw_scene(0, SEED, HEIGHT, WIDTH).pred)
    assert not np.array_equal(again.target, eval_scale.draw_scene(0, SEED + 1, HEIGHT, WIDTH).target)


def test_numpy_peer_agrees_with_evaluate(eval_scale, folder, maps):
    want = evaluate(*maps, 19).as_dict()
    got = eval_scale.numpy_peer(folder / "data", folder / "preds")
    assert got["stems"] == ["scene_00000", "scene_00001"]
    np.testing.assert_allclose(np.array(got["iou"], dtype=float), want["iou"], rtol=0, atol=1e-12)  # NaN alike


@pytest.mark.slow  # importing torchmetrics takes about 6 s on the shared 2-core machine
def test_torchmetrics_peer_agrees_with_evaluate(eval_scale, folder, maps):
    want = evaluate(*maps, 19).as_dict()
    torchmetrics_iou = np.array(eval_scale.torchmetrics_peer(folder / "data", folder / "preds")["iou"])
    defined = ~np.isnan(want["iou"])
    np.testing.assert_allclose(torchmetrics_iou[defined], want["iou"][defined], rtol=0, atol=1e-6)  # float32


def test_intersect_and_union_counts(eval_scale):
    pred = np.array([[0, 1, 1], [2, 2, 0]], dtype=np.uint8)
    label = np.array([[0, 1, 255], [2, 0, 0]], dtype=np.uint8)
    intersect, union, area_pred, area_label = eval_scale.intersect_and_union(pred, label, 3, 255)
    assert intersect.tolist() == [2, 1, 1] and area_pred.tolist() == [2, 1, 2]
    assert area_label.tolist() == [3, 1, 1] and union.tolist() == [3, 1, 2]


BOUNDARY_KEYS = ("class_boundary_iou", "boundary_miou", "class_boundary_f1", "boundary_f1")


def test_scipy_peer_agrees_with_evaluate(eval_scale, folder, maps):
    want = evaluate(*maps, 19).as_dict()
    got = eval_scale.scipy_peer(folder / "data", folder / "preds")
    assert got["stems"] == ["scene_00000", "scene_00001"]
    assert eval_scale.largest_difference(got, want, BOUNDARY_KEYS) < 1e-12
    assert 0 < got["boundary_miou"] < 1 and 0 < got["boundary_f1"] < 1
    first = eval_scale.scipy_peer(folder / "data", folder / "preds", limit=1)
    assert first["stems"] == ["scene_00000"]
    assert eval_scale.largest_difference(first, evaluate(maps[0][:1], maps[1][:1], 19).as_dict(), BOUNDARY_KEYS) < 1e-12


def test_peers_on_images_with_different_classes(eval_scale, tmp_path):
    """Images whose classes differ in number: BF averages each image's mean, not all cells at once."""
    rng = np.random.default_rng(0)
    targets = [np.kron(rng.integers(0, k, (4, 6)), np.ones((8, 8), dtype=np.int64)).astype(np.uint8) for k in (2, 5)]
    targets[1][:3] = 255
    preds = [np.roll(t, 2, axis=1) % 5 for t in targets]  # 255 % 5 = 0: a prediction is never void
    (tmp_path / "masks" / "val").mkdir(parents=True)
    (tmp_path / "preds").mkdir()
    for i, (pred, target) in enumerate(zip(preds, targets)):
        Image.fromarray(target).save(tmp_path / "masks" / "val" / f"{i}.png")
        Image.fromarray(pred).save(tmp_path / "preds" / f"{i}.png")
    want = evaluate(preds, targets, 19).as_dict()
    got = eval_scale.scipy_peer(tmp_path, tmp_path / "preds")
    assert eval_scale.largest_difference(got, want, BOUNDARY_KEYS) < 1e-12
    np.testing.assert_allclose(eval_scale.numpy_peer(tmp_path, tmp_path / "preds")["iou"], want["iou"], atol=1e-12)


def test_largest_difference_sees_values_and_undefined_classes(eval_scale):
    assert eval_scale.largest_difference({"a": [0.5, None]}, {"a": [0.25, float("nan")]}, ["a"]) == 0.25
    assert eval_scale.largest_difference({"a": [0.5, 0.1]}, {"a": [0.5, float("nan")]}, ["a"]) == float("inf")


def test_a_failing_row_stops_with_its_error(eval_scale):
    command = [sys.executable, "-c", "import sys; sys.exit('error: unrecognized arguments: --workers 1')"]
    with pytest.raises(SystemExit) as stop:
        eval_scale.run_command(command, "workbench evaluate --workers 1")
    assert "'workbench evaluate --workers 1' failed (exit 1)" in str(stop.value)
    assert "unrecognized arguments: --workers 1" in str(stop.value)


def test_peak_memory_is_the_rows_own():
    """A child's ru_maxrss starts from its launcher's peak (vfork + exec), so launch from a fresh small process,
    as the benchmark does, and tell a 300 MB row from an empty one."""
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('eval_scale', sys.argv[1]); "
        "m = importlib.util.module_from_spec(spec); sys.modules['eval_scale'] = m; spec.loader.exec_module(m); "
        "runs = [m.run_command([sys.executable, '-c', c], c) for c in ('pass', 'x = bytearray(300_000_000)')]; "
        "print(*[r.max_rss for r in runs], runs[1].wall, runs[1].cpu)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(BENCH)], capture_output=True, text=True, check=True).stdout
    empty, full, wall, cpu = map(float, out.split())
    assert empty < 150e6 and full > 300e6 and wall > 0 and cpu > 0


def test_script_help_runs():
    out = subprocess.run([sys.executable, str(BENCH), "--help"], capture_output=True, text=True, check=True).stdout
    assert "--sizes" in out and "--work" in out


def test_targets_from_runs(eval_scale):
    def run(wall, rss):
        return eval_scale.Run(wall=wall, cpu=wall, max_rss=rss, tree_pss=None)

    runs = {
        (50, "wb1"): run(30, 900e6),
        (200, "wb1"): run(90, 1100e6),  # +22% memory: missed
        (50, "wball"): run(10, 1000e6),
        (200, "wball"): run(25, 1600e6),  # over 1.5 GB: missed
        (50, "torchmetrics"): run(12, 1e9),
        (200, "torchmetrics"): run(20, 1e9),
    }

    def met(runs, words):
        return [
            (measured, ok)
            for target, measured, ok in eval_scale.targets([50, 200], 1024, 2048, runs)
            if words in target
        ]

    assert [ok for _, ok in met(runs, "within 15%")] == [False, False]  # +22%, +60%
    assert [ok for _, ok in met(runs, "under 1.5 GB")] == [True, False]
    assert [ok for _, ok in met(runs, "torchmetrics")] == [True, False]  # 10 s < 12 s; 25 s > 20 s
    assert met(runs, "500 images") == [("55 s (line through N=50 and N=200)", True)]  # 10 s + 15 s per 150 images
    runs[200, "wball"] = run(9, 1050e6)  # noise: no slope to extend
    assert met(runs, "500 images") == [("22 s (in proportion to N=200)", True)]
    assert [ok for _, ok in met(runs, "within 15%")] == [False, True]
