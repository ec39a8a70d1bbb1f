"""JupyterLab in a real browser: notebook 03's PhotoSegmenter takes a file through its upload button.

Runs notebook 03 (small parameters injected by papermill) in headless Chromium, gives the "Upload a photo"
button a transparent PNG and then a file that is not a picture, the way a person's file dialog would, and
checks that the widget shows the photo's name and size, then the one-line error. Screenshots go to
``test-artifacts/browser/03_photo_*.png``. Needs Debian's ``chromium`` package; skips without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from browser_helpers import ARTIFACTS, REPO, chromium_page, run_all_cells
from PIL import Image

sys.path.insert(0, str(REPO / "tests" / "notebooks"))
from small_parameters import SMALL  # noqa: E402

NOTEBOOK = REPO / "notebooks" / "03_fcn.ipynb"
BUTTON = ".jp-OutputArea-output .widget-upload"  # its file input is never in the page: the button clicks it
STATUS_SAYS = """text => [...document.querySelectorAll('.jp-OutputArea-output .widget-html-content')]
    .some(e => e.textContent.includes(text))"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _prepare_notebook(folder: Path) -> Path:
    papermill = pytest.importorskip("papermill")
    target = folder / NOTEBOOK.name
    papermill.execute_notebook(
        str(NOTEBOOK), str(target), parameters=SMALL["03_fcn"], prepare_only=True, kernel_name="python3"
    )
    return target


def choose(page, path: Path) -> None:
    """Press the upload button and pick ``path`` in the file dialog it opens, as a person would."""
    with page.expect_file_chooser() as chooser:
        page.click(BUTTON)
    chooser.value.set_files(str(path))


def test_an_uploaded_photo_is_segmented_and_a_bad_file_is_named(jupyterlab, tmp_path):
    notebook = _prepare_notebook(tmp_path)
    photo = np.zeros((120, 200, 4), np.uint8)
    photo[:, :100] = (220, 60, 40, 255)  # left half opaque, right half transparent
    Image.fromarray(photo, mode="RGBA").save(tmp_path / "my photo.png")
    (tmp_path / "notes.png").write_text("not a picture")
    base, token = jupyterlab
    with chromium_page(1280, 1000) as page:
        page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
        run_all_cells(page, notebook)
        page.locator(BUTTON).scroll_into_view_if_needed()
        choose(page, tmp_path / "my photo.png")
        page.wait_for_function(STATUS_SAYS, arg="my photo.png: 200 x 120 pixels", timeout=120_000)
        page.wait_for_timeout(1000)  # the pictures have arrived
        page.locator(BUTTON).locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]").screenshot(
            path=str(ARTIFACTS / "03_photo_uploaded.png")
        )
        choose(page, tmp_path / "notes.png")
        page.wait_for_function(STATUS_SAYS, arg="notes.png: cannot read this file as an image", timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / "03_photo_bad_file.png"))
