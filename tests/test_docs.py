"""The documentation site builds with `mkdocs build --strict`, from the session's executed notebooks.

Strict mode fails on a broken link or anchor, a page left out of the navigation, a docstring griffe cannot read
and an API object that does not exist; the API pages are generated from the package tree (docs/gen_pages.py), and
this test checks that every module got its page. The names the pages quote (`wb.metrics.evaluate`,
`workbench/metrics/catalog.py`, `bench/camvid.py`) are checked to exist, so a rename elsewhere fails here.
"""

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from small_parameters import NAMES  # tests/conftest.py puts tests/notebooks on sys.path

from workbench.models import list_models

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
QUOTED_NAME = re.compile(
    r"(?<![\w./-])(?:wb|workbench)\.((?:\w+\.)*\w+)"
)  # wb.data.create_splits -> data.create_splits
QUOTED_PATH = re.compile(r"`((?:workbench|tests|bench|notebooks|data)/[\w./<>-]+)`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")  # [text](target#anchor): the target
QUIET = {"DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}  # the plugins' notices about MkDocs 2


def module_pages(site: Path) -> list[Path]:
    """The built API page of every public module under workbench/ (packages at their folder's index)."""
    pages = []
    for path in sorted((REPO / "workbench").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if not any(part.startswith("_") for part in parts):
            pages.append(site.joinpath("api", *parts, "index.html"))
    return pages


@pytest.mark.slow
def test_site_builds_strict_with_executed_notebooks_and_every_api_page(executed_notebook, tmp_path):
    mkdocs = pytest.importorskip("mkdocs", reason="mkdocs is a dev extra: pip install -e '.[dev]'")
    executed = tmp_path / "executed"
    executed.mkdir()
    for name in NAMES:
        shutil.copy(executed_notebook(name), executed / f"{name}.ipynb")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", mkdocs.__name__, "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        env={**os.environ, **QUIET, "WORKBENCH_EXECUTED_NOTEBOOKS": str(executed)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-6000:]
    missing = [str(page.relative_to(site)) for page in module_pages(site) if not page.is_file()]
    assert not missing, f"modules without an API page: {missing}"
    models = (site / "models" / "index.html").read_text(encoding="utf-8")  # the table made from the registry
    assert all(f"<code>{name}</code>" in models for name in list_models()), "a registered model lacks its row"
    for name in NAMES:  # each notebook's page shows the executed copy's outputs: at least one figure
        page = (site / "course" / name / "index.html").read_text(encoding="utf-8")
        assert "data:image/png;base64," in page, f"course/{name}: no figure on the page"


def resolves(dotted: str) -> bool:
    """Whether `workbench.<dotted>` names an attribute or a module (submodules are imported on demand)."""
    owner, path = importlib.import_module("workbench"), "workbench"
    for part in dotted.split("."):
        path = f"{path}.{part}"
        if hasattr(owner, part):
            owner = getattr(owner, part)
        elif isinstance(owner, ModuleType) and importlib.util.find_spec(path) is not None:
            owner = importlib.import_module(path)
        else:
            return False
    return True


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_names_and_paths_the_page_quotes_exist(page):
    text = page.read_text(encoding="utf-8")
    unknown = [f"workbench.{dotted}" for dotted in sorted(set(QUOTED_NAME.findall(text))) if not resolves(dotted)]
    assert not unknown, f"{page.name} quotes names the package does not have: {unknown}"
    paths = [path for path in set(QUOTED_PATH.findall(text)) if "<" not in path]
    absent = sorted(path for path in paths if not (REPO / path.rstrip("/")).exists())
    assert not absent, f"{page.name} quotes paths that do not exist: {absent}"


def test_readme_links_lead_to_files():
    """mkdocs checks the links of the site's pages; the README is not one of them, so its links are checked here."""
    targets = [
        target for target in LINK.findall((REPO / "README.md").read_text(encoding="utf-8")) if "://" not in target
    ]
    assert targets, "the README links into the docs"
    absent = sorted(target for target in targets if not (REPO / target).is_file())
    assert not absent, f"README.md links to files that do not exist: {absent}"
