"""Shared pieces of the browser tests: Chromium, a JupyterLab server, running a notebook's cells in it.

Needs Debian's ``chromium`` package (``apt-get install chromium``); tests skip with that message without it.
"""

from __future__ import annotations

import contextlib
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
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium as root in a container, with nothing reaching out to the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_dir(root: Path) -> Path:
    """JupyterLab user settings: a quiet page (no news pop-up, no update checks) and every cell in the DOM.

    JupyterLab 4 attaches only the cells near the viewport by default ("windowingMode"); "none" renders them
    all, so a test sees every output and a screenshot scrolled to any cell shows it drawn. No blank screen
    below the last cell either ("scrollPastEnd"): a notebook's screenshot ends where the notebook does.
    """
    settings = root / "settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    (settings / "notebook-extension").mkdir()
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", "scrollPastEnd": False})
    )
    return root / "settings"


def notary_dir(root: Path) -> Path:
    """Where the server rooted at ``root`` keeps its notebook signatures: sign a notebook with
    ``nbformat.sign.NotebookNotary(data_dir=notary_dir(root))`` and that server trusts it, as JupyterLab trusts
    a notebook it saved (and no signature lands in the user's own database)."""
    folder = root / "notary"
    folder.mkdir(exist_ok=True)
    return folder


def record_figure_fonts_in_kernels(folder: Path) -> None:
    """Make every IPython kernel started from now on (papermill's, JupyterLab's) load the extension
    ``workbench.viz.figure_fonts``, so that each inline figure's PNG records its smallest font: an IPython
    profile in ``folder`` (fresh, no user start-up files), named by ``IPYTHONDIR``."""
    profile = folder / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        'c.InteractiveShellApp.extensions = ["workbench.viz.figure_fonts"]\n'
    )
    os.environ["IPYTHONDIR"] = str(folder)


@contextlib.contextmanager
def jupyterlab_server(tmp_path: Path):
    """A JupyterLab server rooted at ``tmp_path``; yields its base URL and token, then shuts it down."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir(tmp_path)),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
        f"--NotebookNotary.data_dir={notary_dir(tmp_path)}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(base, token, server, tmp_path / "jupyterlab.log")
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def wait_for_server(base: str, token: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
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


@contextlib.contextmanager
def chromium_page(width: int, height: int):
    """A page of headless Chromium at ``width`` x ``height``, with the artifacts folder made; skips without Chromium."""
    chromium = chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def chromium_or_skip() -> str:
    """The Chromium executable, or skip the test saying how to install it."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)")
    return CHROMIUM


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A Python 3 notebook at ``path`` with one code cell per source in ``cells``, not executed."""
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    return path


def run_all_cells(page, notebook: Path, timeout_ms: int = 600_000) -> float:
    """Run every cell of the open ``notebook``, save it, and fail on an error output; returns the seconds from
    run-all to the last cell done."""
    app = "window.jupyterapp"
    page.wait_for_function(f"{app} !== undefined && document.querySelector('.jp-Notebook') !== null", timeout=120_000)
    page.wait_for_selector("text=| Idle", timeout=120_000)  # the kernel has started
    started = time.monotonic()
    page.evaluate(f"{app}.commands.execute('notebook:run-all-cells')")
    # Every code cell has an execution count once run-all is done ("[*]" while queued or running); an error
    # stops the run (the cells after it lose their "[*]" and never run), so it ends the wait too.
    page.wait_for_function(
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent);
                   if (p.some(t => t.includes('*'))) return false;
                   const failed = window.jupyterapp.shell.currentWidget.content.widgets.some(c =>
                       c.model.type === 'code' && Array.from({length: c.model.outputs.length},
                                                            (_, i) => c.model.outputs.get(i).type).includes('error'));
                   return failed || (p.length > 0 && p.every(t => /\\[\\d+\\]/.test(t))); }""",
        timeout=timeout_ms,
    )
    seconds = time.monotonic() - started
    page.evaluate(f"{app}.commands.execute('docmanager:save')")
    page.wait_for_timeout(1000)
    errors = [
        o
        for c in nbformat.read(notebook, 4).cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{notebook.name} raised in JupyterLab: {errors[0]['ename']}: {errors[0]['evalue']}"
    return seconds
