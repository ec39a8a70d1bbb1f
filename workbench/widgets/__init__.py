"""ipywidgets inspectors: thin wiring over ops/, metrics/ and viz/, each exposing its state as data.

Every module of the package is imported here and the names in its ``__all__`` exported, so a new widget is
one new module with an ``__all__``, and no edit here.
"""

from workbench.lazy_exports import export_submodules

__all__ = export_submodules(__name__)
