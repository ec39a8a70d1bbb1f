"""JupyterLab in a real browser: MaskComparer's image slider changes the masks it shows.

Starts JupyterLab from this environment on 127.0.0.1 with a token, runs a four-cell notebook (a synthetic
dataset, two shifted copies of its masks as the "models", the comparer) in headless Chromium driven by
Playwright, moves the "image" slider with the keyboard and checks that the displayed masks change. Not
notebook 05: ``make test`` executes each notebook once (``executed_notebook``), and this check needs only a
live comparer. Screenshots go to ``test-artifacts/browser/``. Needs Debian's ``chromium`` package
(``apt-get install chromium``); skips with that message without it. Run it alone with ``make test-browser``.
"""

from __future__ import annotations

import json

import pytest
from browser_helpers import ARTIFACTS, chromium_page, run_all_cells, write_notebook

CELLS = [
    "import torch\nimport workbench as wb",
    "data = wb.data.SyntheticShapes(num_images=4, image_size=(64, 80), seed=0)",
    "shifted = lambda shift: torch.stack([m.roll(shift, 1) for _, m in data]).clamp(max=data.classes.num_classes - 1)\n"
    "preds = {'left': shifted(-3), 'right': shifted(5)}  # ignored pixels (255) become a class",
    "comparer = wb.widgets.MaskComparer(data, None, preds)\ndisplay(comparer.widget)",
]
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


def test_mask_comparer_slider_changes_masks_in_jupyterlab(jupyterlab, tmp_path):
    notebook = write_notebook(tmp_path / "mask_comparer.ipynb", CELLS)
    base, token = jupyterlab
    with chromium_page(1500, 1000) as page:
        page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
        run_all_cells(page, notebook)
        slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="image")).first
        slider.scroll_into_view_if_needed()
        before = page.evaluate(PANEL_DIGESTS)
        assert len(before) >= 4, f"expected image, target and two model panels, found {len(before)} images"
        page.screenshot(path=str(ARTIFACTS / "mask_comparer_before_slider.png"))
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
        page.screenshot(path=str(ARTIFACTS / "mask_comparer_after_slider.png"))
    # Image 0 and image 1 differ in photograph and target, so those two panels must change.
    assert len(after) == len(before), f"{len(before)} panels before the slider moved, {len(after)} after"
    assert after[0] != before[0] and after[1] != before[1], "the photograph or target panel did not change"
