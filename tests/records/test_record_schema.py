"""Hand-tampered records are refused by read_record with one line naming the file, the value and what to do."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from workbench.data import Classes
from workbench.metrics import evaluate
from workbench.records import RecordError, file_sha256, read_record, record_schema, write_record

CLASSES = Classes(("sky", "road", "car"), ((0, 0, 255), (128, 128, 128), (255, 0, 0)))
SYNTHETIC = {
    "root": None,
    "split": None,
    "dataset": "synthetic",
    "synthetic": {"num_images": 3, "image_size": [12, 16], "seed": 0},
}


@pytest.fixture
def record(tmp_path):
    """A record of three images of three classes, scored with distances (so it holds ``hd95``)."""
    rng = np.random.default_rng(0)
    targets = [rng.integers(0, 3, (12, 16)) for _ in range(3)]
    preds = [np.where(rng.random(t.shape) < 0.3, rng.integers(0, 3, t.shape), t) for t in targets]
    scores = evaluate(preds, targets, 3, distances=True)
    model = {"kind": "model", "name": "unet", "encoder": "resnet18", "weights": "last.safetensors", "sha256": "a" * 64}
    write_record(
        tmp_path / "rec",
        source=model,
        data=dict(SYNTHETIC),
        scores=scores,
        stems=["a", "b", "c"],
        masks=preds,
        classes=CLASSES,
    )
    return tmp_path / "rec"


def edit_meta(path, change):
    meta = json.loads((path / "record.json").read_text())
    change(meta)
    (path / "record.json").write_text(json.dumps(meta))


def edit_stats(path, change, *, rehash=True):
    """Rewrite image_stats.npz with ``change(arrays)`` applied; ``rehash``: record.json lists the new sha256."""
    with np.load(path / "image_stats.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    (path / "image_stats.npz").write_bytes(buffer.getvalue())
    if rehash:
        edit_meta(path, lambda m: m["files"].update({"image_stats.npz": file_sha256(path / "image_stats.npz")}))


def perfect(arrays):
    """Forged counts: every pixel predicted right (mIoU 1.0)."""
    rows = arrays["confusion_rows"]
    rows[:, 2] = rows[:, 1]


def eleven_classes(meta):
    names = [f"c{i}" for i in range(11)]
    meta["classes"].update(Classes(names, [(i, i, i) for i in range(11)]).to_dict())
    meta["data"]["class_names"] = names


META_CASES = {  # what the issue found read without an error (or with a traceback)
    "files without image_stats.npz": (
        lambda m: m["files"].pop("image_stats.npz"),
        r"files is without \['image_stats\.npz'\], expected the sha256 of each of",
    ),
    "files empty": (lambda m: m.update(files={}), r"files is without \['image_stats\.npz', 'scores\.json'"),
    "files outside the record": (
        lambda m: m["files"].update({"/etc/passwd": "0" * 64}),
        r"a files key is '/etc/passwd', expected one of the record's own files",
    ),
    "files up a folder": (
        lambda m: m["files"].update({"../rec/scores.json": "0" * 64}),
        r"a files key is '\.\./rec/scores\.json'",
    ),
    "files a list": (lambda m: m.update(files=["scores.json"]), r"files is \['scores\.json'\], expected a JSON object"),
    "files sha256 a number": (
        lambda m: m["files"].update({"scores.json": 5}),
        r"files\['scores\.json'\] is 5, expected a sha256",
    ),
    "stems missing": (lambda m: m["data"].pop("stems"), r"data\.stems is missing, expected a list of file-name stems"),
    "stems up a folder": (lambda m: m["data"].update(stems=["a", "../b", "c"]), r"data\.stems is \['a', '\.\./b'"),
    "stems repeat": (lambda m: m["data"].update(stems=["a", "a", "c"]), r"data\.stems is a list repeating \['a'\]"),
    "num_images not the stems": (
        lambda m: m["data"].update(num_images=10**12),
        r"data\.num_images is 1000000000000, "
        r"expected 3 \(the number of stems\)",
    ),
    "data a string": (lambda m: m.update(data="x"), r"data is 'x', expected a JSON object"),
    "source sha256 a number": (lambda m: m["source"].update(sha256=5), r"source\.sha256 is 5, expected a sha256"),
    "source of no kind": (lambda m: m["source"].update(kind="oracle"), r"source\.kind is 'oracle', expected one of"),
    "synthetic seed text": (
        lambda m: m["data"]["synthetic"].update(seed="x"),
        r"data\.synthetic\.seed is 'x', expected a whole number >= 0",
    ),
    "synthetic num_images huge": (
        lambda m: m["data"]["synthetic"].update(num_images=10**12),
        r"data\.synthetic\.num_images is 1000000000000, expected a whole number from 3",
    ),
    "class names not the classes": (lambda m: m["data"].update(class_names=["sky"]), r"data\.class_names is \['sky'\]"),
    "masks elsewhere": (lambda m: m["masks"].update(folder="../other"), r"masks\.folder is '\.\./other'"),
    "masks unknown key": (lambda m: m["masks"].update(extra=1), r"masks is with keys \['extra'\], expected only"),
}


@pytest.mark.parametrize("case", META_CASES)
def test_a_tampered_record_json_is_refused_in_one_line_naming_it(record, case):
    change, message = META_CASES[case]
    edit_meta(record, change)
    with pytest.raises(RecordError, match=r"^" + str(record / "record.json") + ": " + message) as caught:
        read_record(record)
    assert "\n" not in str(caught.value) and "Evaluate again" in str(caught.value)


STATS_CASES = {
    "boundary IoU 3.0": (lambda a: a.update(boundary_inter=3 * a["boundary_union"]), "larger than their unions"),
    "negative boundary counts": (
        lambda a: a.update(boundary_inter=-a["boundary_inter"] - 1),
        "negative boundary intersections",
    ),
    "BF above 1": (lambda a: a.update(bf=a["bf"] + 2), r"BF scores outside \[0, 1\]"),
    "negative HD95": (lambda a: a.update(hd95=-np.ones_like(a["hd95"])), "negative HD95"),
    "NSD above 1": (lambda a: a.update(nsd=a["nsd"] + 2), r"NSD scores outside \[0, 1\]"),
    "fewer images": (
        lambda a: a.update(
            {k: a[k][:2] for k in a if k != "confusion_rows"},
            confusion_rows=a["confusion_rows"][a["confusion_rows"][:, 0] < 2],
        ),
        "holds 2 images but record.json lists 3 stems",
    ),
    "object arrays": (lambda a: a.update(bf=np.array([None, "x"], dtype=object)), "dtype object"),
}


@pytest.mark.parametrize("case", STATS_CASES)
def test_statistics_out_of_range_are_refused_naming_the_file(record, case):
    change, message = STATS_CASES[case]
    edit_stats(record, change)
    with pytest.raises(RecordError, match=r"^" + str(record / "image_stats.npz") + ": .*" + message):
        read_record(record)


def test_forged_counts_cannot_lift_the_scores(record):
    """Dropping image_stats.npz from `files` used to let forged counts lift mIoU to 1.0 without an error."""
    assert read_record(record).scores.miou < 0.9
    edit_stats(record, perfect, rehash=False)
    with pytest.raises(RecordError, match=r"image_stats\.npz: missing or changed"):
        read_record(record)
    edit_meta(record, lambda m: m["files"].pop("image_stats.npz"))
    with pytest.raises(RecordError, match=r"record\.json: files is without \['image_stats\.npz'\]"):
        read_record(record)


def test_statistics_of_other_classes_than_named_are_refused(record):
    edit_meta(record, eleven_classes)
    with pytest.raises(RecordError, match=r"image_stats\.npz: holds 3 classes but record\.json names 11"):
        read_record(record)


def test_sizes_are_bounded_before_reading(record, monkeypatch):
    monkeypatch.setattr(record_schema, "MAX_STATS_BYTES", 100)
    with pytest.raises(RecordError, match=r"image_stats\.npz: its arrays take \d+ bytes, more than the limit 100"):
        read_record(record)
    monkeypatch.setattr(record_schema, "MAX_RECORD_JSON_BYTES", 100)
    with pytest.raises(RecordError, match=r"record\.json: \d+ bytes, more than a record holds \(100"):
        read_record(record)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m["masks"].pop("sha256"), "masks.sha256 is missing"),
        (lambda m: m["masks"].update(sha256={"a": "0" * 64}), "a sha256 for each stem's mask"),
        (lambda m: m["masks"]["sha256"].update(a="x"), r"masks.sha256\['a'\] is 'x'"),
        (lambda m: m.update(targets={"sha256": ["0" * 64]}), "a list of 3 sha256"),
    ],
)
def test_mask_and_target_hashes_are_part_of_the_format(record, change, message):
    edit_meta(record, change)
    with pytest.raises(RecordError, match=message):
        read_record(record)


def test_a_swapped_or_replaced_mask_is_refused_where_it_is_read(record):
    """The sha256 of every mask is in record.json and checked before the mask is decoded (a bomb never is)."""
    a, b = record / "masks" / "a.png", record / "masks" / "b.png"
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    back = read_record(record)  # the data files are intact
    with pytest.raises(RecordError, match=r"masks/a.png: missing or changed since the record was written"):
        back.mask("a")
    buffer = io.BytesIO()  # a 20000 x 20000 mask in a few hundred KB: refused by its hash, never decoded
    Image.new("L", (20000, 20000)).save(buffer, format="PNG")
    b.write_bytes(buffer.getvalue())
    with pytest.raises(RecordError, match=r"masks/b.png: missing or changed"):
        back.mask("b")
    a.write_bytes(a_bytes)
    assert (back.mask("a") == back.mask("a")).all()
