"""Every notebook shown in JupyterLab at 1280 px and saved as one full-page screenshot, with what a reader sees
checked: each widget's picture, no error, no repr as text, figures that fit the cell with text of 9 px or more.

By default (``make test``) nothing is executed here: each notebook's executed copy (``executed_notebook``, one
papermill run per pytest session, small parameters) is reopened as a teacher's pre-run notebook is: saved by
JupyterLab, so trusted and without widget state (JupyterLab's default), and opened without running a cell, its
widgets' models gone with the kernel that made them. With ``WORKBENCH_NOTEBOOK_DEFAULTS=1`` (``make
screenshots``) each notebook is instead copied unchanged into one JupyterLab root and run there with its own
defaults, in order, as on a student's CPU laptop (notebooks 05 and 07 read the run folder 04 writes,
``runs/notebook04`` relative to the root). Screenshots go to
``test-artifacts/browser/notebooks/<small|defaults>/<notebook>.png``, with ``times.csv`` (seconds to run, or to
show the reopened notebook) and ``<notebook>.figures.json`` (every shown image's widths and smallest text).

Readability: every PNG a figure becomes records its smallest font in its own pixels
(``workbench.viz.figure_fonts``: ``figure_to_png`` writes it, and the kernels of this session load the
extension that adds it to inline figures); the page gives each image's shown width, its natural width and the
width of its output area. A figure fits when its natural width is at most the output area's (JupyterLab
shrinks wider ones to fit), and its text is readable when smallest font x shown / natural width >= 9 px.
Needs Debian's ``chromium`` package; skips with that message without it.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from browser_helpers import (
    ARTIFACTS,
    REPO,
    chromium_or_skip,
    chromium_page,
    jupyterlab_server,
    notary_dir,
    run_all_cells,
)
from nbformat.sign import NotebookNotary
from PIL import Image

from workbench.viz.figure_fonts import FONT_KEY

sys.path.insert(0, str(REPO / "tests" / "notebooks"))  # the names the headless run uses too
from small_parameters import NAMES  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEFAULTS = os.environ.get("WORKBENCH_NOTEBOOK_DEFAULTS") == "1"
MODE = "defaults" if DEFAULTS else "small"
TIMEOUT_MS = 45 * 60_000  # per notebook run in JupyterLab (defaults mode), run-all to the last cell done
OUT = ARTIFACTS / "notebooks" / MODE
VIEWPORT = {"width": 1280, "height": 800}  # a projector's width, JupyterLab's default layout (file browser open)
MIN_TEXT_PX = 9  # the smallest text a reader at 1280 px can read
SCROLLER = ".jp-NotebookPanel .jp-WindowedPanel-outer"  # the notebook scrolls inside its panel, not the page
SCROLLER_BOX = """s => { const e = document.querySelector(s), r = e.getBoundingClientRect();
    return {x: r.left + e.clientLeft, y: r.top + e.clientTop, width: e.clientWidth, height: e.clientHeight,
            total: e.scrollHeight}; }"""
SCROLL_TO = "([s, top]) => { const e = document.querySelector(s); e.scrollTop = top; return e.scrollTop; }"
# A widget's output: its drawn view (a ``.jupyter-widgets`` element), or the widget manager's message, an error
# (the output itself classed ``jupyter-widgets``) or "Loading widget..." while it waits for a kernel.
WIDGET_OUTPUTS = """[...document.querySelectorAll('.jp-OutputArea-output')].filter(o =>
    o.classList.contains('jupyter-widgets') || o.querySelector(':scope > .jupyter-widgets') ||
    o.textContent === 'Loading widget...')"""
# Settled when each shows its widget or the message of a model that is not there (the widget manager looks for
# 2 s before it gives up); the snapshot's style sheet hides that message.
WIDGETS_SETTLED = f"""() => {WIDGET_OUTPUTS}.every(o =>
    o.querySelector(':scope > .jupyter-widgets') || o.textContent.includes('Error displaying widget'))"""
# The images a reader sees: a widget may keep a hidden, empty one (FCNInspector's "layer output" panel while
# the last layer is chosen), which no one notices.
SHOWN_IMAGES = "[...document.querySelectorAll('.jp-OutputArea-output img')].filter(i => i.getClientRects().length)"
IMAGES_SETTLED = f"() => {SHOWN_IMAGES}.every(i => i.complete)"
CELL_OF = """e => { const cell = e.closest('.jp-Cell'), cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')],
        prompt = (cell.querySelector('.jp-InputPrompt') || {}).textContent || '';
    return `cell ${cells.indexOf(cell) + 1} ${prompt}`.trim(); }"""
# What a reader sees in the outputs: each shown image (widths, source), each widget output (drawn, or hidden
# with its picture shown after it), error messages and reprs shown instead of an object.
SHOWN = f"""() => {{ const cellOf = {CELL_OF}, shown = e => e.getClientRects().length > 0;
    const images = {SHOWN_IMAGES}.map(i => {{ const area = i.closest('.jp-OutputArea-output');
        const style = getComputedStyle(area);
        return {{cell: cellOf(i), natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
                 area: area.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
                 src: i.src.startsWith('data:image/png;base64,') ? i.src : ''}}; }});
    const widgets = {WIDGET_OUTPUTS}.map(o => {{
        const child = o.closest('.jp-OutputArea-child'), next = child.nextElementSibling;
        const picture = next && next.querySelector('.wb-snapshot');
        return {{cell: cellOf(o), drawn: shown(o) && !!o.querySelector(':scope > .jupyter-widgets'),
                 hidden: !shown(child), picture: !!picture && shown(picture) &&
                     [...picture.querySelectorAll('img')].every(i => i.naturalWidth > 0)}}; }});
    const text = [...document.querySelectorAll('.jp-OutputArea-output')].filter(shown).map(e => e.innerText.trim());
    return {{images, widgets,
             errors: text.filter(t => t.includes('Error displaying widget') || t.includes('Loading widget')),
             reprs: text.filter(t => /^(VBox|HBox|Tab|Figure)\\(|^<Figure size/.test(t)).map(t => t.slice(0, 80)),
             broken: {SHOWN_IMAGES}.filter(i => !(i.naturalWidth > 0)).map(cellOf)}}; }}"""


@dataclass
class Shown:
    """What one notebook showed in JupyterLab (see ``SHOWN``), its screenshot's height and its copy."""

    name: str
    notebook: Path
    images: list[dict]
    widgets: list[dict]
    errors: list[str]
    reprs: list[str]
    broken: list[str]
    height: int


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The module's JupyterLab: ``(root folder, base URL, token)``; starts a fresh ``times.csv``."""
    chromium_or_skip()  # before starting a server no test could use
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "times.csv").write_text("notebook,seconds,png_height\n")
    root = tmp_path_factory.mktemp("notebooks")
    with jupyterlab_server(root) as (base, token):
        yield root, base, token


