"""Load the plain reference implementation under a distinctive module name, ``metrics_reference``.

Other test folders may hold their own ``reference.py``; a path-based load keeps them apart.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

if "metrics_reference" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("metrics_reference", Path(__file__).with_name("reference.py"))
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["metrics_reference"] = _module
    _spec.loader.exec_module(_module)


@pytest.fixture
def camvid_root(request) -> Path:
    """``WORKBENCH_CAMVID`` when set (a worktree whose ../shared lacks the copy), else the suite's fixture."""
    override = os.environ.get("WORKBENCH_CAMVID")
    if override and (Path(override) / "classes.json").is_file():
        return Path(override)
    return request.getfixturevalue("camvid_root")
