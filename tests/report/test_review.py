"""write_review: one self-contained, escaped HTML file built from records alone, with verdicts that can be checked."""

import base64
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image
from review_records import CLASSES, EVIL_CLASS, EVIL_MODEL, corrupt, history, write_comparison_order, write_source

from workbench.metrics import evaluate, paired_bootstrap
from workbench.records import RecordError, read_comparison
from workbench.report import majority_chance_miou, write_review
from workbench.report.figures import gallery_stems

RESAMPLES = 200  # enough for a stable verdict on 12 images, and fast


class Page(HTMLParser):
    """Start tags with attributes, the text outside tags, and the text of each section by id."""

    def __init__(self):
        super().__init__()
        self.tags, self.text, self.sections, self._section = [], [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self._section = attrs.get("id")
            self.sections[self._section] = []

    def handle_data(self, data):
        self.text.append(data)
        if self._section:
            self.sections[self._section].append(data)

    def section(self, name):
        return " ".join(" ".join(self.sections[name]).split())


def review(folder, name="report.html", **kw):
    path = write_review(folder, folder.parent / name, resamples=RESAMPLES, **kw)
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    return text, page


@pytest.fixture(scope="module")
def reviewed(comparison):
    """The comparison folder's report, written once for the tests that only read it."""
    return review(comparison)


def meta_line(text):
    """The line under the title: data, date, folder (as HTML)."""
    return re.search(r'<p class="meta">(.*?)</p>', text).group(1)


def png_sources(page):
    sources = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).verify()  # a real PNG
    return sources


def test_review_is_self_contained_escaped_and_in_reading_order(comparison, reviewed):
    text, page = reviewed
    assert EVIL_CLASS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert EVIL_MODEL not in text and "fcn&lt;&amp;&gt;" in text and "run &amp; &lt;1&gt;" in text
    assert "a & b" not in text and "a &amp; b" in text
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe", "object", "embed")]
    assert "http://" not in text and "https://" not in text
    assert list(page.sections) == ["summary", "results", "per-class", "curves", "confusion", "gallery", "conventions"]
    # the learning curves as a figure; the gallery's 3 rows of photograph, target and 3 masks as images
    figures = [attrs for tag, attrs in page.tags if tag == "figure"]
    assert len(figures) == 1 and len(png_sources(page)) == 1 + 3 * 5
    assert len([1 for tag, attrs in page.tags if tag == "table" and attrs.get("class") == "confusion"]) == 3
    assert "@media print" in text and "<details>" in text
    assert not [p for p in comparison.parent.iterdir() if p.name.endswith(".tmp")]  # written atomically


def test_summary_names_the_data_the_best_model_its_interval_and_the_paired_verdict(comparison, reviewed):
    records = read_comparison(comparison)
    text, page = reviewed
    header = meta_line(text)
    assert "SyntheticShapes (seed 5, 32x40 px), 12 images" in header and records["unet"].created[:10] in header
    summary = page.section("summary")
    boot = records["unet"].scores.bootstrap(resamples=RESAMPLES)
    low, high = boot.loc["miou", ["low", "high"]]
    assert f"Best mIoU: unet {records['unet'].scores.miou:.3f} [{low:.3f}, {high:.3f}]" in summary
    paired = paired_bootstrap(records["unet"].scores, records[EVIL_MODEL].scores, resamples=RESAMPLES)
    assert paired["low"] > 0  # the fixture's unet is far better: the report must say so
    assert f"ahead of {EVIL_MODEL} by {paired['difference']:.3f} [{paired['low']:.3f}, {paired['high']:.3f}]" in summary
    assert summary.count("the lead holds") == 4  # mIoU, Boundary IoU, BF score, pixel accuracy


