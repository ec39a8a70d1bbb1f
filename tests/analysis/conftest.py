"""Tests that build models run with the network cut off and on one thread (``model_test_guards.py``)."""

import sys
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).parents[1] / "models")
)  # test folders are not packages; the module's name is distinctive

from model_test_guards import no_downloads, one_thread  # noqa: E402, F401  (autouse fixtures)
