"""write_review: one self-contained, escaped HTML file from a real (tiny) compare run."""
import base64
import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from PIL import Image

from workbench.cli import write_figures
from workbench.data import Classes, SyntheticShapes
from workbench.engine import TrainConfig, compare
from workbench.models import get_model_info, register_model
from workbench.models import registry
from workbench.report import RunFolderError, export_table, read_run, read_table_csv, replay_models, write_review

EVIL_CLASS = "<script>alert(1)</script>"
EVIL_MODEL = "fcn<&>"  # a model (and so a folder) name that HTML must escape
CLASSES = Classes(names=(EVIL_CLASS, "a & b", "disc", "square", "triangle", "ring", "cross"),
                  colors=((64, 64, 64), (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
                          (70, 240, 240)))


def tiny(num_images, seed):
    data = SyntheticShapes(num_images=num_images, image_size=(32, 32), seed=seed)
    data.classes = CLASSES  # same 7 classes, names that must be escaped
    return data


@pytest.fixture(scope="module")
def evil_model():
    """fcn32s registered under a name with ``<`` and ``&``; removed again afterwards."""
    info = get_model_info("fcn32s")
    register_model(EVIL_MODEL, paper=info.paper, output_stride=info.output_stride, logit_stride=info.logit_stride,
                   differs=info.differs)(info.builder)
    yield EVIL_MODEL
    registry.MODELS.remove(EVIL_MODEL)


@pytest.fixture(scope="module")
def run(tmp_path_factory, evil_model):
    """A two-model compare run (one step, 8 + 4 images of 32 x 32) in a folder whose name needs escaping too."""
    out = tmp_path_factory.mktemp("review") / "run & <1>"
    val = tiny(4, seed=2)
    config = TrainConfig(epochs=1, max_steps=1, batch_size=4, progress=False, out_dir=str(out))
    compare([evil_model, "fcn8s"], tiny(8, seed=1), val, config)
    write_figures(out, val, gallery_size=2)  # what `workbench compare` adds to the folder
    return out, val


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(text):
    parser = Tags()
    parser.feed(text)
    return parser


def png_sources(parsed):
    sources = [attrs["src"] for tag, attrs in parsed.tags if tag == "img"]
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).verify()  # a real PNG
    return sources


@pytest.mark.slow
def test_review_with_data_is_self_contained_and_escaped(run):
    out, val = run
    path = write_review(out, data=val, gallery_size=2)
    assert path == out / "report.html"
    text = path.read_text(encoding="utf-8")
    assert EVIL_CLASS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert EVIL_MODEL not in text and "fcn&lt;&amp;&gt;" in text and "run &amp; &lt;1&gt;" in text
    assert "a &amp; b" in text and "a & b" not in text
    parsed = parse(text)
    assert not [tag for tag, _ in parsed.tags if tag in ("script", "link", "iframe", "object", "embed")]
    assert "http://" not in text and "https://" not in text
    # learning curves, one confusion matrix per model, the gallery
    assert len(png_sources(parsed)) == 4
    plain = " ".join(parsed.text)
    for heading in ("Comparison", "Metric definitions", "Learning curves", "Per-class scores", "Confusion matrices",
                    "Mask gallery"):
        assert heading in plain, heading
    assert "ignore_index" in plain and "0.0075" in plain and "0.02" in plain
    assert "the run stored" not in plain  # the replayed weights reproduce the stored scores
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # written atomically


@pytest.mark.slow
def test_review_tables_show_the_stored_numbers(run):
    out, _ = run
    text = write_review(out, out / "plain.html").read_text(encoding="utf-8")
    comparison = read_table_csv(out / "comparison.csv")
    for miou in comparison["miou"]:
        assert f"<td>{miou:.4f}</td>" in text
    per_class = read_table_csv(out / "fcn8s" / "per_class.csv")
    assert list(per_class["class"]) == [*CLASSES.names, "mean"]
    assert f"<td>{per_class['iou'].iloc[-1]:.4f}</td>" in text


@pytest.mark.slow
def test_review_without_data_embeds_the_stored_gallery_and_says_why_no_confusion(run):
    out, _ = run
    parsed = parse(write_review(out, out / "no-data.html").read_text(encoding="utf-8"))
    assert len(png_sources(parsed)) == 2  # learning curves and compare's mask_gallery.png
    assert "does not store confusion matrices" in " ".join(parsed.text)


@pytest.mark.slow
def test_replayed_last_weights_reproduce_the_stored_scores(run):
    out, val = run
    summary = read_run(out)
    assert summary.models == (EVIL_MODEL, "fcn8s") and summary.classes == CLASSES
    replays = replay_models(summary, val, gallery_size=2)
    for name, replay in replays.items():
        stored = summary.per_class[name]
        assert replay.scores.miou == pytest.approx(stored["iou"].iloc[-1], abs=1e-9)
        assert replay.scores.confusion.sum() > 0 and len(replay.preds) == 2


@pytest.mark.slow
def test_single_model_folder_and_wrong_data(run):
    out, val = run
    parsed = parse(write_review(out / "fcn8s", out / "single.html").read_text(encoding="utf-8"))
    assert "no comparison.csv" in " ".join(parsed.text)
    other = SyntheticShapes(num_images=2, image_size=(32, 32), seed=3)  # the stock class names
    with pytest.raises(ValueError, match="classes"):
        write_review(out, out / "wrong.html", data=other)


def test_not_a_run_folder_says_what_is_expected(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(RunFolderError, match=re.escape("config.json, classes.json, history.csv")):
            write_review(folder, tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


def test_read_table_csv_keeps_hashes_and_na_strings(tmp_path):
    table = pd.DataFrame({"class": ["#1 car", "NA", "None"], "iou": [0.5, float("nan"), 1.0]})
    table.attrs.update(ignore_index=255, caption="IoU: with # inside")
    back = read_table_csv(export_table(table, tmp_path / "t.csv"))
    assert list(back["class"]) == ["#1 car", "NA", "None"]
    assert back["iou"].isna().tolist() == [False, True, False]
    assert back.attrs == {"ignore_index": "255", "caption": "IoU: with # inside"}