def test_near_chance_uses_the_majority_class_level_of_the_confusion_matrix(comparison, reviewed, targets):
    records = read_comparison(comparison)
    # Independently: score "the most frequent target class everywhere" with the metrics themselves.
    pixels = np.concatenate([t[t != 255] for t in targets])
    majority = np.bincount(pixels, minlength=CLASSES.num_classes).argmax()
    expected = evaluate([np.full_like(t, majority) for t in targets], targets, CLASSES.num_classes).miou
    for record in records.values():
        assert majority_chance_miou(record.scores.confusion) == pytest.approx(expected, abs=1e-12)
    _, page = reviewed
    summary, results = page.section("summary"), page.section("results")
    assert f"noise (mIoU {records['noise'].scores.miou:.3f}, chance {expected:.3f})" in summary
    assert records["noise"].scores.miou < 1.5 * expected <= records[EVIL_MODEL].scores.miou
    assert results.count("near chance: train longer") == 1 and "noise near chance: train longer" in results


def test_equal_sources_are_within_noise(tmp_path, targets):
    preds = corrupt(targets, 0.3, 7)
    for name in ("a", "b"):
        write_source(tmp_path / "same", name, preds, targets, source={"kind": "predictions", "dir": name})
    _, page = review(tmp_path / "same")
    summary = page.section("summary")
    assert "within noise: no clear lead" in summary and "the lead holds" not in summary
    assert "better in 0% of" in summary  # identical predictions: A is never strictly better


def test_tables_show_the_records_numbers(comparison, reviewed):
    records = read_comparison(comparison)
    text, page = reviewed
    headline = text[
        text.index('<table class="headline"') : text.index("</table>", text.index('<table class="headline"'))
    ]
    for record in records.values():
        assert f"{record.scores.miou:.3f}" in headline and f"{record.scores.boundary_f1:.3f}" in headline
    assert "train_time_s" not in text and "boundary_miou</th>" not in headline  # readable headers
    assert ">Boundary IoU</th>" in headline and ">BF score</th>" in headline
    per_class = page.section("per-class")
    for c, name in enumerate(CLASSES.names):
        cells = [f"{r.scores.iou[c]:.3f}" for r in records.values()]
        assert f"{name} " in per_class and " ".join(cells) in per_class
    confusion = records[EVIL_MODEL].scores.confusion
    shares = confusion / confusion.sum(axis=1, keepdims=True)  # each target row sums to 1
    matrix = page.section("confusion").split(f"{EVIL_MODEL}: mIoU")[1].split(": mIoU")[0]
    assert " ".join(f"{v:.2f}" for v in shares[2]) in matrix  # the row of class 2, "disc"
    full = text[text.index("<details>") : text.index("</details>")]
    miou = records["unet"].scores.bootstrap(resamples=RESAMPLES).loc["miou"]
    assert f"{miou['value']:.3f} [{miou['low']:.3f}, {miou['high']:.3f}]" in full
    assert f"{RESAMPLES} resamples" in full
    caption = re.search(r"<caption>(.*?)</caption>", full).group(1)
    assert caption.count("percentile bootstrap") == 1, caption  # the intervals sentence once, not twice


def test_gallery_shows_best_median_and_worst_of_the_best_model(comparison, reviewed):
    record = read_comparison(comparison)["unet"]
    ranked = record.per_image["miou"].sort_values(kind="stable")
    assert gallery_stems(record) == [
        ("best", ranked.index[-1]),
        ("median", ranked.index[5]),
        ("worst", ranked.index[0]),
    ]
    _, page = reviewed
    assert "best, median and worst image of unet" in page.section("gallery")
    assert "left out" not in page.section("gallery")  # the synthetic data is regenerated: photographs shown
    text, _ = reviewed
    gallery = text[
        text.index('<table class="gallery">') : text.index("</table>", text.index('<table class="gallery">'))
    ]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", gallery, re.S)[1:]  # after the header row
    assert len(rows) == 2 * 3
    for (label, stem), above, pictures in zip(gallery_stems(record), rows[0::2], rows[1::2]):
        # The label has a row of its own above the pictures: no picture can cover a long stem.
        assert f"{label}: {stem}" in above and "<img" not in above and "colspan" in above
        assert pictures.count("<img") == 2 + 3 and "<th" not in pictures  # photograph, target, three models


