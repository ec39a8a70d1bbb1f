"""Progress bars in a notebook: while they run they are tqdm's widgets; once closed a saved notebook keeps
their last line as text (leave=True) or nothing (leave=False), never a widget's ``HBox(children=...`` text."""

import textwrap

import nbformat
import pytest

from workbench.progress_bar import IN_NOTEBOOK, tqdm

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELLS = [
    "from workbench.progress_bar import IN_NOTEBOOK, tqdm\nprint(IN_NOTEBOOK, tqdm(total=1, leave=False).mininterval)",
    """
    summary = tqdm(total=3, desc="model 1 of 1: fcn8s")
    for _ in range(3):
        steps = tqdm(total=2, desc="fcn8s: epoch 1 of 3", leave=False)
        steps.update(2)
        steps.close()
        summary.update(1)
    summary.set_postfix_str("val mIoU 0.381", refresh=True)
    summary.close()
    """,
    "print('next cell')",
]


def test_in_a_terminal_it_is_tqdm_auto():
    from tqdm.auto import tqdm as auto

    assert not IN_NOTEBOOK and tqdm is auto


@pytest.mark.slow  # starts a kernel (a few seconds)
def test_a_saved_notebook_keeps_the_summary_line_and_no_widget_text(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in CELLS])
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    first = [o for o in notebook.cells[0].outputs if o.get("output_type") == "stream"]
    assert first[0]["text"].strip() == "True 1.0"  # a redraw a second at most
    outputs = notebook.cells[1].outputs
    texts = [o["data"]["text/plain"] for o in outputs if o.get("output_type") == "display_data"]
    assert all(WIDGET_VIEW not in o.get("data", {}) for o in outputs)  # every bar was replaced when it closed
    assert [t for t in texts if t] == [texts[0]] and len(texts) == 4  # the summary and three emptied step bars
    assert texts[0].startswith("model 1 of 1: fcn8s: 100%") and "3/3" in texts[0] and "val mIoU 0.381" in texts[0]
    assert not any("HBox(" in t for t in texts)
