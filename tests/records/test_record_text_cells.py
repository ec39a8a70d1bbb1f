"""Text from data (image stems, class and source names) in a record's tables stays text: no spreadsheet formula in
a CSV, no HTML and no broken row in a Markdown table."""

import numpy as np
import pandas as pd

from workbench.data import Classes
from workbench.metrics import evaluate
from workbench.records import export_table, write_record

STEMS = ["=1+1", "@SUM(2+2)", "+cmd", "plain"]
NAMES = ("<script>alert(1)</script>", "a|b", "R&D")


def _record(path):
    rng = np.random.default_rng(0)
    preds = [rng.integers(0, 3, (5, 6)) for _ in STEMS]
    targets = [rng.integers(0, 3, (5, 6)) for _ in STEMS]
    classes = Classes(NAMES, ((0, 0, 255), (128, 128, 128), (255, 0, 0)))
    return write_record(
        path,
        source={"kind": "predictions", "dir": "/p"},
        data={"root": "/d", "split": "val"},
        scores=evaluate(preds, targets, 3),
        stems=STEMS,
        masks=preds,
        classes=classes,
    )


def test_per_image_csv_guards_stems_that_a_spreadsheet_would_run(tmp_path):
    record = _record(tmp_path / "rec")
    cells = [line.split(",")[0] for line in (tmp_path / "rec" / "per_image.csv").read_text().splitlines()[1:]]
    assert cells == ["'=1+1", "'@SUM(2+2)", "'+cmd", "plain"]
    assert record.stems == STEMS  # the record itself keeps the stems as they are


def _markdown_rows(text):
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [line.replace("\\|", "").count("|") for line in rows]


def test_markdown_cells_escape_html_and_pipes(tmp_path):
    _record(tmp_path / "rec")
    text = (tmp_path / "rec" / "per_class.md").read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "R&amp;D" in text
    assert len(set(_markdown_rows(text))) == 1  # "a|b" did not add a column
    table = pd.DataFrame({"miou": [0.5]}, index=pd.Index(["<b>mine</b> & co"], name="<i>source</i>"))
    table.attrs["caption"] = "Sources: <img src=x onerror=alert(1)>"
    text = export_table(table, tmp_path / "cmp.md").read_text()
    assert "<" not in text and "&lt;b&gt;mine&lt;/b&gt; &amp; co" in text and "&lt;i&gt;source&lt;/i&gt;" in text
