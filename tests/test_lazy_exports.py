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


def test_a_plugin_package_exports_the_all_of_every_module_it_holds(tmp_path, monkeypatch):
    package = tmp_path / "plugins_under_test"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from workbench.lazy_exports import export_submodules\n__all__ = export_submodules(__name__)\n"
    )
    (package / "one.py").write_text('__all__ = ["Alpha"]\nAlpha = 1\nhelper = 2\n')
    (package / "two.py").write_text('__all__ = ["beta"]\nbeta = 3\n')
    (package / "plain.py").write_text("gamma = 4\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins = importlib.import_module("plugins_under_test")
    assert plugins.__all__ == ["Alpha", "beta"] and (plugins.Alpha, plugins.beta) == (1, 3)
    (package / "three.py").write_text('__all__ = ["beta"]\nbeta = 5\n')
    with pytest.raises(
        ValueError, match="'beta' is exported by both plugins_under_test.three and plugins_under_test.two"
    ):
        importlib.reload(plugins)


def test_every_widget_module_exports_its_public_classes():
    assert {"MaskComparer", "DilatedConvExplorer", "LiveCurves"} <= set(wb.widgets.__all__)
    assert all(getattr(wb.widgets, name) is not None for name in wb.widgets.__all__)
