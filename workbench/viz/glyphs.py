"""Text drawn as glyph outlines: cached per character, set side by side, one ``PathCollection`` per panel.

Agg draws a ``Text`` artist at about 0.3 ms each and a title at about 3 ms; a grid of numbers redrawn on every
slider move is cheaper as outlines built once per character and drawn in one call.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Bbox

LABEL_POINTS = 10.0  # glyph size the label paths are built at; scaled to the cells on each update
TITLE_POINTS = 11.0  # 11 px tall at 72 dpi, about 15 px at the widgets' 96: readable at 100% zoom
FONT = FontProperties(family="DejaVu Sans", size=10)


class GlyphTitle(PathCollection):
    """A title drawn as glyph outlines that reports where it is drawn, so that ``bbox_inches="tight"``
    (Jupyter's inline figures) keeps it: a collection whose offsets are not data coordinates has no extent."""

    def get_window_extent(self, renderer=None) -> Bbox:
        if not len(self.get_paths()) or not len(self.get_offsets()):
            return Bbox.null()
        x, y = self.get_offset_transform().transform(self.get_offsets()[0])
        return Bbox.union([path.get_extents(self.get_transform()) for path in self.get_paths()]).translated(x, y)


@functools.lru_cache(maxsize=4096)
def glyphs(text: str, size: float = LABEL_POINTS, anchor: str = "center") -> Path:
    """The outline of ``text`` in points, centred on (0, 0) or (``anchor="bottom"``) standing on it.

    Built from cached single-character outlines set side by side (no kerning), which is several times
    faster than laying out each new string: every slider move brings new numbers and titles.
    """
    vertices, codes, x = [], [], 0.0
    for char in text:
        char_vertices, char_codes, advance = _char_outline(char, size)
        vertices.append(char_vertices + (x, 0.0))
        codes.append(char_codes)
        x += advance
    vertices, codes = np.concatenate(vertices), np.concatenate(codes)
    if not len(vertices):
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    # the control points' box: close enough to centre by, and far cheaper than the exact Bezier extents
    (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
    dy = -(y0 + y1) / 2 if anchor == "center" else -y0
    return Path(vertices + (-(x0 + x1) / 2, dy), codes)


@functools.cache
def _char_outline(char: str, size: float) -> tuple[np.ndarray, np.ndarray, float]:
    """One character's outline (vertices, codes) at ``size`` points and its advance width in points."""
    width = text_to_path.get_text_width_height_descent(char, FONT, ismath=False)[0]
    if char.isspace():  # TextPath cannot build an empty outline
        return np.zeros((0, 2)), np.zeros(0, np.uint8), width * size / FONT.get_size_in_points()
    path = TextPath((0, 0), char, size=size, prop=FONT)
    codes = path.codes if path.codes is not None else np.full(len(path.vertices), Path.LINETO, np.uint8)
    advance = width * size / FONT.get_size_in_points()
    return np.asarray(path.vertices, float).reshape(-1, 2), np.asarray(codes, np.uint8), advance


@functools.lru_cache(maxsize=4096)
def glyph_width(text: str) -> float:
    """The width of ``text``'s outline in points (at ``LABEL_POINTS``)."""
    vertices = glyphs(text).vertices
    return float(vertices[:, 0].max() - vertices[:, 0].min())