def reopened_copy(executed: Path, root: Path) -> Path:
    """``executed`` placed in ``root`` as JupyterLab saves a notebook it ran: trusted (signed with the server's
    key), without widget state (JupyterLab saves it only with "Save Widget State Automatically" on)."""
    notebook = nbformat.read(executed, 4)
    notebook.metadata.pop("widgets", None)
    target = root / executed.name
    nbformat.write(notebook, target)
    NotebookNotary(data_dir=str(notary_dir(root))).sign(nbformat.read(target, 4))
    return target


@pytest.fixture(scope="module", params=NAMES)  # in order: in defaults mode 04 writes the run 05 and 07 read
def shown(request, lab) -> Shown:
    """Notebook ``request.param`` reopened (or, in defaults mode, run) in JupyterLab, measured and screenshot."""
    name, (root, base, token) = request.param, lab
    if DEFAULTS:
        notebook = root / f"{name}.ipynb"
        shutil.copyfile(REPO / "notebooks" / notebook.name, notebook)
    else:
        notebook = reopened_copy(request.getfixturevalue("executed_notebook")(name), root)
    try:
        with chromium_page(**VIEWPORT) as page:
            # A workspace per notebook: the page opens this notebook alone, not the tabs of the ones before.
            page.goto(f"{base}/lab/workspaces/{name}/tree/{notebook.name}?token={token}")
            started = time.monotonic()
            if DEFAULTS:
                seconds = run_all_cells(page, notebook, timeout_ms=TIMEOUT_MS)
            else:
                page.wait_for_selector("text=| Idle", timeout=120_000)  # the widget manager has its kernel
            page.wait_for_function(WIDGETS_SETTLED, timeout=60_000)
            page.wait_for_function(IMAGES_SETTLED, timeout=30_000)
            wait_until_still(page)
            seconds = seconds if DEFAULTS else time.monotonic() - started
            found = page.evaluate(SHOWN)
            height = stitched_screenshot(page, OUT / f"{name}.png")
    finally:
        shut_down_kernel(base, token, notebook.name)
    with (OUT / "times.csv").open("a") as times:
        times.write(f"{name},{seconds:.1f},{height}\n")
    images = [measured(image) for image in found.pop("images")]
    (OUT / f"{name}.figures.json").write_text(json.dumps(images, indent=1) + "\n")
    return Shown(name, notebook, images, height=height, **found)


