"""Turn what the rest of the workbench hands around (tensors, arrays, ``Classes``) into plain numpy for drawing.

Datasets give images as normalised float tensors ``(3, H, W)`` and masks as int64 tensors ``(H, W)``;
models give logits or argmax maps on any device. Every viz function first passes its inputs through the
helpers here, so each accepts torch tensors and numpy arrays alike, without importing torch: the report
draws numpy arrays alone (STYLE 18).
"""

from __future__ import annotations

import sys

import numpy as np

from workbench.data.classes import Classes
from workbench.data.normalize import denormalize_array


def is_tensor(array) -> bool:
    """Whether ``array`` is a torch tensor; torch is not imported for it (a tensor exists only once it is)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(array, torch.Tensor)


def to_numpy(array) -> np.ndarray:
    """A numpy view of a tensor (detached, on the CPU) or of anything ``np.asarray`` takes."""
    if is_tensor(array):
        return array.detach().cpu().numpy()
    return np.asarray(array)


def as_mask(mask, *, name: str = "mask") -> np.ndarray:
    """A class-id map as an int64 numpy array, ``(H, W)`` or batched ``(N, H, W)``.

    Raises:
        ValueError: for a float map (logits or probabilities are not class ids) or fewer than 2 dimensions.
    """
    array = to_numpy(mask)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{name}: expected integer class ids, got dtype {array.dtype}; "
            "pass logits.argmax(1) rather than logits or probabilities."
        )
    if array.ndim < 2:
        raise ValueError(f"{name}: expected a (H, W) map, got shape {array.shape}.")
    return array.astype(np.int64, copy=False)


def as_palette(palette) -> np.ndarray:
    """Class colours as a uint8 ``(C, 3)`` array, from a ``Classes``, an array or a list of RGB triples."""
    if isinstance(palette, Classes):
        return palette.palette()
    array = to_numpy(palette)
    if array.ndim != 2 or array.shape[1] != 3 or len(array) == 0:
        raise ValueError(
            f"palette: expected one (r, g, b) row per class, shape (C, 3), got shape {array.shape}; "
            "pass classes.palette() or the Classes itself."
        )
    if np.issubdtype(array.dtype, np.floating) and array.max(initial=0) <= 1.0:
        array = array * 255.0  # matplotlib-style colours in [0, 1]
    return np.clip(np.rint(array), 0, 255).astype(np.uint8)


def class_names_of(class_names) -> list[str]:
    """Class names as a list of str, from a sequence of names or a ``Classes``."""
    return [str(name) for name in getattr(class_names, "names", class_names)]


def as_rgb_image(image) -> np.ndarray:
    """A displayable uint8 ``(H, W, 3)`` image from any image form the workbench uses.

    Accepted: a normalised float tensor or array ``(3, H, W)`` as datasets return (undone with
    ``workbench.data.denormalize``), uint8 ``(H, W, 3)`` or ``(3, H, W)``, float ``(H, W, 3)`` in [0, 1],
    and grey ``(H, W)``. A torch tensor with 3 rows is read as channels-first, a numpy array whose last
    axis is 3 as channels-last.

    Raises:
        ValueError: for any other shape, naming it.
    """
    array = to_numpy(image)
    if array.ndim == 2:
        return as_rgb_image(np.repeat(array[..., None], 3, axis=-1))  # grey: channels-last from here
    if array.ndim != 3 or 3 not in (array.shape[0], array.shape[-1]):
        raise ValueError(f"image: expected (3, H, W) or (H, W, 3), got shape {array.shape}.")
    # Torch images are channels-first and numpy images channels-last; that settles 3 x H x 3 shapes.
    channels_first = array.shape[0] == 3 and (is_tensor(image) or array.shape[-1] != 3)
    if np.issubdtype(array.dtype, np.floating) and channels_first:
        array = denormalize_array(array)  # what datasets return: ImageNet-normalised, so undo that first
    elif channels_first:
        array = array.transpose(1, 2, 0)
    if np.issubdtype(array.dtype, np.floating):
        array = np.rint(np.clip(array, 0.0, 1.0) * np.float32(255.0))
    return np.ascontiguousarray(np.clip(array, 0, 255).astype(np.uint8))
