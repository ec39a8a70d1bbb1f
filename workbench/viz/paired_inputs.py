"""What a mask comparison is handed, as plain lists: a dataset of ``(image, mask)`` pairs, or images and targets apart.

``MaskComparer`` takes either form (a notebook has a dataset, a folder of predictions comes with its own
targets); both become two indexable sequences here, each dataset item loaded once.
"""

from __future__ import annotations

from workbench.data.classes import Classes


def split_pairs(images, targets):
    """``(images, targets)`` as two indexable sequences, from a dataset of pairs or separate inputs."""
    if targets is None:
        pairs = [images[i] for i in range(len(images))]
        if not pairs or not isinstance(pairs[0], (tuple, list)):
            raise ValueError("MaskComparer: targets=None needs a dataset of (image, mask) pairs; pass targets.")
        return [p[0] for p in pairs], [p[1] for p in pairs]
    items = [images[i] for i in range(len(images))]  # a dataset loads each item once, here
    return [item[0] if isinstance(item, (tuple, list)) else item for item in items], targets


def classes_of(images) -> Classes:
    """The ``Classes`` that ``images`` (a dataset) carries; an error asking for ``classes=`` otherwise."""
    classes = getattr(images, "classes", None)
    if not isinstance(classes, Classes):
        raise ValueError("MaskComparer: pass classes= (the dataset's .classes); the images carry none.")
    return classes
