"""Default class colours: the PASCAL VOC colour map, which works for any number of classes up to 256."""

from __future__ import annotations

from .classes import Classes


def voc_color_map(num_colors: int = 256) -> list[tuple[int, int, int]]:
    """The PASCAL VOC devkit's ``labelcolormap``: spreads the bits of each id over R, G and B.

    Args:
        num_colors: how many colours, 1 to 256.

    Returns:
        ``num_colors`` RGB triples (0-255); id 0 is black, id 1 dark red, id 15 (VOC "person") pink...
    """
    colors = []
    for index in range(num_colors):
        r = g = b = 0
        code = index
        for bit in range(8):  # the 3 low bits of the id go to the high bits of R, G, B, and so on
            r |= ((code >> 0) & 1) << (7 - bit)
            g |= ((code >> 1) & 1) << (7 - bit)
            b |= ((code >> 2) & 1) << (7 - bit)
            code >>= 3
        colors.append((r, g, b))
    return colors


def default_classes(num_classes: int, ignore_index: int = 255) -> Classes:
    """Classes named ``class_0 .. class_{n-1}`` with VOC colours, for folders without a ``classes.json``."""
    return Classes(
        names=tuple(f"class_{i}" for i in range(num_classes)),
        colors=tuple(voc_color_map(num_classes)),
        ignore_index=ignore_index,
    )
