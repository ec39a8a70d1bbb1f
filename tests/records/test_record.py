"""Evaluation records: exact round trip, scores equal to an independent evaluation, atomic writes, clear errors."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from workbench.data import Classes
from workbench.metrics import Scores, evaluate
from workbench.records import (
    FIGURE_FILES,
    RecordError,
    common_stems,
    file_sha256,
    read_comparison,
    read_record,
    unlisted_records,
    write_comparison_figures,
    write_comparison_order,
    write_record,
)
from workbench.records import write as record_write

CLASSES = Classes(("sky", "road", "car"), ((0, 0, 255), (128, 128, 128), (255, 0, 0)))
SOURCE = {"kind": "predictions", "dir": "/somewhere/preds"}
DATA = {"root": "/data/tiny", "split": "val"}


def _maps(seed, sizes=((12, 16), (12, 16), (9, 7))):
    rng = np.random.default_rng(seed)
    preds = [rng.integers(0, 3, size) for size in sizes]
    targets = [np.where(rng.random(size) < 0.1, 255, rng.integers(0, 3, size)) for size in sizes]
    return preds, targets


def _write(path, seed=0, stems=("a", "b", "c"), classes=CLASSES, **kw):
    preds, targets = _maps(seed)
    scores = evaluate(preds, targets, classes.num_classes)
    record = write_record(
        path, source=kw.get("source", SOURCE), data=DATA, scores=scores, stems=stems, masks=preds, classes=classes
    )
    return record, preds, targets


def test_round_trip_keeps_masks_and_scores_exactly(tmp_path):
    record, preds, targets = _write(tmp_path / "rec")
    back = read_record(tmp_path / "rec")
    expected = evaluate(preds, targets, 3).as_dict()
    for key, value in back.scores.as_dict().items():
        np.testing.assert_allclose(value, expected[key], rtol=0, atol=1e-12, err_msg=key)
    assert (back.scores.confusion == evaluate(preds, targets, 3).confusion).all()
    assert back.stems == ["a", "b", "c"] and list(back.per_image.index) == ["a", "b", "c"]
    for stem, pred in zip(back.stems, preds):
        mask = back.mask(stem)
        assert mask.shape == pred.shape and (mask == pred).all()
        assert Image.open(tmp_path / "rec" / "masks" / f"{stem}.png").mode == "L"
    assert back.classes == CLASSES and back.source == SOURCE and back.name == "rec"
    assert back.data["num_images"] == 3 and back.data["class_names"] == ["sky", "road", "car"]
    assert back.data["root"] == "/data/tiny" and back.created.endswith("+00:00") and back.versions["numpy"]


def test_per_image_table_and_subsets_match_independent_scoring(tmp_path):
    record, preds, targets = _write(tmp_path / "rec", seed=3)
    back = read_record(tmp_path / "rec")
    for i, stem in enumerate(back.stems):
        alone = evaluate(preds[i], targets[i], 3)
        assert back.per_image.loc[stem, "pixel_accuracy"] == pytest.approx(alone.pixel_accuracy, abs=1e-12)
    subset = Scores.from_image_stats(back.scores.image_stats.subset([2, 0, 0])).as_dict()
    expected = evaluate([preds[2], preds[0], preds[0]], [targets[2], targets[0], targets[0]], 3).as_dict()
    for key, value in subset.items():
        np.testing.assert_allclose(value, expected[key], rtol=0, atol=1e-12, err_msg=key)
    on_disk = json.loads((tmp_path / "rec" / "scores.json").read_text())
    assert on_disk["miou"] == pytest.approx(back.scores.miou, abs=1e-15)


def test_more_than_255_classes_gives_16_bit_masks(tmp_path):
    many = Classes(tuple(f"c{i}" for i in range(300)), tuple((i % 256, 0, 0) for i in range(300)), ignore_index=65535)
    preds = [np.array([[0, 299], [256, 7]])]
    scores = evaluate(preds, [np.array([[0, 299], [1, 7]])], 300, ignore_index=65535)
    write_record(tmp_path / "rec", source=SOURCE, data=DATA, scores=scores, stems=["x"], masks=preds, classes=many)
    back = read_record(tmp_path / "rec")
    assert (back.mask("x") == preds[0]).all()
    assert Image.open(tmp_path / "rec" / "masks" / "x.png").mode.startswith("I")


def test_a_writer_that_fails_midway_leaves_the_old_record_whole(tmp_path, monkeypatch):
    first = _write(tmp_path / "rec")[0]
    calls = []

    def failing(mask, bit_depth):  # the third mask fails, as a full disk or a kill would
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(mask, bit_depth)

    original = record_write.encode_mask
    monkeypatch.setattr(record_write, "encode_mask", failing)
    with pytest.raises(KeyboardInterrupt):
        _write(tmp_path / "rec", seed=1)
    back = read_record(tmp_path / "rec")  # nothing was committed: the old record, every file its own
    assert back.created == first.created and back.scores.miou == first.scores.miou
    assert all((back.mask(s) == first.mask(s)).all() for s in first.stems)
    assert not [p for p in (tmp_path / "rec").iterdir() if p.name.startswith(".")]  # the staging folder removed
    monkeypatch.setattr(record_write, "encode_mask", original)
    assert read_record(_write(tmp_path / "rec", seed=1)[0].path).stems == ["a", "b", "c"]


def test_a_writer_killed_while_committing_leaves_no_record_and_the_next_one_cleans_up(tmp_path, monkeypatch):
    _write(tmp_path / "rec")

    def killed(*args, **kwargs):  # after the masks moved in, before record.json: the kill to fear
        raise KeyboardInterrupt

    monkeypatch.setattr(record_write, "atomic_write_json", killed)
    with pytest.raises(KeyboardInterrupt):
        _write(tmp_path / "rec", seed=1)
    with pytest.raises(RecordError, match="not an evaluation record"):  # never new masks under old scores
        read_record(tmp_path / "rec")
    monkeypatch.undo()
    record = _write(tmp_path / "rec", seed=1)[0]  # the folder is still recognisably the workbench's
    assert read_record(record.path).stems == ["a", "b", "c"]
    assert not [p for p in (tmp_path / "rec").iterdir() if p.name.startswith(".")]


def test_leftovers_of_a_killed_writer_are_cleaned_up(tmp_path):
    (tmp_path / "rec" / ".masks-deadbeef").mkdir(parents=True)
    (tmp_path / "rec" / ".masks-deadbeef" / "a.png").write_bytes(b"half")
    _write(tmp_path / "rec")
    assert sorted(p.name for p in (tmp_path / "rec").iterdir() if p.name.startswith(".")) == []


def test_a_changed_or_missing_file_names_the_file(tmp_path):
    _write(tmp_path / "rec")
    scores = tmp_path / "rec" / "scores.json"
    scores.write_text(scores.read_text().replace("0.", "0.9", 1))
    with pytest.raises(RecordError, match=r"scores\.json: missing or changed"):
        read_record(tmp_path / "rec")
    _write(tmp_path / "rec")
    (tmp_path / "rec" / "masks" / "b.png").unlink()
    with pytest.raises(RecordError, match=r"masks: 1 predicted masks are missing \(e\.g\. \['b'\]\)"):
        read_record(tmp_path / "rec")
    (tmp_path / "rec" / "record.json").write_text("{not json")
    with pytest.raises(RecordError, match=r"record\.json: cannot read it"):
        read_record(tmp_path / "rec")


def test_bad_inputs_are_refused_before_anything_is_written(tmp_path):
    preds, targets = _maps(0)
    scores = evaluate(preds, targets, 3)
    cases = [
        ({"stems": ["a", "a", "b"]}, "stems repeat"),
        ({"stems": ["a", "../b", "c"]}, "cannot name files"),
        ({"source": {"kind": "model"}}, "source"),
        ({"masks": preds[:2]}, "a mask for each of the 3 stems"),
    ]
    for change, message in cases:
        args = {
            "source": SOURCE,
            "data": DATA,
            "scores": scores,
            "stems": ["a", "b", "c"],
            "masks": preds,
            "classes": CLASSES,
            **change,
        }
        with pytest.raises(ValueError, match=message):
            write_record(tmp_path / "rec", **args)
    assert not (tmp_path / "rec").exists()


def test_read_comparison_follows_the_comparison_order(tmp_path):
    for name in ("zeta", "alpha", "mid"):
        _write(tmp_path / name)
    (tmp_path / "notes").mkdir()  # a folder without a record is not part of the comparison
    assert list(read_comparison(tmp_path)) == ["alpha", "mid", "zeta"]
    write_comparison_order(tmp_path, ["zeta", "alpha"])
    assert list(read_comparison(tmp_path)) == ["zeta", "alpha"]  # exactly what comparison.json lists
    assert list(read_comparison(tmp_path / "mid")) == ["mid"]  # a record is a comparison of one
    (tmp_path / "empty").mkdir()
    with pytest.raises(RecordError, match="holds no evaluation record"):
        read_comparison(tmp_path / "empty")
    write_comparison_order(tmp_path, ["zeta", "gone"])
    with pytest.raises(RecordError, match="gone: not an evaluation record"):
        read_comparison(tmp_path)


def test_a_stale_record_not_listed_in_comparison_json_is_left_out(tmp_path):
    """A comparison of a, b, c re-run with a and b only leaves c/ behind: it is no longer part of the comparison."""
    for name in ("a", "b", "c"):
        _write(tmp_path / name)
    write_comparison_order(tmp_path, ["b", "a"])
    assert list(read_comparison(tmp_path)) == ["b", "a"]
    assert unlisted_records(tmp_path) == ["c"]
    (tmp_path / "comparison.json").unlink()  # no list: every record, in name order, none left out
    assert list(read_comparison(tmp_path)) == ["a", "b", "c"] and unlisted_records(tmp_path) == []


@pytest.mark.parametrize(
    "entries, message",
    [
        (["a", "/etc"], r"entry '/etc' is not a record folder's name"),
        (["a", "../a"], r"entry '../a' is not a record folder's name"),
        (["a", "x/a"], r"entry 'x/a' is not a record folder's name"),
        (["a", 5], r"entry 5 is not a record folder's name"),
        (["a", "a"], r"lists 'a' twice"),
        ([], r"lists no record"),
        ("a", r"expected \{\"records\": \[names\]\}"),
    ],
)
def test_comparison_json_names_only_record_folders_inside_the_comparison(tmp_path, entries, message):
    _write(tmp_path / "a")
    (tmp_path / "comparison.json").write_text(json.dumps({"records": entries}))
    with pytest.raises(RecordError, match=r"comparison\.json: .*" + message):
        read_comparison(tmp_path)


def test_per_image_statistics_are_stored_without_pickle(tmp_path):
    _write(tmp_path / "rec")
    with np.load(tmp_path / "rec" / "image_stats.npz", allow_pickle=False) as npz:
        assert all(npz[name].dtype.kind in "if" for name in npz.files)


def test_distance_scores_survive_the_round_trip(tmp_path):
    preds, targets = _maps(5)
    scores = evaluate(preds, targets, 3, distances=True)
    write_record(
        tmp_path / "rec", source=SOURCE, data=DATA, scores=scores, stems=["a", "b", "c"], masks=preds, classes=CLASSES
    )
    back = read_record(tmp_path / "rec").scores.as_dict()
    assert back.keys() == scores.as_dict().keys() and "hd95" in back
    np.testing.assert_allclose(back["class_hd95"], scores.as_dict()["class_hd95"], rtol=0, atol=1e-12)


KILLED_WRITER = """
import sys, time
import numpy as np
from workbench.data import Classes
from workbench.metrics import evaluate
from workbench.records import write_record
from workbench.records import write as record_write

