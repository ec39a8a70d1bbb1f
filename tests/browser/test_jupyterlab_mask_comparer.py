"""JupyterLab in a real browser: notebook 05 runs top to bottom and MaskComparer's image slider works.

Starts JupyterLab from this environment on 127.0.0.1 with a token, opens a copy of notebook 05 (small
parameters injected by papermill) in headless Chromium driven by Playwright, runs all cells, moves the
MaskComparer's "image" slider with the keyboard and checks that the displayed masks change. Screenshots go
to ``test-artifacts/browser/``. Needs Debian's ``chromium`` package (``apt-get install chromium``); skips
with that message without it. Run it alone with ``make test-browser``.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "05_inspect_masks.ipynb"
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SMALL = dict(device="cpu", run_dir="runs/browser", image_size=[64, 64], num_images=16, val_images=8,
             models=["fcn8s", "unet"], epochs=1, batch_size=4, max_images=8)
# Chromium as root in a container, with nothing reaching out to the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
PANEL_DIGESTS = """async () => {
    const imgs = [...document.querySelectorAll('.jp-OutputArea .widget-image')];
    return Promise.all(imgs.map(async img => {
        const bytes = await (await fetch(img.src)).arrayBuffer();
        const digest = await crypto.subtle.digest('SHA-256', bytes);
        return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
    }));
}"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings_dir(root: Path) -> Path:
    """JupyterLab user settings that keep the page quiet: no news pop-up, no update checks."""
    path = root / "settings" / "@jupyterlab" / "apputils-extension"
    path.mkdir(parents=True)
    (path / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return root / "settings"


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server rooted at ``tmp_path``; yields its base URL and token, then shuts it down."""
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(_settings_dir(tmp_path)),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
           "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(base, token, server, tmp_path / "jupyterlab.log")
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_for_server(base: str, token: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def _prepare_notebook(folder: Path) -> Path:
    """Notebook 05 with the small parameters injected (papermill, not executed)."""
    papermill = pytest.importorskip("papermill")
    target = folder / NOTEBOOK.name
    papermill.execute_notebook(str(NOTEBOOK), str(target), parameters=SMALL, prepare_only=True, kernel_name="python3")
    return target


def _run_all_cells(page, notebook: Path, timeout_ms: int = 600_000) -> None:
    app = "window.jupyterapp"
    page.wait_for_function(f"{app} !== undefined && document.querySelector('.jp-Notebook') !== null", timeout=120_000)
    page.wait_for_selector("text=| Idle", timeout=120_000)  # the kernel has started
    page.evaluate(f"{app}.commands.execute('notebook:run-all-cells')")
    # Every code cell has an execution count once run-all is done ("[*]" while queued or running).
    page.wait_for_function(
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                   return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
        timeout=timeout_ms)
    page.evaluate(f"{app}.commands.execute('docmanager:save')")
    page.wait_for_timeout(1000)
    errors = [o for c in nbformat.read(notebook, 4).cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"notebook 05 raised in JupyterLab: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_mask_comparer_slider_changes_masks_in_jupyterlab(jupyterlab, tmp_path):
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    notebook = _prepare_notebook(tmp_path)
    base, token = jupyterlab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
            _run_all_cells(page, notebook)
            slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="image")).first
            slider.scroll_into_view_if_needed()
            before = page.evaluate(PANEL_DIGESTS)
            assert len(before) >= 4, f"expected image, target and two model panels, found {len(before)} images"
            page.screenshot(path=str(ARTIFACTS / "05_before_slider.png"))
            slider.locator(".noUi-handle").focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"async () => JSON.stringify(await ({PANEL_DIGESTS})()) !== {json.dumps(json.dumps(before))}",
                                   timeout=30_000)
            after = page.evaluate(PANEL_DIGESTS)
            page.screenshot(path=str(ARTIFACTS / "05_after_slider.png"))
        finally:
            browser.close()
    changed = sum(a != b for a, b in zip(before, after))
    # Image 0 and image 1 differ in photograph, target and every model's mask: all panels must change.
    assert len(after) == len(before) and changed == len(before), f"{changed} of {len(before)} panels changed"
