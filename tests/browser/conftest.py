"""Fixtures of the browser tests; the helpers live in ``browser_helpers.py`` (importable: this folder is on the path)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test folders are not packages; the helper's name is distinctive

from browser_helpers import jupyterlab_server  # noqa: E402


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server rooted at ``tmp_path``: ``(base URL, token)``."""
    with jupyterlab_server(tmp_path) as server:
        yield server
