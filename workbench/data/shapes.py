"""Signed distance functions of the synthetic shape classes, evaluated on whole coordinate grids.

Each function takes the pixel offsets ``dy, dx`` (arrays ``(H, W)``) from the shape's centre, its size in
pixels (its overall extent) and the scene's random generator (for rotation and proportions), and returns
the signed distance in pixels to the shape's outline, ``(H, W)``: negative inside, positive outside. One
distance field gives the label (``< 0``), an antialiased image edge (``0.5 - d``) and a void outline band
(``0 <= d < w``) at no extra cost. Box and disc distances follow Inigo Quilez's 2D distance functions.
"""

from __future__ import annotations

import numpy as np

TAU = 2.0 * np.pi


def _rotate(dy: np.ndarray, dx: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Offsets in the shape's own frame (``u`` along its first axis, ``v`` across)."""
    cos, sin = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    return cos * dx + sin * dy, cos * dy - sin * dx


def _box(u: np.ndarray, v: np.ndarray, half_u: float, half_v: float) -> np.ndarray:
    """Exact distance to an axis-aligned rectangle of half sizes ``half_u`` x ``half_v``."""
    qu, qv = np.abs(u) - half_u, np.abs(v) - half_v
    outside = np.hypot(np.maximum(qu, 0), np.maximum(qv, 0))
    return outside + np.minimum(np.maximum(qu, qv), 0)


def disc(dy, dx, size, rng):
    """A filled circle of diameter ``size``."""
    return np.hypot(dy, dx) - size / 2


def square(dy, dx, size, rng):
    """A square of side ``0.8 size``, rotated at random."""
    u, v = _rotate(dy, dx, rng.uniform(0, TAU / 4))
    return _box(u, v, 0.4 * size, 0.4 * size)


def triangle(dy, dx, size, rng):
    """An equilateral triangle of circumradius ``0.6 size``, rotated at random.

    Intersection of three half-planes; exact inside and along the edges, which is all the drawing needs.
    """
    angle = rng.uniform(0, TAU)
    inradius = 0.3 * size  # half the circumradius for an equilateral triangle
    sides = [np.cos(angle + k * TAU / 3) * dx + np.sin(angle + k * TAU / 3) * dy for k in range(3)]
    return np.maximum(np.maximum(sides[0], sides[1]), sides[2]) - np.float32(inradius)


def ring(dy, dx, size, rng):
    """An annulus of outer diameter ``size`` and a thickness of 25-40% of its radius (a hole to see through)."""
    radius = size / 2
    thickness = rng.uniform(0.25, 0.40) * radius
    return np.abs(np.hypot(dy, dx) - (radius - thickness / 2)) - thickness / 2


def cross(dy, dx, size, rng):
    """A plus sign of span ``size`` with arms 22-32% of the span wide, rotated at random."""
    u, v = _rotate(dy, dx, rng.uniform(0, TAU / 4))
    arm = rng.uniform(0.22, 0.32) * size / 2
    return np.minimum(_box(u, v, size / 2, arm), _box(u, v, arm, size / 2))


def bar(dy, dx, size, rng):
    """A thin straight bar, 1.2-2 ``size`` long and 6-12% of ``size`` (at least 2 px) wide, any angle."""
    u, v = _rotate(dy, dx, rng.uniform(0, TAU / 2))
    length = rng.uniform(1.2, 2.0) * size
    width = max(2.0, rng.uniform(0.06, 0.12) * size)
    return _box(u, v, length / 2, width / 2)


# Class id i + 1 is SHAPES[i]; id 0 is the background.
SHAPES = (disc, square, triangle, ring, cross, bar)
SHAPE_NAMES = tuple(fn.__name__ for fn in SHAPES)
