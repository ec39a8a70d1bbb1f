"""Shared fixtures: the CamVid copy beside the repository, each notebook's executed copy (one execution per
session, ``executed_notebook``), and skipping GPU tests without CUDA."""

import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
CAMVID = REPO.parent / "shared" / "datasets" / "camvid"

sys.path.insert(0, str(REPO / "tests" / "notebooks"))  # test folders are not packages; the names are distinctive
pytest_plugins = ["executed_notebooks"]  # the session fixture executed_notebook(name) -> Path


@pytest.fixture(scope="session")
def camvid_root() -> Path:
    """The CamVid folder in ../shared/datasets; tests using it skip when it is absent."""
    if not (CAMVID / "classes.json").is_file():
        pytest.skip(f"CamVid not found at {CAMVID} (it lives in ../shared beside the repository)")
    return CAMVID


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs CUDA; no GPU on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)
