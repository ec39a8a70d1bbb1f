"""JupyterLab in a real browser: notebook 05 runs top to bottom and MaskComparer's image slider works.

Starts JupyterLab from this environment on 127.0.0.1 with a token, opens a copy of notebook 05 (small
parameters injected by papermill) in headless Chromium driven by Playwright, runs all cells, moves the
MaskComparer's "image" slider with the keyboard and checks that the displayed masks change. Screenshots go
to ``test-artifacts/browser/``. Needs Debian's ``chromium`` package (``apt-get install chromium``); skips
with that message without it. Run it alone with ``make test-browser``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_helpers import ARTIFACTS, REPO, chromium_page, run_all_cells

NOTEBOOK = REPO / "notebooks" / "05_inspect_masks.ipynb"
SMALL = dict(
    device="cpu",
    run_dir="runs/browser",
    image_size=[64, 64],
    num_images=16,
    val_images=8,
    models=["fcn8s", "unet"],
    epochs=1,
    batch_size=4,
    max_images=8,
)
PANEL_DIGESTS = """async () => {
    // Only the comparer's own panels: the output that holds its "image" slider (other outputs, such as a
    // widget's saved picture, hold images of their own).
    const slider = [...document.querySelectorAll('.widget-slider')]
        .find(s => (s.querySelector('.widget-label') || {}).textContent === 'image');
    const area = slider ? slider.closest('.jp-OutputArea-output') : null;
    const imgs = area ? [...area.querySelectorAll('.widget-image')] : [];
    return Promise.all(imgs.map(async img => {
        const bytes = await (await fetch(img.src)).arrayBuffer();
        const digest = await crypto.subtle.digest('SHA-256', bytes);
        return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
    }));
}"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _prepare_notebook(folder: Path) -> Path:
    """Notebook 05 with the small parameters injected (papermill, not executed)."""
    papermill = pytest.importorskip("papermill")
    target = folder / NOTEBOOK.name
    papermill.execute_notebook(str(NOTEBOOK), str(target), parameters=SMALL, prepare_only=True, kernel_name="python3")
    return target


def test_mask_comparer_slider_changes_masks_in_jupyterlab(jupyterlab, tmp_path):
    notebook = _prepare_notebook(tmp_path)
    base, token = jupyterlab
    with chromium_page(1500, 1000) as page:
        page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
        run_all_cells(page, notebook)
        slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="image")).first
        slider.scroll_into_view_if_needed()
        before = page.evaluate(PANEL_DIGESTS)
        assert len(before) >= 4, f"expected image, target and two model panels, found {len(before)} images"
        page.screenshot(path=str(ARTIFACTS / "05_before_slider.png"))
        slider.locator(".noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        # Wait until the photograph and target panels (the first two) show new bytes: a transient change of
        # the output area (a re-render while the kernel's update is on its way) must not count as the slider's
        # effect. A model's panel may legitimately stay the same: a one-epoch model can predict the same mask
        # (all background, say) for two images.
        page.wait_for_function(
            f"""async () => {{ const now = await ({PANEL_DIGESTS})(), old = {json.dumps(before)};
                                   return now.length === old.length && now[0] !== old[0] && now[1] !== old[1]; }}""",
            timeout=60_000,
        )
        page.wait_for_timeout(1000)  # the panels have settled: what the slider shows now is what it stays at
        after = page.evaluate(PANEL_DIGESTS)
        page.screenshot(path=str(ARTIFACTS / "05_after_slider.png"))
    # Image 0 and image 1 differ in photograph and target, so those two panels must change.
    assert len(after) == len(before), f"{len(before)} panels before the slider moved, {len(after)} after"
    assert after[0] != before[0] and after[1] != before[1], "the photograph or target panel did not change"
