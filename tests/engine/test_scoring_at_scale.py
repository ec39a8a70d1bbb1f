"""Scoring prediction folders at scale: streamed masks, a pool of workers, torchrun ranks, all giving one record.

And the evaluation path's promises (issue "nothing destroyed, nothing mixed"): an --out that is the data is
refused with the data intact; a comparison that fails part-way changes nothing; stale records go; a second
writer is stopped by the folder lock; a killed writer's temporaries are removed by the next one.
"""

import json
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from torch.utils.data import Subset

from workbench.cli import main
from workbench.data import SegmentationFolder
from workbench.engine import score_comparison, score_predictions
from workbench.metrics import evaluate
from workbench.records import label_digest, read_comparison, read_record

CLASSES = {"classes": [{"id": i, "name": f"c{i}", "color": [i * 40, 0, 0]} for i in range(5)], "ignore_index": 255}


def make_data(root, count, size=(48, 64), seed=0):
    """A folder dataset of ``count`` images and two prediction folders (``preds-a`` near right, ``preds-b`` noisy)."""
    rng = np.random.default_rng(seed)
    for folder in ("images/val", "masks/val", "preds-a", "preds-b"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    targets = []
    for i in range(count):
        stem = f"f{i:03d}"
        target = np.kron(rng.integers(0, 5, (size[0] // 8, size[1] // 8)), np.ones((8, 8), dtype=np.int64))
        target[rng.random(size) < 0.05] = 255
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(root / "images/val" / f"{stem}.png")
        Image.fromarray(target.astype(np.uint8)).save(root / "masks/val" / f"{stem}.png")
        near = np.where(target == 255, 0, np.roll(target, 2, axis=1)).clip(0, 4)
        noisy = np.where(rng.random(size) < 0.3, rng.integers(0, 5, size), near)
        Image.fromarray(near.astype(np.uint8)).save(root / "preds-a" / f"{stem}.png")
        Image.fromarray(noisy.astype(np.uint8)).save(root / "preds-b" / f"{stem}.png")
        targets.append(target)
    (root / "classes.json").write_text(json.dumps(CLASSES))
    return SegmentationFolder(root, "val"), targets


def same_record(a, b):
    """Every number and every mask equal, bit for bit."""
    for name, array in a.scores.image_stats.to_arrays().items():
        np.testing.assert_array_equal(array, b.scores.image_stats.to_arrays()[name], err_msg=name)
    assert (a.path / "scores.json").read_bytes() == (b.path / "scores.json").read_bytes()
    meta_a, meta_b = (json.loads((r.path / "record.json").read_text()) for r in (a, b))
    assert meta_a["masks"]["sha256"] == meta_b["masks"]["sha256"] and meta_a["targets"] == meta_b["targets"]
    assert meta_a["files"] == meta_b["files"]


@pytest.mark.slow  # two spawned worker processes each import torch: about 10 s on the 2-core CPU
def test_a_pool_of_workers_gives_the_same_record_as_one_process(tmp_path):
    data, targets = make_data(tmp_path / "data", 19)  # not a multiple of the round size
    one = score_predictions(tmp_path / "data/preds-b", data, tmp_path / "one", workers=1, distances=True)
    two = score_predictions(tmp_path / "data/preds-b", data, tmp_path / "two", workers=2, distances=True)
    same_record(one, two)
    preds = [np.array(Image.open(tmp_path / "data/preds-b" / f"{s}.png")) for s in one.stems]
    expected = evaluate(preds, targets, 5, distances=True).as_dict()
    assert one.scores.hd95 is not None and "hd95" in one.per_image
    for key, value in one.scores.as_dict().items():
        np.testing.assert_allclose(value, expected[key], rtol=0, atol=1e-12, err_msg=key)
    meta = json.loads((one.path / "record.json").read_text())
    assert meta["targets"]["sha256"] == [label_digest(t) for t in targets]


def test_memory_does_not_grow_with_the_number_of_images(tmp_path):
    """Masks go to disk as they are scored: the peak of numpy's allocations is that of a few images, not all."""
    data, _ = make_data(tmp_path / "data", 24, size=(256, 256))
    peaks = {}
    for count in (4, 24):
        preds = tmp_path / f"preds-{count}"  # the first ``count`` predictions of preds-a
        preds.mkdir()
        for path in sorted((tmp_path / "data/preds-a").iterdir())[:count]:
            (preds / path.name).write_bytes(path.read_bytes())
        tracemalloc.start()
        score_predictions(preds, Subset(data, range(count)), tmp_path / f"out-{count}", workers=1)
        peaks[count] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    one_image = 256 * 256 * 8  # an int64 prediction
    assert peaks[24] < peaks[4] + 4 * one_image, peaks  # holding every prediction would add 20 of them


TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "workbench"]


@pytest.mark.slow  # torchrun starts two Python processes that import torch: about 20 s on the 2-core CPU
def test_two_torchrun_processes_give_the_same_record_as_one(tmp_path):
    data, _ = make_data(tmp_path / "data", 21)
    alone = score_predictions(tmp_path / "data/preds-b", data, tmp_path / "alone")
    cmd = [
        *TORCHRUN,
        "evaluate",
        "--preds",
        str(tmp_path / "data/preds-b"),
        "--data",
        str(tmp_path / "data"),
        "--split",
        "val",
        "--out",
        str(tmp_path / "ranks"),
        "--workers",
        "1",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("record written to") == 1  # rank 0 alone writes and reports
    same_record(alone, read_record(tmp_path / "ranks"))


def evaluate_cli(root, out, *preds):
    sources = [str(root / "preds-a")] if not preds else [f"{name}={root / folder}" for name, folder in preds]
    args = ["evaluate", "--data", str(root), "--split", "val", "--out", str(out), "--workers", "1"]
    return main([*args, *[flag for source in sources for flag in ("--preds", source)]])


def scored_with(tmp_path, flag):
    """``evaluate --preds preds-a FLAG`` on fresh data: the record, the masks it scored and their targets."""
    root = tmp_path / "data"
    _, targets = make_data(root, 3)
    assert (
        main(
            [
                "evaluate",
                "--preds",
                str(root / "preds-a"),
                "--data",
                str(root),
                "--split",
                "val",
                "--out",
                str(tmp_path / "rec"),
                "--workers",
                "1",
                flag,
            ]
        )
        == 0
    )
    record = read_record(tmp_path / "rec")
    return record, [np.array(Image.open(root / "preds-a" / f"{s}.png")) for s in record.stems], targets


def compare_with(tmp_path, flag):
    compare = [
        "compare",
        "--models",
        "fcn32s",
        "--num-images",
        "4",
        "--val-images",
        "2",
        "--image-size",
        "32",
        "--epochs",
        "1",
        "--batch-size",
        "2",
        "--no-progress",
        "--device",
        "cpu",
        "--out",
        str(tmp_path / "cmp"),
        flag,
    ]
    assert main(compare) == 0
    return read_record(tmp_path / "cmp" / "fcn32s")


def test_evaluate_and_compare_score_hd95_when_asked(tmp_path, capsys):
    root = tmp_path / "data"
    record, preds, targets = scored_with(tmp_path, "--distances")
    np.testing.assert_allclose(record.scores.hd95, evaluate(preds, targets, 5, distances=True).hd95, rtol=0, atol=1e-12)
    assert "hd95" in capsys.readouterr().out
    assert score_predictions(root / "preds-a", SegmentationFolder(root, "val"), tmp_path / "plain").scores.hd95 is None
    assert compare_with(tmp_path, "--distances").scores.hd95 is not None


def test_evaluate_and_compare_count_the_error_breakdown_when_asked(tmp_path):
    root = tmp_path / "data"
    record, preds, targets = scored_with(tmp_path, "--errors")
    expected = evaluate(preds, targets, 5, errors=True).error_breakdown()
    assert (expected.drop(columns="iou").fillna(0).to_numpy() > 0).any()  # some errors to count
    pd.testing.assert_frame_equal(record.scores.error_breakdown(), expected, rtol=0, atol=1e-12)
    plain = score_predictions(root / "preds-a", SegmentationFolder(root, "val"), tmp_path / "plain")
    with pytest.raises(ValueError, match="errors=True"):
        plain.scores.error_breakdown()
    assert evaluate_cli(root, tmp_path / "cmp-preds", ("a", "preds-a"), ("b", "preds-b")) == 0  # no --errors
    assert (
        main(["report", str(tmp_path / "cmp-preds"), "--out", str(tmp_path / "plain.html"), "--resamples", "50"]) == 0
    )
    assert "Where each model loses its IoU" not in (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert (
        main(
            [
                "evaluate",
                "--preds",
                f"a={root / 'preds-a'}",
                "--preds",
                f"b={root / 'preds-b'}",
                "--data",
                str(root),
                "--split",
                "val",
                "--out",
                str(tmp_path / "cmp-errors"),
                "--workers",
                "1",
                "--errors",
            ]
        )
        == 0
    )
    assert (
        main(["report", str(tmp_path / "cmp-errors"), "--out", str(tmp_path / "errors.html"), "--resamples", "50"]) == 0
    )
    assert "Where each model loses its IoU" in (tmp_path / "errors.html").read_text(encoding="utf-8")
    assert compare_with(tmp_path, "--errors").scores.error_breakdown().loc["mean"].sum() == pytest.approx(1)
    assert main(["report", str(tmp_path / "cmp"), "--out", str(tmp_path / "review.html"), "--resamples", "50"]) == 0
    assert "Where each model loses its IoU" in (tmp_path / "review.html").read_text(encoding="utf-8")


def test_evaluate_and_compare_count_the_tolerance_ladder_when_asked(tmp_path):
    record, preds, targets = scored_with(tmp_path, "--tolerances")
    expected = evaluate(preds, targets, 5, tolerances=True)
    for key in ("boundary_f1", "nsd", "boundary_miou"):
        pd.testing.assert_frame_equal(
            record.scores.tolerance_curve(key, resamples=50),
            expected.tolerance_curve(key, resamples=50),
            rtol=0,
            atol=1e-12,
        )
    assert main(["report", str(tmp_path / "rec"), "--out", str(tmp_path / "review.html"), "--resamples", "50"]) == 0
    assert "Scores over the tolerance" in (tmp_path / "review.html").read_text(encoding="utf-8")
    assert len(compare_with(tmp_path, "--tolerances").scores.tolerance_curve("nsd", intervals=False)) == 7


def test_out_at_the_data_root_is_refused_and_the_masks_survive(tmp_path, capsys):
    make_data(tmp_path / "data", 3)
    before = {p: p.read_bytes() for p in (tmp_path / "data/masks/val").iterdir()}
    for out in (tmp_path / "data", tmp_path / "data/masks", tmp_path / "data/preds-a", tmp_path):
        assert evaluate_cli(tmp_path / "data", out) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "being scored" in err, err
    assert {p: p.read_bytes() for p in (tmp_path / "data/masks/val").iterdir()} == before
    assert not (tmp_path / "data" / "record.json").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert evaluate_cli(tmp_path / "data", foreign) == 2
    assert "holds files the workbench did not write (notes.txt)" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_a_comparison_that_fails_part_way_changes_nothing(tmp_path, capsys):
    root = tmp_path / "data"
    make_data(root, 4)
    out = tmp_path / "cmp"
    assert evaluate_cli(root, out, ("a", "preds-a"), ("b", "preds-b")) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "bad").mkdir()
    for path in sorted((root / "preds-b").iterdir()):
        (root / "bad" / path.name).write_bytes(path.read_bytes())
    Image.fromarray(np.full((48, 64), 9, dtype=np.uint8)).save(root / "bad" / "f002.png")  # a value above the classes
    assert evaluate_cli(root, out, ("a", "preds-b"), ("b", "bad")) == 2
    assert "f002.png" in capsys.readouterr().err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # a still names preds-a: the folder changed as a whole or not at all
    assert read_comparison(out)["a"].source["dir"] == str((root / "preds-a").resolve())


def test_a_comparison_rewritten_with_fewer_sources_drops_the_stale_record(tmp_path):
    root = tmp_path / "data"
    data, _ = make_data(root, 3)
    out = tmp_path / "cmp"
    score_comparison({"a": root / "preds-a", "b": root / "preds-b", "c": root / "preds-a"}, data, out)
    (out / "run-with-weights").mkdir()  # a training run folder: a record plus its checkpoint
    score_predictions(root / "preds-a", data, out / "run-with-weights")
    (out / "run-with-weights" / "last.safetensors").write_bytes(b"weights")
    score_comparison({"a": root / "preds-a", "b": root / "preds-b"}, data, out)
    assert not (out / "c").exists()  # only record files: removed
    assert (out / "run-with-weights" / "last.safetensors").is_file()  # never deleted: it holds more than a record
    assert json.loads((out / "comparison.json").read_text()) == {"records": ["a", "b"]}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".comparison")]


LOCK_HOLDER = """
import sys, time
from workbench.engine import RunLock
with RunLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow  # a second Python process that imports torch: about 7 s on the 2-core CPU
def test_a_second_writer_is_stopped_by_the_folder_lock_and_dead_temporaries_go(tmp_path, capsys):
    root = tmp_path / "data"
    make_data(root, 2)
    out = tmp_path / "rec"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert evaluate_cli(root, out) == 2
        err = capsys.readouterr().err
        assert f"in use by another run (process {holder.pid}" in err and err.count("\n") == 1
        assert evaluate_cli(root, tmp_path / "other", ("a", "preds-a"), ("b", "preds-b")) == 0  # other folders work
    finally:
        holder.kill()
        holder.wait()
    dead = out / ".confusion.csv.999999999.deadbeef.tmp"  # left by a killed writer whose process is gone
    dead.write_text("half")
    started = time.time()
    assert evaluate_cli(root, out) == 0 and not dead.exists()
    assert time.time() - started < 60


class DyingFolder(SegmentationFolder):
    """A dataset whose third target kills the process reading it (as the out-of-memory killer would)."""

    def read_target(self, index):
        if index == 2:
            os._exit(9)
        return super().read_target(index)


@pytest.mark.slow  # two spawned worker processes import torch: about 10 s on the 2-core CPU
def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path):
    make_data(tmp_path / "data", 4)
    data = DyingFolder(tmp_path / "data", "val")
    with pytest.raises(ValueError, match="a process scoring images stopped .* try fewer --workers"):
        score_predictions(tmp_path / "data/preds-a", data, tmp_path / "rec", workers=2)
    assert not (tmp_path / "rec").exists()  # nothing committed, the staging folder gone