classes = Classes(("a", "b"), ((0, 0, 0), (9, 9, 9)))
preds = [np.eye(4, dtype=int)] * 50
scores = evaluate(preds, preds, 2)
args = dict(source={"kind": "predictions", "dir": "x"}, data={}, scores=scores, stems=[f"s{i}" for i in range(50)],
            masks=preds, classes=classes)
write_record(sys.argv[1], **args)
original = record_write.encode_mask
def slow(mask, bit_depth):
    print("writing", flush=True)
    time.sleep(0.05)
    return original(mask, bit_depth)
record_write.encode_mask = slow
write_record(sys.argv[1], **args)
"""


@pytest.mark.slow  # a second Python process that imports torch: about 7 s on the 2-core CPU
def test_a_writer_killed_by_sigkill_leaves_the_old_record_and_the_next_write_recovers(tmp_path):
    folder = tmp_path / "rec"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    for _ in range(5):  # a few masks of the second write are on disk
        assert child.stdout.readline().startswith("writing")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert len(read_record(folder).stems) == 50  # nothing committed: the first record, whole and checked
    assert [p.name for p in folder.iterdir() if p.name.startswith(".record-")]  # the killed writer's staging
    _write(folder)
    assert read_record(folder).stems == ["a", "b", "c"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_records_side_by_side_must_have_scored_the_same_images_in_order(tmp_path):
    for name, stems in (("a", ("a", "b", "c")), ("b", ("a", "b", "c")), ("shuffled", ("b", "a", "c"))):
        _write(tmp_path / name, stems=stems)
    same = {name: read_record(tmp_path / name) for name in ("a", "b")}
    assert common_stems(same, "here") == ["a", "b", "c"]
    odd = {**same, "shuffled": read_record(tmp_path / "shuffled")}
    with pytest.raises(
        ValueError,
        match=r"^here: record 'shuffled' \(.*shuffled\) scored other images than 'a' "
        r"\(.*a\); a comparison needs every source scored on the same images",
    ):
        common_stems(odd, "here")


def test_a_folder_with_masks_the_workbench_did_not_write_is_refused_and_left_alone(tmp_path):
    data_root = tmp_path / "camvid"  # a dataset root given as the record folder: its masks/ must survive
    (data_root / "masks" / "val").mkdir(parents=True)
    (data_root / "masks" / "val" / "a.png").write_bytes(b"target")
    with pytest.raises(ValueError, match="not an evaluation record.*never replaces"):
        _write(data_root)
    assert (data_root / "masks" / "val" / "a.png").read_bytes() == b"target"
    assert sorted(p.name for p in data_root.iterdir()) == ["masks"]


def test_masks_stream_to_disk_before_finish_and_are_hashed_in_record_json(tmp_path):
    preds, targets = _maps(0)
    scores = evaluate(preds, targets, CLASSES.num_classes)
    with record_write.RecordWriter(tmp_path / "rec", CLASSES, ["a", "b", "c"]) as writer:
        writer.add_masks(preds[:2], targets[:2])
        staged = sorted(p.name for p in (writer.staging / "masks").iterdir())
        assert staged == ["a.png", "b.png"]  # written as scored, not held until the end
        writer.add_masks(preds[2:], targets[2:])
        record = writer.finish(source=SOURCE, data=DATA, scores=scores)
    meta = json.loads((record.path / "record.json").read_text())
    masks = meta["masks"]["sha256"]
    assert sorted(masks) == ["a", "b", "c"]
    assert all(masks[s] == file_sha256(record.path / "masks" / f"{s}.png") for s in masks)
    assert meta["targets"]["sha256"][2] == record_write.label_digest(targets[2].astype(np.uint8))  # any dtype
    with pytest.raises(ValueError, match="more masks"):
        with record_write.RecordWriter(tmp_path / "other", CLASSES, ["a"]) as writer:
            writer.add_masks(preds[:2])
    assert not (tmp_path / "other" / "masks").exists()


def test_comparison_figures_get_the_owners_file_names_and_no_others(tmp_path):
    written = write_comparison_figures(tmp_path, {"mask_gallery": b"png"})
    assert written == [tmp_path / FIGURE_FILES["mask_gallery"]] and written[0].read_bytes() == b"png"
    with pytest.raises(ValueError, match=r"no file name for figures \['confusion'\]"):
        write_comparison_figures(tmp_path, {"learning_curves": b"png", "confusion": b"png"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mask_gallery.png"]  # nothing written on refusal
