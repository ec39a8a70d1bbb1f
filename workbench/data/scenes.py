"""Procedurally drawn scenes, as numpy arrays: the samples of ``SyntheticShapes``, drawn without torch.

Each scene is a textured, noisy backdrop (class 0) with 4-8 shapes (more on elongated images) of six
classes: disc, square, triangle, ring, cross and a thin bar. Every colour, the backdrop's included, is
drawn from one distribution, so a class can only be told by its shape: per-pixel colour says nothing.
Shapes occlude one another, bars are a few pixels wide, rings show the backdrop through their hole,
stripes in the backdrop mimic bars, and some objects carry a thin void outline (255) as in PASCAL VOC.
Sample ``i`` is a pure function of ``(seed, i)``, so any index can be drawn alone, in any order, in any
worker process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import limits
from .classes import IGNORE_INDEX, Classes
from .errors import DatasetError
from .shapes import SHAPE_NAMES, SHAPES
from .textures import background, segment_distance, shaded_fill

SYNTHETIC_CLASSES = Classes(
    names=("background",) + SHAPE_NAMES,
    colors=((64, 64, 64), (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (70, 240, 240)),
)
SIZE_RANGE = (0.15, 0.40)  # object extent as a fraction of the image's shorter side
VOID_OUTLINE_P = 0.4  # share of objects drawn with a void outline
MIN_CONTRAST = 0.3  # RGB distance (in [0, 1] units) between an object and the backdrop's colours


@dataclass(frozen=True)
class ShapeInstance:
    """One drawn object: its class, placement and how much of it is left visible."""

    class_id: int
    center: tuple[float, float]  # (y, x) in pixels
    size: float  # extent in pixels
    area: int  # pixels inside the shape within the image
    visible: int  # of those, pixels still labelled with this object once all later objects are drawn
    void_outline: bool


@dataclass(frozen=True)
class Scene:
    """A synthetic sample before any transform: ``image`` float32 ``(H, W, 3)`` in ``[0, 1]``, ``mask``
    uint8 ``(H, W)`` (class ids, 255 = void), the objects in drawing order (later ones on top) and
    ``instances`` int32 ``(H, W)``: the index in ``objects`` of the object each pixel shows, -1 on the
    backdrop and on void (the instance segmentation that ``mask`` cannot tell)."""

    image: np.ndarray
    mask: np.ndarray
    objects: tuple[ShapeInstance, ...]
    instances: np.ndarray


def _random_color(rng: np.random.Generator, avoid: Sequence[np.ndarray], backdrop: np.ndarray) -> np.ndarray:
    """A uniform RGB colour, re-drawn (up to 30 times) until it stands out from the backdrop and earlier objects."""
    best, best_margin = None, -np.inf
    for _ in range(30):
        color = rng.uniform(0.05, 0.95, 3).astype(np.float32)
        margin = min(
            [segment_distance(color, backdrop[0], backdrop[1]) - MIN_CONTRAST]
            + [float(np.linalg.norm(color - c)) - 0.2 for c in avoid]
        )
        if margin >= 0:
            return color
        if margin > best_margin:
            best, best_margin = color, margin
    return best


def _outline_width(side: int) -> float:
    return max(1.0, 0.01 * side)  # VOC's void band is a few pixels on ~500 px images


def _window(center: tuple[float, float], reach: float, height: int, width: int) -> tuple[slice, slice]:
    """The part of the image within ``reach`` pixels of ``center``: an object's distance field is only
    computed there (a 5-10x saving at the usual object sizes)."""
    (cy, cx), reach = center, int(np.ceil(reach))
    return (
        slice(max(0, int(cy) - reach), min(height, int(cy) + reach + 2)),
        slice(max(0, int(cx) - reach), min(width, int(cx) + reach + 2)),
    )


def _label(rng, mask, owner, distance, class_id: int, index: int, side: int) -> bool:
    """Write the object's label (and, for some objects, a void outline) over earlier ones; say if outlined."""
    inside = distance < 0
    mask[inside], owner[inside] = class_id, index
    outline = bool(rng.random() < VOID_OUTLINE_P)
    if outline:
        band = (distance >= 0) & (distance < _outline_width(side))
        mask[band], owner[band] = IGNORE_INDEX, -1
    return outline


