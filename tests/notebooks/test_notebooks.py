"""Every notebook runs headless with small parameters on a CPU, and is committed clean (no outputs)."""

import json
import re
from pathlib import Path

import pytest
from small_parameters import NAMES, SMALL  # tests/conftest.py puts this folder on sys.path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LIVE_CURVES = {"03_fcn": "wb.engine.fit(", "04_train_and_compare": "wb.engine.compare("}  # the training cell


def test_small_parameters_cover_every_notebook():
    assert sorted(SMALL) == sorted(NAMES) == sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_headless(name, executed_notebook):
    shown = executed_notebook(name).read_text(encoding="utf-8")
    executed = json.loads(shown)
    if name in LIVE_CURVES:  # one live figure per run, redrawn in place: one picture in the cell, not a stream
        cell = next(c for c in executed["cells"] if LIVE_CURVES[name] in "".join(c["source"]))
        assert [("image/png" in o.get("data", {})) for o in cell["outputs"]].count(True) == 1
    if name == "13_boundary_scores":
        assert_one_miou_drop_three_errors(executed)
    if name == "07_review":
        report = (executed_notebook.root / "runs" / "review" / "report.html").read_text(encoding="utf-8")
        assert "Confusion matrices" in report and "data:image/png;base64," in report
        if (Path(SMALL[name]["camvid_root"]) / "classes.json").is_file():  # the section on video frames ran
            assert "moving-block percentile bootstrap, blocks of 10 frames within one sequence" in shown
            assert "0016E5" in shown


CASE_LINE = re.compile(
    r"^\((?P<case>[abc])\) .*: mIoU (?P<miou>[\d.]+); the object's errors: "
    r"boundary (?P<boundary>\d+)%, extent (?P<extent>\d+)%, segment (?P<segment>\d+)%; "
    r"FP (?P<fp>\d+)%, FN (?P<fn>\d+)%$",
    re.MULTILINE,
)


def assert_one_miou_drop_three_errors(executed: dict):
    """Notebook 13's last section: (a) shift, (b) false blob, (c) missed object at nearly one mIoU, and the
    error breakdown naming each (boundary; segment FP; segment FN), as its printed summary shows."""
    cell = next(c for c in executed["cells"] if c["cell_type"] == "code" and "error_breakdown(" in "".join(c["source"]))
    text = "".join("".join(o.get("text", "")) for o in cell["outputs"] if o.get("output_type") == "stream")
    cases = {
        m["case"]: {k: float(v) for k, v in m.groupdict().items() if k != "case"} for m in CASE_LINE.finditer(text)
    }
    assert sorted(cases) == ["a", "b", "c"], text
    mious = [case["miou"] for case in cases.values()]
    assert max(mious) - min(mious) <= 0.01 and max(mious) < 0.99, mious
    assert cases["a"]["boundary"] >= 90 and cases["a"]["fp"] == cases["a"]["fn"] == 50, cases["a"]
    assert cases["b"]["segment"] == 100 and cases["b"]["fp"] == 100, cases["b"]
    assert cases["c"]["segment"] == 100 and cases["c"]["fn"] == 100, cases["c"]
    curve = next(
        c
        for c in executed["cells"]  # the tolerance curves tell the shift from the objects
        if c["cell_type"] == "code" and "tolerance_curve(" in "".join(c["source"])
    )
    lines = "".join("".join(o.get("text", "")) for o in curve["outputs"] if o.get("output_type") == "stream")
    assert re.search(r"^\(a\) .*: NSD reaches 1 at tau = \d+ px$", lines, re.MULTILINE), lines
    assert len(re.findall(r"^\([bc]\) .*: NSD stays below 1 at every tau", lines, re.MULTILINE)) == 2, lines
    assert any("image/png" in o.get("data", {}) for o in curve["outputs"]), "the curves' figure"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_clean_with_a_parameters_cell(name):
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code), "clear the outputs"
    tagged = [i for i, cell in enumerate(code) if "parameters" in cell["metadata"].get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters' (papermill)"
    assert "import workbench as wb" in "".join(code[0]["source"]) and tagged[0] > 0
    prose = [cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    assert len(prose) >= len(code) // 2, "prose between the calls: what the reader sees and why"


CODE_LINE_LIMIT = 100  # JupyterLab at 1280 px with the file browser open shows about 105 characters of code


@pytest.mark.parametrize("name", NAMES)
def test_notebook_code_lines_fit_beside_the_file_browser(name):
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    long = [
        f"{name}.ipynb cell {number} (id {cell['id']}) line {line_number}, {len(line)} characters: {line}"
        for number, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code"
        for line_number, line in enumerate("".join(cell["source"]).splitlines(), start=1)
        if len(line) > CODE_LINE_LIMIT
    ]
    assert not long, (
        f"code lines longer than {CODE_LINE_LIMIT} characters are cut off at the right edge of "
        "the cell in JupyterLab at 1280 px with the file browser open (about 105 characters "
        "show); break them at argument boundaries:\n" + "\n".join(long)
    )