def measured(image: dict) -> dict:
    """One shown image's widths and, from its PNG's text chunk, its smallest font as shown (``None``: unknown)."""
    src = image.pop("src")
    font = Image.open(io.BytesIO(base64.b64decode(src.partition(",")[2]))).text.get(FONT_KEY) if src else None
    scale = image["shown"] / image["natural"] if image["natural"] else 1.0
    return {**image, "smallest_px": None if font is None else round(float(font) * scale, 1)}


def wait_until_still(page, *, polls: int = 4, timeout_s: float = 30) -> None:
    """Wait until the notebook's height has not changed for ``polls`` checks 250 ms apart (outputs that are
    still being laid out: typeset maths, fonts, images decoding)."""
    heights, deadline = [], time.monotonic() + timeout_s
    while len(heights) < polls or len(set(heights[-polls:])) > 1:
        if time.monotonic() > deadline:
            raise AssertionError(f"the notebook's height kept changing for {timeout_s} s: {heights[-polls:]}")
        heights.append(page.evaluate(SCROLLER_BOX, SCROLLER)["total"])
        page.wait_for_timeout(250)


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


def test_notebook_shows_every_widget_and_figure(shown):
    name = shown.name
    assert not shown.errors, f"{name}: widget outputs that show an error instead of a picture: {shown.errors}"
    assert not shown.broken, f"{name}: images that did not load in JupyterLab: {shown.broken}"
    assert not shown.reprs, f"{name}: outputs shown as a repr instead of a widget or figure: {shown.reprs}"
    blank = [w["cell"] for w in shown.widgets if not (w["drawn"] or (w["hidden"] and w["picture"]))]
    assert not blank, f"{name}: widgets shown neither live nor as their picture: {blank}"
    if not DEFAULTS:  # reopened without widget state: every widget is its picture
        assert not any(w["drawn"] for w in shown.widgets), f"{name}: a widget drawn with no model to draw it from"
    outputs = any(c.get("outputs") for c in nbformat.read(shown.notebook, 4).cells if c.cell_type == "code")
    height = shown.height
    assert not outputs or height > VIEWPORT["height"], f"{name}: a {height}-px screenshot holds one screen or less"


def test_figures_fit_the_cell_and_their_text_is_readable_at_1280px(shown):
    too_wide = [
        f"{i['cell']}: {i['natural']} px in {i['area']:.0f}" for i in shown.images if i["natural"] > i["area"] + 1
    ]
    small = [
        f"{i['cell']}: {i['smallest_px']} px"
        for i in shown.images
        if i["smallest_px"] is not None and i["smallest_px"] < MIN_TEXT_PX
    ]
    assert not too_wide and not small, (
        f"{shown.name}: figures wider than their cell (shrunk to fit): {too_wide}; "
        f"text under {MIN_TEXT_PX} px as shown: {small}"
    )
