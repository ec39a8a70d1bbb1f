"""Pytest plugin: each notebook executed at most once per pytest session, headless, with its small parameters.

The headless checks (``test_notebooks.py``, ``test_shown_*.py``), the JupyterLab screenshots and the docs build
all look at the same executed copy instead of running the notebook again: a test asks
``executed_notebook("04_train_and_compare")`` and gets the path of the copy, executed on first request. All
kernels work in one session folder (``executed_notebook.root``), as a student's notebooks share one JupyterLab
root, so notebook 05 finds the comparison folder notebook 04 writes there (``runs/notebook04``, both notebooks'
default); asking for 05 first runs 04 first, so the order of the tests does not matter.

Copies go to ``test-artifacts/notebooks/executed/<name>.ipynb`` (emptied when the session first asks), where they
stay after the session to be opened in JupyterLab; a notebook that fails keeps its copy there, with the error in
the failing cell. With ``WORKBENCH_NOTEBOOK_DEFAULTS=1`` (``make screenshots``) each notebook runs with its own
defaults instead, as on a student's laptop (long), into ``test-artifacts/notebooks/executed-defaults/``; notebook
07 then reads notebook 04's run too. Loaded by ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from small_parameters import NAMES, SMALL  # tests/conftest.py puts this folder on sys.path

REPO = Path(__file__).resolve().parents[2]
DEFAULTS = os.environ.get("WORKBENCH_NOTEBOOK_DEFAULTS") == "1"
EXECUTED = REPO / "test-artifacts" / "notebooks" / ("executed-defaults" if DEFAULTS else "executed")
READS_FROM = {"05_inspect_masks": "04_train_and_compare"}  # 05 reads the comparison folder 04 writes
# With small parameters 07 trains its own small comparison (its model list differs from 04's), so its tables and
# report are its own; with the defaults it reads notebook 04's, as a student's does.
OWN_PARAMETERS = {"07_review": {"run_dir": "runs/review"}}
if DEFAULTS:
    READS_FROM["07_review"] = "04_train_and_compare"


class NotebookFailedError(RuntimeError):
    """A notebook raised while executing."""


class ExecutedNotebooks:
    """``executed(name) -> Path``: the executed copy of ``notebooks/<name>.ipynb``, executed on first request.

    ``root`` is the kernels' working folder, where the notebooks' relative run folders (``runs/...``) are.
    """

    def __init__(self, root: Path):
        self.root = root
        self._copies: dict[str, Path] = {}
        self._failures: dict[str, NotebookFailedError] = {}

    def __call__(self, name: str) -> Path:
        if name not in NAMES:
            raise KeyError(f"no notebook {name!r} in tests/notebooks/small_parameters.py NAMES; pick one of {NAMES}")
        if name in self._failures:  # fail every test that asks, without running it again
            raise self._failures[name]
        if name not in self._copies:
            if name in READS_FROM:
                self(READS_FROM[name])
            try:
                self._copies[name] = self._execute(name)
            except NotebookFailedError as error:
                self._failures[name] = error
                raise
        return self._copies[name]

    def _execute(self, name: str) -> Path:
        papermill = pytest.importorskip("papermill", reason="papermill is a dev extra: pip install -e '.[dev]'")
        target = EXECUTED / f"{name}.ipynb"
        try:
            papermill.execute_notebook(
                str(REPO / "notebooks" / f"{name}.ipynb"),
                str(target),
                parameters={} if DEFAULTS else {**SMALL[name], **OWN_PARAMETERS.get(name, {})},
                kernel_name="python3",
                cwd=str(self.root),
                progress_bar=False,
            )
        except papermill.PapermillExecutionError as error:
            which = "default" if DEFAULTS else "small"
            raise NotebookFailedError(
                f"notebooks/{name}.ipynb raised with its {which} parameters (the executed copy, error in its cell, "
                f"is {target}):\n{error}"
            ) from error
        return target


@pytest.fixture(scope="session")
def executed_notebook(tmp_path_factory) -> ExecutedNotebooks:
    """``executed_notebook(name) -> Path`` of the notebook's executed copy: one execution per pytest session."""
    shutil.rmtree(EXECUTED, ignore_errors=True)  # only this session's copies, none left from an earlier one
    EXECUTED.mkdir(parents=True)
    return ExecutedNotebooks(tmp_path_factory.mktemp("notebook_root"))
