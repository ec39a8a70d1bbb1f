"""Segmentation workbench: train, score, inspect and explain FCN, U-Net, DeepLab and PSPNet.

``import workbench as wb`` then ``wb.data``, ``wb.models``, ``wb.analysis``, ``wb.engine``, ``wb.metrics``,
``wb.ops``, ``wb.style``, ``wb.viz``, ``wb.widgets``, ``wb.report``, ``wb.records``. Subpackages are imported on first
use, so the command line starts quickly and a notebook pays only for what it touches.
"""

import importlib

__version__ = "0.1.0"
__all__ = ["analysis", "data", "engine", "metrics", "models", "ops", "records", "report", "style", "viz", "widgets"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'workbench' has no attribute {name!r}; subpackages: {', '.join(__all__)}")


def __dir__():
    return sorted(list(globals()) + __all__)
