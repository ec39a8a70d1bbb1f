"""The registry of folder layouts: each layout's finder and the sub-folders that identify it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.registry import Registry

from ..pair_reader import PairedFiles

FindFiles = Callable[..., PairedFiles]  # (root, split, **kw) -> the split's pairs


@dataclass(frozen=True)
class Layout:
    """A folder layout: the sub-folders that identify it (none: the default, ``images/`` + ``masks/``) and the
    torch-free finder of a split's image/mask pairs."""

    name: str
    markers: tuple[str, ...]
    find_files: FindFiles


LAYOUTS: Registry[Layout] = Registry("dataset layout")


def register_layout(name: str, *, markers: tuple[str, ...] = ()) -> Callable[[FindFiles], FindFiles]:
    """Decorator on a finder ``fn(root, split, **kw) -> PairedFiles``: a folder holding every sub-folder of
    ``markers`` has this layout. One layout, the default, has no markers.

    Raises:
        ValueError: a name already taken, or a second layout without markers.
    """

    def add(find: FindFiles) -> FindFiles:
        default = [n for n in LAYOUTS.names() if not LAYOUTS.get(n).markers]
        if not markers and default:
            raise ValueError(
                f"layout {name!r} has no marker sub-folders, but {default[0]!r} is already the default layout; "
                "name the sub-folders that identify it."
            )
        LAYOUTS.add(name, Layout(name, tuple(markers), find))
        return find

    return add
