"""The report's "Scores over the tolerance": one figure of BF, NSD and Boundary IoU over tau and d."""

import numpy as np
from review_records import corrupt, write_comparison_order, write_source

from workbench.records import read_record
from workbench.report import write_review

SECTION = "Scores over the tolerance"
MODEL = {"kind": "model", "name": "unet", "encoder": "resnet18", "weights": "w", "sha256": "ab" * 32}


def test_section_with_the_figure_when_a_record_holds_the_ladder(tmp_path, targets):
    folder = tmp_path / "run"
    shifted = [np.roll(np.where(t == 255, 0, t), 2, axis=1) for t in targets]
    scored = write_source(folder, "shifted", shifted, targets, source=MODEL, tolerances=True).scores
    write_source(folder, "noisy", corrupt(targets, 0.3, 2), targets, source=MODEL, tolerances=True)
    write_source(folder, "plain", corrupt(targets, 0.3, 2), targets, source=MODEL)
    write_comparison_order(folder, ["shifted", "noisy", "plain"])
    record = read_record(folder / "shifted")  # the ladder survives the record: the same curve as when scored
    curve = record.scores.tolerance_curve("nsd", intervals=False)["value"]
    np.testing.assert_array_equal(curve, scored.tolerance_curve("nsd", intervals=False)["value"])
    assert curve[1] < curve[3] <= curve[21]  # shifted by 2 px: most edges match from tau = 2 on
    html = write_review(folder, tmp_path / "r.html", resamples=30).read_text(encoding="utf-8")
    assert html.index(">Per-class IoU<") < html.index(f">{SECTION}<") < html.index(">Confusion matrices<")
    body = html[html.index(f">{SECTION}<") : html.index("</section>", html.index(f">{SECTION}<"))]
    assert body.count("data:image/png;base64,") == 1
    assert "{1, 2, 3, 5, 8, 13, 21} pixels" in body and "Not counted for plain" in body


def test_no_section_without_the_ladder(tmp_path, targets):
    folder = tmp_path / "run"
    write_source(folder, "plain", corrupt(targets, 0.3, 2), targets, source=MODEL)
    write_comparison_order(folder, ["plain"])
    assert SECTION not in write_review(folder, tmp_path / "r.html", resamples=20).read_text(encoding="utf-8")