def draw_scene(rng: np.random.Generator, height: int, width: int) -> Scene:
    """Draw one scene with the generator ``rng`` (every random choice comes from it, in a fixed order)."""
    side = min(height, width)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    backdrop = rng.uniform(0.05, 0.95, (2, 3)).astype(np.float32)
    image = background(rng, ys, xs, backdrop)
    mask = np.zeros((height, width), np.uint8)
    owner = np.full((height, width), -1, np.int32)  # which object each pixel's label came from
    count = min(24, round(rng.integers(4, 9) * max(height, width) / side))  # same density on long images
    drawn, colors = [], []
    for index in range(count):
        class_id, size = int(rng.integers(1, len(SHAPES) + 1)), rng.uniform(*SIZE_RANGE) * side
        cy, cx = rng.uniform(0.1, 0.9) * height, rng.uniform(0.1, 0.9) * width
        # every shape lies within 1.01 size of its centre (the longest bar); beyond, all its fields are 0
        win = _window((cy, cx), 1.05 * size + _outline_width(side) + 2, height, width)
        dy, dx = ys[win] - np.float32(cy), xs[win] - np.float32(cx)
        distance = SHAPES[class_id - 1](dy, dx, size, rng)
        colors.append(_random_color(rng, colors, backdrop))
        alpha = np.clip(0.5 - distance, 0, 1)[..., None]  # one-pixel antialiased edge
        image[win] = image[win] * (1 - alpha) + shaded_fill(rng, dy, dx, size, colors[-1]) * alpha
        outline = _label(rng, mask[win], owner[win], distance, class_id, index, side)
        drawn.append((class_id, (cy, cx), size, int((distance < 0).sum()), outline))
    image = image + rng.normal(0, rng.uniform(0.02, 0.07), image.shape).astype(np.float32)
    visible = np.bincount(owner[owner >= 0], minlength=count)
    objects = tuple(ShapeInstance(c, p, s, a, int(v), o) for (c, p, s, a, o), v in zip(drawn, visible))
    return Scene(np.clip(image, 0, 1).astype(np.float32), mask, objects, owner)


def _check_size(image_size: int | Sequence[int]) -> tuple[int, int]:
    height, width = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    if int(height) < 8 or int(width) < 8:
        raise DatasetError(
            f"SyntheticShapes: image_size {image_size!r} is too small; use at least (8, 8), e.g. (128, 128)."
        )
    if int(height) * int(width) > limits.MAX_IMAGE_PIXELS:
        raise DatasetError(
            f"SyntheticShapes: image_size {image_size!r} is {limits.megapixels(int(height), int(width))}, above "
            f"workbench.data.limits.MAX_IMAGE_PIXELS ({limits.MAX_IMAGE_PIXELS / 1e6:.1f}); choose a smaller size."
        )
    return int(height), int(width)


class ShapeScenes:
    """The scenes of ``SyntheticShapes`` as numpy arrays, with no transform and no torch.

    Args:
        num_images: how many scenes.
        image_size: ``(H, W)`` or an int for square images; any size from 8 px.
        seed: non-negative int; scene ``i`` depends only on ``(seed, i)``.
    """

    def __init__(self, num_images: int = 256, image_size: int | Sequence[int] = (128, 128), seed: int = 0):
        if num_images < 0 or seed < 0:
            raise DatasetError(f"SyntheticShapes: num_images ({num_images}) and seed ({seed}) must be >= 0.")
        self.num_images, self.image_size, self.seed = int(num_images), _check_size(image_size), int(seed)
        self.classes = SYNTHETIC_CLASSES

    def __len__(self) -> int:
        return self.num_images

    def scene(self, index: int) -> Scene:
        """Sample ``index`` as drawn, with its objects (before transform and normalisation)."""
        if not -self.num_images <= index < self.num_images:
            raise IndexError(f"SyntheticShapes: index {index} out of range for {self.num_images} images")
        rng = np.random.default_rng((self.seed, index % self.num_images))
        return draw_scene(rng, *self.image_size)

    def read_sample(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample ``index`` before any transform: float32 ``(H, W, 3)`` in ``[0, 1]`` and uint8 ``(H, W)``."""
        scene = self.scene(index)
        return scene.image, scene.mask

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """``read_sample``: a numpy reader is a sequence of ``(image, target)`` (the torch dataset built on it
        gives tensors instead)."""
        return self.read_sample(index)

    def __repr__(self) -> str:
        height, width = self.image_size
        return f"{type(self).__name__}(num_images={self.num_images}, image_size=({height}, {width}), seed={self.seed})"
