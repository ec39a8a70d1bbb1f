"""Every notebook run in JupyterLab and saved as one full-page screenshot, to look at after a change.

One JupyterLab server and one root folder serve the whole module, as for a student who opens notebooks/ in
JupyterLab: each notebook is copied into that root and run there in order, so notebooks 05 and 07 find the run
folder notebook 04 writes (``runs/notebook04``, relative to the kernel's working directory, the root).

By default each notebook gets the small parameters of ``tests/notebooks`` (papermill injects them, not
executed); with ``WORKBENCH_NOTEBOOK_DEFAULTS=1`` (``make screenshots``) it is copied unchanged and runs with
its own defaults, as on a student's CPU laptop. Screenshots go to
``test-artifacts/browser/notebooks/<small|defaults>/<notebook>.png``, with ``times.csv`` beside them.
Needs Debian's ``chromium`` package; skips with that message without it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_helpers import ARTIFACTS, REPO, chromium_or_skip, chromium_page, jupyterlab_server, run_all_cells
from PIL import Image

sys.path.insert(0, str(REPO / "tests" / "notebooks"))  # the small parameters the headless run uses too
from small_parameters import NAMES, SMALL  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEFAULTS = os.environ.get("WORKBENCH_NOTEBOOK_DEFAULTS") == "1"
MODE = "defaults" if DEFAULTS else "small"
TIMEOUT_MS = (45 if DEFAULTS else 10) * 60_000  # per notebook, run-all to the last cell done
OUT = ARTIFACTS / "notebooks" / MODE
VIEWPORT = {"width": 1280, "height": 800}  # a projector's width, JupyterLab's default layout (file browser open)
SCROLLER = ".jp-NotebookPanel .jp-WindowedPanel-outer"  # the notebook scrolls inside its panel, not the page
SCROLLER_BOX = """s => { const e = document.querySelector(s), r = e.getBoundingClientRect();
    return {x: r.left + e.clientLeft, y: r.top + e.clientTop, width: e.clientWidth, height: e.clientHeight,
            total: e.scrollHeight}; }"""
SCROLL_TO = "([s, top]) => { const e = document.querySelector(s); e.scrollTop = top; return e.scrollTop; }"
# The images a reader sees: a widget may keep a hidden, empty one (FCNInspector's "layer output" panel while
# the last layer is chosen), which no one notices.
SHOWN_IMAGES = "[...document.querySelectorAll('.jp-OutputArea-output img')].filter(i => i.getClientRects().length)"
IMAGES_SETTLED = f"() => {SHOWN_IMAGES}.every(i => i.complete)"
BROKEN_IMAGES = f"""() => {SHOWN_IMAGES}.filter(i => !(i.naturalWidth > 0)).map(i =>
    `cell ${{i.closest('.jp-CodeCell').querySelector('.jp-InputPrompt').textContent}} ${{i.className}}`)"""
# An output that shows a repr instead of the object: a widget the page could not render, a figure not drawn.
REPR_AS_TEXT = """() => [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText.trim())
    .filter(t => /^(VBox|HBox|Tab|Figure)\\(|^<Figure size/.test(t)).map(t => t.slice(0, 80))"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The module's JupyterLab: ``(root folder, base URL, token)``; starts a fresh ``times.csv``."""
    chromium_or_skip()  # before starting a server no test could use
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "times.csv").write_text("notebook,seconds,png_height\n")
    root = tmp_path_factory.mktemp("notebooks")
    with jupyterlab_server(root) as (base, token):
        yield root, base, token


def place_notebook(name: str, root: Path) -> Path:
    """Copy notebook ``name`` into ``root``: unchanged in defaults mode, else with its small parameters injected."""
    source, target = REPO / "notebooks" / f"{name}.ipynb", root / f"{name}.ipynb"
    if DEFAULTS:
        shutil.copyfile(source, target)
    else:
        papermill = pytest.importorskip("papermill", reason="papermill is a dev extra: pip install -e '.[dev]'")
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=SMALL[name],
            prepare_only=True,
            kernel_name="python3",
            progress_bar=False,
        )
    return target


def stitched_screenshot(page, path: Path) -> int:
    """Scroll the notebook's panel a screen at a time, shoot its visible area each time, stitch the pieces into
    one PNG at ``path``; returns its height in pixels."""
    # The toolbar's shadow falls on the panel's top rows: it would draw a grey line at every seam.
    page.add_style_tag(content=".jp-NotebookPanel-toolbar { box-shadow: none !important; }")
    box = page.evaluate(SCROLLER_BOX, SCROLLER)
    clip = {key: box[key] for key in ("x", "y", "width", "height")}
    canvas = Image.new("RGB", (round(box["width"]), box["total"]), "white")
    top = 0
    while True:
        reached = page.evaluate(SCROLL_TO, [SCROLLER, top])  # the last step stops short: the panel's bottom
        page.wait_for_timeout(150)  # the scrolled cells are painted
        canvas.paste(Image.open(io.BytesIO(page.screenshot(clip=clip))), (0, reached))
        if reached + box["height"] >= box["total"]:
            break
        top = reached + box["height"]
    after = page.evaluate(SCROLLER_BOX, SCROLLER)["total"]
    assert after == box["total"], f"{path.name}: the notebook's height changed from {box['total']} to {after} px"
    canvas.save(path)
    return canvas.height


def shut_down_kernel(base: str, token: str, notebook: str) -> None:
    """End the kernel session of ``notebook`` (JupyterLab's REST API), so kernels do not pile up in memory."""
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/api/sessions", headers=headers)) as answer:
        sessions = [s["id"] for s in json.load(answer) if s["path"] == notebook]
    for session in sessions:
        urllib.request.urlopen(
            urllib.request.Request(f"{base}/api/sessions/{session}", method="DELETE", headers=headers)
        ).close()


@pytest.mark.parametrize("name", NAMES)  # in order: 04 writes the run 05 and 07 read
def test_notebook_runs_in_jupyterlab_and_is_screenshot(name, lab):
    root, base, token = lab
    notebook = place_notebook(name, root)
    try:
        with chromium_page(**VIEWPORT) as page:
            # A workspace per notebook: the page opens this notebook alone, not the tabs of the ones before.
            page.goto(f"{base}/lab/workspaces/{name}/tree/{notebook.name}?token={token}")
            seconds = run_all_cells(page, notebook, timeout_ms=TIMEOUT_MS)
            page.wait_for_function(IMAGES_SETTLED, timeout=30_000)
            broken, reprs = page.evaluate(BROKEN_IMAGES), page.evaluate(REPR_AS_TEXT)
            height = stitched_screenshot(page, OUT / f"{name}.png")
    finally:
        shut_down_kernel(base, token, notebook.name)
    with (OUT / "times.csv").open("a") as times:
        times.write(f"{name},{seconds:.1f},{height}\n")
    assert not broken, f"{name}: images that did not load in JupyterLab: {broken}"
    assert not reprs, f"{name}: outputs shown as a repr instead of a widget or figure: {reprs}"
    outputs = any(c.get("outputs") for c in nbformat.read(notebook, 4).cells if c.cell_type == "code")
    assert not outputs or height > VIEWPORT["height"], f"{name}: a {height}-px screenshot holds one screen or less"
