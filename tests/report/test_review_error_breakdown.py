"""The report's "Where each model loses its IoU" section: stacked bars of Scores.error_breakdown() per class."""

import re

import numpy as np
import pytest
from review_records import CLASSES, corrupt, write_comparison_order, write_source

from workbench.records import read_record
from workbench.report import write_review
from workbench.viz.error_kinds import KIND_COLORS, KindCode

SECTION = "Where each model loses its IoU"


def shifted(targets, dx, blob):
    """Targets moved right by dx pixels (boundary errors) with a false square of class 2 (a segment FP)."""
    preds = []
    for target in targets:
        pred = np.roll(np.where(target == 255, 0, target), dx, axis=1)
        if blob:
            pred[2:8, 2:8] = 2
        preds.append(pred)
    return preds


@pytest.fixture(scope="module")
def folder(tmp_path_factory, targets):
    folder = tmp_path_factory.mktemp("breakdown") / "run"
    model = {"kind": "model", "name": "unet", "encoder": "resnet18", "weights": "w", "sha256": "ab" * 32}
    write_source(folder, "shifted", shifted(targets, 1, blob=True), targets, source=model, errors=True)
    write_source(folder, "noisy", corrupt(targets, 0.3, 2), targets, source=model, errors=True)
    write_source(folder, "plain", corrupt(targets, 0.3, 2), targets, source=model)
    write_comparison_order(folder, ["shifted", "noisy", "plain"])
    return folder


def section_html(html):
    start = html.index(f">{SECTION}<")
    return html[start : html.index("</section>", start)]


def test_bars_sum_to_one_and_show_the_records_shares(folder):
    html = write_review(folder, folder.parent / "r.html", resamples=50).read_text(encoding="utf-8")
    assert html.index(">Per-class IoU<") < html.index(f">{SECTION}<") < html.index(">Confusion matrices<")
    body = section_html(html)
    bars = re.findall(r'<div style="display:flex[^"]*" title="([^"]*)">(.*?)</div>', body)
    assert len(bars) == 2 * (CLASSES.num_classes + 1) - body.count("<td>\u2013")  # per model: classes + mean
    for _title, spans in bars:
        widths = [float(w) for w in re.findall(r"flex:0 0 ([0-9.]+)%", spans)]
        assert sum(widths) == pytest.approx(100, abs=0.05)
    table = read_record(folder / "shifted").scores.error_breakdown(CLASSES)
    square = list(CLASSES.names).index("square")
    title = bars[square * 2][0]  # rows of classes, two counted models per row: "shifted" first
    assert f"IoU {table.iloc[square]['iou']:.3f}" in title
    assert f"boundary FP {table.iloc[square]['boundary_fp']:.3f}" in title
    assert table.loc["disc", "segment_fp"] > 0  # the false square is a whole false object of class 2
    r, g, b = KIND_COLORS[KindCode.SEGMENT_FP]
    assert f"rgb({r},{g},{b})" in body
    assert "Not counted for plain" in body


def test_no_section_without_counted_error_kinds(tmp_path, targets):
    folder = tmp_path / "run"
    model = {"kind": "model", "name": "unet", "encoder": "resnet18", "weights": "w", "sha256": "ab" * 32}
    write_source(folder, "plain", corrupt(targets, 0.3, 2), targets, source=model)
    write_comparison_order(folder, ["plain"])
    html = write_review(folder, tmp_path / "r.html", resamples=20).read_text(encoding="utf-8")
    assert SECTION not in html
