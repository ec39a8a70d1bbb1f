"""Procedural textures for the synthetic scenes: smooth value noise, stripes, shading and pixel noise.

All sizes are fractions of the image side, so a scene looks the same at 37x91 and at 512x512.
"""

from __future__ import annotations

import numpy as np


def smooth_noise(rng: np.random.Generator, height: int, width: int, cells: float) -> np.ndarray:
    """Value noise: random values on a coarse lattice, smoothly interpolated.

    Args:
        cells: lattice cells along the image's shorter side (2 gives large blobs, 8 small ones).

    Returns:
        float32 ``(H, W)`` in ``[0, 1]``.
    """
    step = min(height, width) / cells
    lattice = rng.random((int(height / step) + 2, int(width / step) + 2), dtype=np.float32)
    ys, xs = np.arange(height, dtype=np.float32) / step, np.arange(width, dtype=np.float32) / step
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = ys - y0, xs - x0
    fy, fx = (fy * fy * (3 - 2 * fy))[:, None], (fx * fx * (3 - 2 * fx))[None, :]  # smoothstep: no creases
    top = lattice[y0][:, x0] * (1 - fx) + lattice[y0][:, x0 + 1] * fx
    bottom = lattice[y0 + 1][:, x0] * (1 - fx) + lattice[y0 + 1][:, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def stripes(rng: np.random.Generator, ys: np.ndarray, xs: np.ndarray, side: int) -> np.ndarray:
    """Parallel stripes at a random angle, 4-12 periods per side, soft or hard-edged.

    Hard-edged stripes look like thin bars on purpose: a model must use shape, not just edges.

    Returns:
        float32 ``(H, W)`` in ``[0, 1]``.
    """
    angle, phase = rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi)
    period = side / rng.uniform(4, 12)
    wave = np.sin((xs * np.cos(angle) + ys * np.sin(angle)) * np.float32(2 * np.pi / period) + np.float32(phase))
    sharpness = rng.choice([1.0, rng.uniform(2, 8)])
    return np.clip(0.5 + 0.5 * sharpness * wave, 0, 1).astype(np.float32)


def background(rng: np.random.Generator, ys: np.ndarray, xs: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """A textured backdrop blending two colours with value noise and, often, stripes.

    Args:
        ys: row coordinate grid ``(H, W)``.
        xs: column coordinate grid ``(H, W)``.
        colors: the two RGB colours ``(2, 3)`` in ``[0, 1]`` to blend.

    Returns:
        float32 ``(H, W, 3)``.
    """
    height, width = ys.shape
    blend = smooth_noise(rng, height, width, cells=rng.uniform(1.5, 6))
    if rng.random() < 0.6:
        weight = rng.uniform(0.3, 0.7)
        blend = (1 - weight) * blend + weight * stripes(rng, ys, xs, min(height, width))
    return colors[0] + (colors[1] - colors[0]) * blend[..., None]


def shaded_fill(rng: np.random.Generator, dy: np.ndarray, dx: np.ndarray, size: float, color: np.ndarray) -> np.ndarray:
    """An object's colour with a linear light gradient across it (up to +-15% over its size).

    Returns:
        float32 ``(H, W, 3)``.
    """
    angle, strength = rng.uniform(0, 2 * np.pi), rng.uniform(0, 0.15)
    ramp = (np.cos(angle) * dx + np.sin(angle) * dy) * np.float32(strength / max(size, 1.0))
    return color + ramp[..., None]


def segment_distance(point: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    """Euclidean distance from a colour to the segment of colours between ``start`` and ``end``."""
    direction = end - start
    t = np.clip(np.dot(point - start, direction) / max(np.dot(direction, direction), 1e-12), 0, 1)
    return float(np.linalg.norm(point - (start + t * direction)))
