"""Every notebook runs headless with small parameters on a CPU, and is committed clean (no outputs)."""

import json
from pathlib import Path

import pytest
from small_parameters import NAMES, SMALL  # tests/conftest.py puts this folder on sys.path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_small_parameters_cover_every_notebook():
    assert sorted(SMALL) == sorted(NAMES) == sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_headless(name, executed_notebook):
    """Every notebook, a new one too, runs with its small parameters; what each shows is checked in
    test_shown_lessons.py and test_shown_training.py, on the same execution."""
    executed = json.loads(executed_notebook(name).read_text(encoding="utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{name}: cells raised: {[e['ename'] + ': ' + e['evalue'] for e in errors]}"


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
