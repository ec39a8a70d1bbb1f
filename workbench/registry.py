"""Things chosen by name (models, datasets, losses): one registry in the shape of torchvision's
``models/_api.py``: a dict filled by a decorator that refuses duplicates, listed with fnmatch patterns, and a
lookup whose error names the valid choices (as segmentation-models-pytorch's ``create_model`` does).

An entry may also be declared by where it lives (``add_deferred("ce", "workbench.engine.losses:CrossEntropyLoss")``,
the shape of a packaging entry point): its name is listed at once, its module imported on the first ``get``, so a
command line lists the choices without importing torch."""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries of one kind.

    Args:
        kind: what the entries are (``"model"``, ``"dataset"``, ``"loss"``), for error messages.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        """Register ``entry`` under ``name``; a name already taken is a ValueError."""
        if name in self._entries:
            raise ValueError(f"A {self.kind} named {name!r} is already registered; pick another name.")
        self._entries[name] = entry
        return entry

    def add_deferred(self, name: str, target: str) -> None:
        """Register ``name`` for ``target``, ``"module:attribute"``, imported on the first ``get(name)``."""
        self.add(name, _Deferred(target))

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of ``add``: ``@registry.register("name")``."""
        return lambda entry: self.add(name, entry)

    def remove(self, name: str) -> None:
        """Forget ``name`` (for entries registered temporarily, e.g. in tests)."""
        self._entries.pop(name, None)

    def names(self, pattern: str | None = None) -> list[str]:
        """Sorted names, optionally filtered by an fnmatch pattern such as ``"fcn*"``."""
        return sorted(n for n in self._entries if pattern is None or fnmatch.fnmatch(n, pattern))

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def get(self, name: str) -> T:
        """The entry of ``name``; an unknown name is a ValueError listing the valid ones."""
        if name not in self._entries:
            raise ValueError(f"Unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}.")
        entry = self._entries[name]
        if isinstance(entry, _Deferred):
            entry = self._entries[name] = entry.load()
        return entry


class _Deferred:
    """An entry known by its ``"module:attribute"`` until first used."""

    def __init__(self, target: str):
        self.module, sep, self.attribute = target.partition(":")
        if not sep or not self.module or not self.attribute:
            raise ValueError(f"A deferred entry is 'module:attribute', got {target!r}.")

    def load(self):
        return getattr(importlib.import_module(self.module), self.attribute)
