"""``export_table``: every format carries the conventions, escapes text, and reads back."""

import json

import numpy as np
import pandas as pd
import pytest

from workbench.atomic import json_text
from workbench.metrics import evaluate, per_image_scores
from workbench.records import export_table

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 3, (2, 12, 16))
    targets[0, :2] = 255
    return evaluate(rng.integers(0, 3, (2, 12, 16)), targets, 4).table([EVIL, "road_side", "a|b", "50% & more"])


def test_csv_has_metadata_comments_and_reads_back(table, tmp_path):
    path = export_table(table, tmp_path / "scores.csv")
    lines = path.read_text().splitlines()
    assert "# ignore_index: 255" in lines and any(line.startswith("# bf_theta: ") for line in lines)
    back = pd.read_csv(path, comment="#")
    assert list(back.columns) == list(table.columns)
    np.testing.assert_allclose(back["iou"], table["iou"], rtol=0, atol=0)  # full precision, NaN kept
    assert list(back["class"]) == list(table["class"])


def test_markdown_caption_then_pipe_table(table, tmp_path):
    text = export_table(table, tmp_path / "scores.md").read_text()
    caption, blank, header = text.splitlines()[:3]
    assert "ignore_index" in caption and "0.0075" in caption and "averaging" in caption.lower() and blank == ""
    assert header.startswith("| class") and "a\\|b" in text  # a pipe in a name cannot break the table


def test_latex_caption_is_escaped(table, tmp_path):
    text = export_table(table, tmp_path / "scores.tex").read_text()
    assert "\\caption{" in text and "ignore\\_index" in text and "\\begin{tabular}" in text
    assert "50\\% \\& more" in text and "road\\_side" in text


def test_html_escapes_every_text(table, tmp_path):
    text = export_table(table, tmp_path / "scores.html").read_text()
    assert EVIL not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<caption>" in text and "ignore_index" in text and "0.0075" in text
    assert "50% &amp; more" in text


def test_json_metadata_and_rows_with_null_for_nan(table, tmp_path):
    data = json.loads(export_table(table, tmp_path / "scores.json").read_text())
    assert data["metadata"]["ignore_index"] == 255 and "averaging" in data["metadata"]
    assert [row["class"] for row in data["rows"]] == list(table["class"])
    assert data["rows"][3]["iou"] is None  # class 3 never appears: NaN -> null
    assert data["rows"][0]["iou"] == table["iou"][0]


def test_json_tables_and_json_files_share_one_cleaner(tmp_path):
    """A table's .json is ``json_text`` of its metadata and rows: numpy numbers plain, NaN null, a path as text."""
    frame = pd.DataFrame({"model": ["a"], "miou": [np.float32(0.5)], "bf": [np.nan]})
    frame.attrs.update(root=tmp_path, resamples=np.int64(7))
    text = export_table(frame, tmp_path / "t.json").read_text()
    expected = {"metadata": {"root": str(tmp_path), "resamples": 7}, "rows": [{"model": "a", "miou": 0.5, "bf": None}]}
    assert text == json_text(expected) and json.loads(text) == expected


def test_named_index_becomes_a_column(tmp_path):
    rows = per_image_scores(np.zeros((2, 5, 5), dtype=int), np.zeros((2, 5, 5), dtype=int), 2)
    back = pd.read_csv(export_table(rows, tmp_path / "deep" / "images.csv"), comment="#")
    assert list(back.columns) == ["image", "pixel_accuracy", "miou", "boundary_iou", "boundary_f1", "nsd"]


def test_unknown_suffix_lists_the_valid_ones(table, tmp_path):
    with pytest.raises(ValueError, match=r"\.csv, \.md, \.tex, \.html, \.json"):
        export_table(table, tmp_path / "scores.xlsx")
    assert not list(tmp_path.iterdir())


def test_write_is_atomic_and_replaces(table, tmp_path):
    path = tmp_path / "scores.md"
    path.write_text("old")
    export_table(table, path)
    assert path.read_text().startswith("Per-class scores")
    assert [p.name for p in tmp_path.iterdir()] == ["scores.md"]  # no temporary file left behind
