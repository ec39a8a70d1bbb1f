"""Fixtures of the browser tests; the helpers live in ``browser_helpers.py`` (importable: this folder is on the path)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test folders are not packages; the helper's name is distinctive

from browser_helpers import ARTIFACTS, jupyterlab_server, record_figure_fonts_in_kernels  # noqa: E402

# Before any kernel starts (collection precedes every test): the figures of the notebooks executed in this
# session, by papermill for the shared executed copies or in JupyterLab, record their smallest font.
record_figure_fonts_in_kernels(ARTIFACTS / "ipython")


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server rooted at ``tmp_path``: ``(base URL, token)``."""
    with jupyterlab_server(tmp_path) as server:
        yield server
