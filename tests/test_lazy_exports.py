"""Subpackages import their submodules on first use, and every public name still resolves as before."""

import importlib
import types

import pytest

import workbench as wb

LAZY = ("analysis", "data", "engine", "metrics", "records", "report", "viz")


@pytest.mark.parametrize("package", LAZY)
def test_every_exported_name_resolves_and_is_listed(package):
    module = importlib.import_module(f"workbench.{package}")
    assert module.__all__ == sorted(module.__all__) and set(module.__all__) <= set(dir(module))
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        module.no_such_name  # noqa: B018


def test_a_name_shared_with_its_submodule_stays_the_exported_object():
    importlib.import_module("workbench.engine.fit")  # the import system sets the submodule on its package...
    importlib.import_module("workbench.viz.colorize")
    assert not isinstance(wb.engine.fit, types.ModuleType) and callable(wb.engine.fit)  # ...the function keeps the name
    assert wb.viz.colorize is importlib.import_module("workbench.viz.colorize").colorize
    from workbench.metrics import SegmentationEvaluator, evaluate

    assert wb.metrics.evaluate is evaluate and wb.metrics.SegmentationEvaluator is SegmentationEvaluator