def test_predictions_only_folder_and_missing_data(predictions_only, tmp_path, targets):
    text, page = review(predictions_only)
    assert "curves" not in page.sections and "Best mIoU: mmseg" in page.section("summary")
    assert "weights" not in page.section("results").replace("weights sha256", "")
    # A record whose data is not on this machine: the gallery says so and shows the masks alone.
    far = tmp_path / "far"
    write_source(
        far,
        "x",
        corrupt(targets, 0.2, 9),
        targets,
        source={"kind": "predictions", "dir": "x"},
        data={"root": "/nowhere/camvid", "split": "val"},
    )
    text, page = review(far)
    gallery = page.section("gallery")
    assert "the data the record names (/nowhere/camvid) is not on this machine" in gallery
    assert "/nowhere/camvid, split val, 12 images" in meta_line(text)


def test_not_a_record_folder_names_it(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(RecordError, match=re.escape(str(folder))):
            write_review(folder, tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


@pytest.mark.slow  # a fresh interpreter imports numpy, torch and matplotlib: about 10 s on the shared CPU
def test_report_loads_no_model_code(comparison, tmp_path):
    """Records only: the engine (models, training, prediction) is never imported."""
    code = (
        f"import sys; from workbench.report import write_review; "
        f"write_review({str(comparison)!r}, {str(tmp_path / 'r.html')!r}, resamples=20); "
        f"bad = [m for m in sys.modules if m.startswith(('workbench.engine', 'workbench.models', "
        f"'segmentation_models_pytorch'))]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_records_of_other_images_are_not_paired(tmp_path, targets):
    for name, seed in (("a", 1), ("b", 2)):
        other = {"root": None, "split": None, "synthetic": {"num_images": 12, "image_size": [32, 40], "seed": seed}}
        write_source(
            tmp_path / "mixed",
            name,
            corrupt(targets, 0.1 * seed, seed),
            targets,
            source={"kind": "predictions", "dir": name},
            data=other,
        )
    _, page = review(tmp_path / "mixed")
    summary = page.section("summary")
    assert "not paired" in summary and "the lead holds" not in summary and "within noise" not in summary


def test_training_settings_come_from_config_json(tmp_path, targets, predictions_only):
    folder = tmp_path / "trained"
    write_source(folder, "unet", corrupt(targets, 0.1, 1), targets, source={"kind": "predictions", "dir": "u"})
    (folder / "unet" / "config.json").write_text(
        json.dumps(
            {
                "config": {"epochs": 7, "lr": 0.002, "optimizer": "adamw"},
                "parameters": 14328210,
                "runtime": {"device": "cuda:0", "precision": "bf16"},
            }
        )
    )
    text, page = review(folder)
    settings = text[text.index("Training settings") :]
    for cell in ("<td>7</td>", "<td>0.002</td>", "<td>adamw</td>", "<td>bf16</td>", "<td>14,328,210</td>"):
        assert cell in settings, cell
    assert "Training settings" not in review(predictions_only)[0]  # no config.json: no settings


def test_a_stale_record_not_in_comparison_json_is_left_out_and_named(tmp_path, targets):
    """A comparison of a, b, c re-run with a and b: c/ is still there, but the report shows a and b only."""
    folder = tmp_path / "rerun"
    for name, share in (("a", 0.1), ("b", 0.2), ("c", 0.3)):
        write_source(folder, name, corrupt(targets, share, 1), targets, source={"kind": "predictions", "dir": name})
    write_comparison_order(folder, ["a", "b"])
    text, page = review(folder)
    headline = re.search(r'<table class="headline">.*?</table>', text, re.S).group(0)
    assert re.findall(r"<b>(\w)</b>", headline) == ["a", "b"]
    assert "2 records in" in meta_line(text)
    summary = page.section("summary")
    assert "Left out: c (a record folder that comparison.json does not list)." in summary


def test_a_killed_report_writers_temporary_is_removed_on_the_next_run(predictions_only, tmp_path):
    """A writer killed between writing and renaming leaves `.report.html.<pid>.<id>.tmp`; the next run removes it."""
    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".report.html.999999999.deadbeef.tmp"  # no process has this id
    dead.write_text("half a report")
    alive = out / f".report.html.{os.getpid()}.cafe0000.tmp"  # a writer still running: left alone
    alive.write_text("being written")
    other = out / ".other.html.999999999.deadbeef.tmp"  # another file's temporary: not the report writer's
    other.write_text("x")
    write_review(predictions_only, out / "report.html", resamples=20)
    assert sorted(p.name for p in out.iterdir()) == sorted([alive.name, other.name, "report.html"])


RUN_FILE_CASES = {  # a run's file beside its record, damaged: (file, contents, what the one-line error says)
    "config not JSON": ("config.json", b"{not json", r"config\.json: cannot read it \(Expecting"),
    "config a list": ("config.json", b"[1, 2]", r"config\.json: holds \[1, 2\], expected a JSON object"),
    "config settings a list": ("config.json", b'{"config": [1]}', r"config\.json: its config is \[1\], expected"),
    "parameters text": ("config.json", b'{"parameters": "many"}', r"config\.json: its parameters is 'many', expected"),
    "history empty": ("history.csv", b"", r"history\.csv: cannot read it \(No columns to parse"),
    "history binary": ("history.csv", b"\xff\xfe\x00\x01", r"history\.csv: cannot read it"),
    "history text scores": ("history.csv", b"epoch,val_miou\n1,abc\n", r"history\.csv: column val_miou holds text"),
    "history without epochs": ("history.csv", b"val_miou\n0.5\n", r"history\.csv: has no epoch column"),
}


@pytest.mark.parametrize("case", RUN_FILE_CASES)
def test_a_bad_run_file_beside_a_record_is_named(tmp_path, targets, case):
    name, contents, message = RUN_FILE_CASES[case]
    folder = tmp_path / "run"
    write_source(folder, "unet", corrupt(targets, 0.1, 1), targets, source={"kind": "predictions", "dir": "u"})
    (folder / "unet" / name).write_bytes(contents)
    with pytest.raises(RecordError, match=r"^" + re.escape(str(folder / "unet")) + "/" + message) as caught:
        write_review(folder, tmp_path / "report.html", resamples=20)
    assert "\n" not in str(caught.value)


@pytest.mark.slow  # a fresh interpreter per case (torch, matplotlib): about 10 s each on the shared CPU
@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda f: (f / "unet" / "record.json").write_text(
                (f / "unet" / "record.json").read_text().replace('"files": {', '"files": ["x"], "was": {')
            ),
            r"unet/record\.json: files is \['x'\], expected a JSON object",
        ),
        (lambda f: (f / "unet" / "history.csv").write_bytes(b"\xff\xfe"), r"unet/history\.csv: cannot read it"),
        (
            lambda f: (f / "comparison.json").write_text('{"records": ["../unet"]}'),
            r"comparison\.json: entry '\.\./unet' is not a record folder's name",
        ),
    ],
)
def test_workbench_report_says_what_is_wrong_in_one_line(tmp_path, targets, damage, message):
    folder = tmp_path / "run"
    write_source(
        folder,
        "unet",
        corrupt(targets, 0.1, 1),
        targets,
        source={"kind": "predictions", "dir": "u"},
        history=history(0.5),
    )
    damage(folder)
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "report", str(folder), "--resamples", "20"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert re.fullmatch(r"workbench report: error: .*" + message + r".*\n", done.stderr), done.stderr
    assert not (folder / "report.html").exists()


def test_a_gallery_never_shows_a_changed_datasets_mask_beside_the_old_score(tmp_path):
    """One check (records.check_targets, on the target digests the record keeps) for the report and the comparer."""
    from PIL import Image

    from tests.engine.test_scoring_at_scale import make_data
    from workbench.engine import score_predictions
    from workbench.widgets import MaskComparer

    data, targets = make_data(tmp_path / "data", 3)
    score_predictions(tmp_path / "data/preds-a", data, tmp_path / "rec")
    _, page = review(tmp_path / "rec")
    assert "changed since" not in page.section("gallery")
    changed = np.where(np.arange(targets[1].size).reshape(targets[1].shape) % 2, 0, 1).astype(np.uint8)
    Image.fromarray(changed).save(tmp_path / "data/masks/val/f001.png")  # a two-colour target after scoring
    _, page = review(tmp_path / "rec")
    gallery = page.section("gallery")
    assert "the data's target of image 'f001' is not the one" in gallery and "changed since" in gallery
    with pytest.raises(ValueError, match="target of image 'f001' is not the one .* scored"):
        MaskComparer.from_run(tmp_path / "rec")
