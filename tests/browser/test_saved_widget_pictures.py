"""A teacher's pre-run notebook: widgets run in JupyterLab, the notebook saved, then reopened with the widgets'
kernel gone. Live, each widget shows once (its picture hidden); reopened, each shows its picture and no error.

The saved file is JupyterLab's own (trusted, no widget state: "Save Widget State Automatically" is off by
default), so this is the case ``workbench.widgets.snapshot`` is for. Needs Debian's ``chromium`` package.
"""

from __future__ import annotations

import nbformat
import pytest
from browser_helpers import ARTIFACTS, chromium_page, run_all_cells, write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELLS = [
    "import workbench as wb",
    "wb.widgets.UnpoolingExplorer(size=4, scales=(2,), scale=2)",
    "explorer = wb.widgets.DilatedConvExplorer(); display(explorer.widget)",
    "explorer.rate.value = 3",  # a later cell's change reaches the saved picture
]
# Per widget output: drawn (a widget view inside), shown, and whether the picture after it is shown.
WIDGETS = """() => [...document.querySelectorAll('.jp-OutputArea-child')]
    .filter(c => c.nextElementSibling && c.nextElementSibling.querySelector('.wb-snapshot')).map(c => {
        const shown = e => e.getClientRects().length > 0, picture = c.nextElementSibling.querySelector('.wb-snapshot');
        return {drawn: !!c.querySelector('.jp-OutputArea-output .jupyter-widgets'), shown: shown(c),
                picture: shown(picture), text: picture.innerText}; })"""
SETTLED = """() => [...document.querySelectorAll('.jp-OutputArea-output')].every(o =>
    o.textContent !== 'Loading widget...' && !(o.textContent === '' && o.classList.contains('lm-Panel')))"""


def shown_widgets(page) -> list[dict]:
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_timeout(3000)  # the widget manager gives a missing model 2 s before it says so
    return page.evaluate(WIDGETS)


def test_widgets_show_live_then_their_pictures_once_the_kernel_is_gone(jupyterlab, tmp_path):
    base, token = jupyterlab
    notebook = write_notebook(tmp_path / "teacher.ipynb", CELLS)
    with chromium_page(1280, 800) as page:
        page.goto(f"{base}/lab/workspaces/live/tree/{notebook.name}?token={token}")
        run_all_cells(page, notebook)  # and saves it
        live = shown_widgets(page)
        page.screenshot(path=str(ARTIFACTS / "widgets_live.png"), full_page=True)
        page.evaluate("window.jupyterapp.commands.execute('kernelmenu:shutdown')")
    with chromium_page(1280, 800) as page:  # a new page: the widget models are gone with the old kernel
        page.goto(f"{base}/lab/workspaces/reopened/tree/{notebook.name}?token={token}")
        page.wait_for_selector("text=| Idle", timeout=120_000)
        reopened = shown_widgets(page)
        page.screenshot(path=str(ARTIFACTS / "widgets_reopened.png"), full_page=True)
        assert "Error displaying widget" not in page.inner_text(".jp-Notebook")
    assert [(w["drawn"], w["shown"], w["picture"]) for w in live] == [(True, True, False)] * 2
    assert [(w["drawn"], w["shown"], w["picture"]) for w in reopened] == [(False, False, True)] * 2
    assert "rates 3, 3" in reopened[1]["text"]  # the state the last cell left, not the first one drawn
    saved = nbformat.read(notebook, 4)
    assert "widgets" not in saved.metadata  # JupyterLab's default: the case the pictures are for
