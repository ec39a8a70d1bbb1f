"""A griffe extension for the API pages: Sphinx cross-reference roles in docstrings shown as plain code.

The docstrings name other objects the Sphinx way (:func:`by_stem`, :class:`~workbench.style.texture.TextureFeatures`);
Markdown has no such roles, so the pages would show the role's name before the code. This keeps the code and drops
the role (and the ``~`` that Sphinx uses to shorten a dotted name to its last part, which it does here too).
"""

import re

import griffe

ROLE = re.compile(r":(?:func|class|meth|attr|mod|data|exc|obj):`(~?)([\w.]+)(\(\))?`")


def plain(match: re.Match) -> str:
    """``:func:`~a.b.c``` -> ```c```; ``:class:`a.b``` -> ```a.b```."""
    name = match[2].rsplit(".", 1)[-1] if match[1] else match[2]
    return f"`{name}{match[3] or ''}`"


class SphinxRolesAsCode(griffe.Extension):
    """Rewrites the roles of every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(plain, obj.docstring.value)
