"""What four vision tasks ask a network to output for one image, read from a synthetic scene's ground truth.

For the same picture (d2l.ai's "Semantic Segmentation and the Dataset" contrasts them the same way):

- **image classification**: one label for the whole image (here the class with the most visible pixels;
  the classes present are the multi-label version);
- **object detection**: a class and a bounding box per object;
- **semantic segmentation**: a class per pixel; two touching objects of one class are one region;
- **instance segmentation**: an object per pixel; each object is its own region, whatever its class.

A synthetic scene knows its objects (``Scene.instances``), so all four come from one drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scenes import Scene


@dataclass(frozen=True)
class Box:
    """One detection target: a class and the box around the pixels the object shows, ``[top, bottom)``."""

    class_id: int
    top: int
    left: int
    bottom: int  # exclusive
    right: int  # exclusive


@dataclass(frozen=True)
class TaskTargets:
    """The four tasks' outputs for one image.

    Attributes:
        label: image classification: the class id with the most visible object pixels.
        present: the class ids of the visible objects, ascending (multi-label classification).
        boxes: object detection: one :class:`Box` per visible object, in drawing order.
        semantic: ``(H, W)`` class ids (255 = void): semantic segmentation.
        instances: ``(H, W)`` int32 object numbers ``0..len(boxes) - 1`` matching ``boxes``, -1 on the
            background and void: instance segmentation.
    """

    label: int
    present: tuple[int, ...]
    boxes: tuple[Box, ...]
    semantic: np.ndarray
    instances: np.ndarray


def task_targets(scene: Scene) -> TaskTargets:
    """The classification label, boxes, semantic and instance masks of one scene (objects hidden entirely by
    later ones are left out: no task can see them)."""
    shown = [index for index, obj in enumerate(scene.objects) if obj.visible > 0]
    if not shown:
        raise ValueError("task_targets: the scene shows no object; draw another scene (another index or seed).")
    renumber = np.full(len(scene.objects) + 1, -1, dtype=np.int32)  # the last slot maps the backdrop's -1
    renumber[shown] = np.arange(len(shown), dtype=np.int32)
    instances = renumber[scene.instances]
    classes = np.array([scene.objects[index].class_id for index in shown])
    pixels = np.bincount(classes, weights=[scene.objects[index].visible for index in shown])
    return TaskTargets(
        label=int(pixels.argmax()),
        present=tuple(sorted(set(classes.tolist()))),
        boxes=tuple(_box(instances == number, int(c)) for number, c in enumerate(classes)),
        semantic=scene.mask.copy(),
        instances=instances,
    )


def _box(pixels: np.ndarray, class_id: int) -> Box:
    rows, cols = np.nonzero(pixels.any(axis=1))[0], np.nonzero(pixels.any(axis=0))[0]
    return Box(class_id, int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
