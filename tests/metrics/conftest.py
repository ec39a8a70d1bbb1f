"""Load the plain reference implementation under a distinctive module name, ``metrics_reference``.

Other test folders may hold their own ``reference.py``; a path-based load keeps them apart.
"""
import importlib.util
import sys
from pathlib import Path

if "metrics_reference" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("metrics_reference", Path(__file__).with_name("reference.py"))
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["metrics_reference"] = _module
    _spec.loader.exec_module(_module)
