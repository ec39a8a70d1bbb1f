"""The review report in headless Chromium: it fits a 1280-px projector and prints without clipping a table;
notebook 07 presents as slides (jupyterlab-rise).

Screenshots go to ``test-artifacts/browser/``: the report at 1280 and 1920 px, its print layout, the PDF
Chromium prints, and the first slide of notebook 07. Look at them after a change of the page's layout.
"""

from __future__ import annotations

import re
import shutil
import sys

import nbformat
import pytest
from browser_helpers import ARTIFACTS, REPO, chromium_page

sys.path.insert(0, str(REPO / "tests" / "report"))  # the records the report tests write, for the same report
import review_records as helpers  # noqa: E402

from workbench.data import SyntheticShapes
from workbench.report import write_review

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A4_LANDSCAPE_PRINT_PX = round((297 - 2 * 12) / 25.4 * 96)  # the page's print area: A4 landscape, 12 mm margins
FITS = """selector => [...document.querySelectorAll(selector)].filter(t => t.offsetParent !== null).map(t => ({
    cls: t.className, scroll: t.scrollWidth, client: t.clientWidth,
    right: Math.ceil(t.getBoundingClientRect().right), page: document.documentElement.clientWidth,
    box: t.parentElement.clientWidth, boxScroll: t.parentElement.scrollWidth}))"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report of a demo-like comparison: four models with long names on the records' synthetic data."""
    data = SyntheticShapes(**helpers.SYNTHETIC)
    targets = [data[i][1].numpy() for i in range(len(data))]
    folder = tmp_path_factory.mktemp("browser_report") / "demo"
    names = ["fcn8s", "unet", "deeplabv3plus", "pspnet"]
    for seed, (name, share) in enumerate(zip(names, (0.3, 0.15, 0.2, 0.9))):
        source = {
            "kind": "model",
            "name": name,
            "encoder": "resnet18",
            "weights": "last.safetensors",
            "sha256": "c" * 64,
        }
        helpers.write_source(
            folder,
            name,
            helpers.corrupt(targets, share, seed),
            targets,
            source=source,
            history=helpers.history(1 - share),
            distances=True,
        )  # HD95: the widest full table
    helpers.write_comparison_order(folder, names)
    return write_review(folder, resamples=200)


def test_report_fits_1280_and_prints_without_clipped_tables(report):
    with chromium_page(1280, 800) as page:
        page.goto(report.as_uri())
        headline = page.evaluate(FITS, "table.headline")
        assert len(headline) == 1
        assert headline[0]["scroll"] <= headline[0]["client"], headline  # no scrollbar on the headline table
        assert headline[0]["right"] <= headline[0]["page"], headline
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        full = page.evaluate(FITS, "table.workbench-table")
        assert len(full) == 1 and full[0]["boxScroll"] <= full[0]["box"], full  # the full table fits, no scrollbar
        page.screenshot(path=str(ARTIFACTS / "report_1280.png"), full_page=True)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.screenshot(path=str(ARTIFACTS / "report_1920.png"), full_page=True)
        # Print: the stylesheet's print rules on the print area's width; no visible table may overflow.
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_LANDSCAPE_PRINT_PX, "height": 1200})
        tables = page.evaluate(FITS, "table")
        assert len(tables) >= 5  # headline, the full table (printed unfolded), per-class, gallery, conventions
        assert any("workbench-table" in t["cls"] for t in tables), "the full table prints unfolded"
        unfolded = page.evaluate(
            "[...document.querySelectorAll('details table')].map(t => t.getClientRects().length > 0)"
        )
        assert unfolded and all(unfolded), f"folded tables must print unfolded: {unfolded}"
        assert not page.evaluate("document.querySelector('p.meta').textContent.includes('/')"), "no local path"
        clipped = [
            t
            for t in tables
            if t["scroll"] > t["client"] + 1 or t["right"] > t["page"] + 1 or t["boxScroll"] > t["box"] + 1
        ]
        assert not clipped, clipped
        page.screenshot(path=str(ARTIFACTS / "report_print.png"), full_page=True)
        pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2


def test_notebook_07_presents_as_slides(jupyterlab, tmp_path):
    notebook = REPO / "notebooks" / "07_review.ipynb"
    shutil.copy(notebook, tmp_path / notebook.name)
    cells = nbformat.read(notebook, 4).cells
    slides = [c for c in cells if c.metadata.get("slideshow", {}).get("slide_type") == "slide"]
    assert len(slides) >= 6 and cells[0].metadata["slideshow"]["slide_type"] == "slide"
    base, token = jupyterlab
    with chromium_page(1280, 800) as page:
        page.goto(f"{base}/rise/{notebook.name}?token={token}")
        page.wait_for_selector(".reveal .slides section.present", timeout=120_000)
        page.wait_for_timeout(1500)  # reveal.js lays the slide out after the notebook renders
        title = page.locator(".reveal .slides section.present h1").first.inner_text(timeout=30_000)
        total = page.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        page.screenshot(path=str(ARTIFACTS / "07_first_slide.png"))
    assert title.startswith("7. Review")
    assert total == len(slides), f"{total} slides shown for {len(slides)} cells marked 'slide'"
