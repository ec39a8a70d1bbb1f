"""Package namespaces: names that import their submodule on first use (PEP 562), or every module imported.

``from workbench.metrics import Scores`` then imports ``metrics/scores.py`` alone, not the torch-based
evaluator beside it, so the command line and the report pay only for what they use (STYLE 18). A package
lists its names once, by submodule, and calls ``export_lazily(__name__, {...})`` from its ``__init__``.

A package of plug-ins (models, dataset layouts, widgets) instead imports every module it holds
(``import_submodules``, ``export_submodules``): a new module registers or exports itself, with no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import types


class LazyPackage(types.ModuleType):
    """A package whose exported names resolve, and are then cached, on first attribute access."""

    _sources: dict[str, str]  # exported name -> the module defining it (relative to the package, or absolute)

    def __getattr__(self, name: str):
        if name not in self._sources:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(self._sources[name], self.__name__), name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value) -> None:
        # Importing a submodule sets it as an attribute of its package; where the package exports a name equal
        # to a submodule's (``engine.fit`` the function, ``engine/fit.py`` the module), the export keeps the name,
        # as it did when the package imported everything up front.
        if name in self._sources and getattr(value, "__name__", None) == f"{self.__name__}.{name}":
            return
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self._sources))


def export_lazily(package: str, exports: dict[str, list[str]]) -> list[str]:
    """Make ``package`` (its ``__name__``) a ``LazyPackage`` exporting ``exports``; return its ``__all__``.

    Args:
        package: the package's ``__name__``; its module must be in ``sys.modules`` (call from its ``__init__``).
        exports: submodule (``".scores"``, or an absolute name) -> the public names it defines.
    """
    module = sys.modules[package]
    sources = {name: where for where, names in exports.items() for name in names}
    module.__dict__["_sources"] = sources
    module.__class__ = LazyPackage
    return sorted(sources)


def import_submodules(package: str) -> list[types.ModuleType]:
    """Import every module of ``package`` (its ``__name__``), in name order, so that each runs its registrations
    (``@register_model``, ``@register_layout``); return them."""
    path = sys.modules[package].__path__
    return [importlib.import_module(f"{package}.{info.name}") for info in pkgutil.iter_modules(path)]


def export_submodules(package: str) -> list[str]:
    """Import every module of ``package`` and set the names of each module's ``__all__`` on the package; return
    the package's ``__all__``, sorted.

    Raises:
        ValueError: two modules export one name (the message names both).
    """
    namespace, where = sys.modules[package].__dict__, {}
    for module in import_submodules(package):
        for name in getattr(module, "__all__", ()):
            if name in where:
                raise ValueError(f"{package}: {name!r} is exported by both {where[name]} and {module.__name__}.")
            where[name] = module.__name__
            namespace[name] = getattr(module, name)
    return sorted(where)
