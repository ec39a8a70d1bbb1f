"""Small target/prediction pairs with one kind of boundary error each, for comparing boundary scores.

Each case is a ``(target, pred)`` pair of ``(H, W)`` int64 maps with classes 0 (background) and 1
(object): a square object whose prediction is shifted, a prediction with a spurious blob far from the
object, and a target with a thin bar that the prediction misses. Which score punishes which error is
the lesson; these maps only make the errors.
"""

from __future__ import annotations

import numpy as np

OBJECT = 1


def square_target(size: int = 128, side: int = 48) -> np.ndarray:
    """A ``side x side`` object centred in a ``size x size`` background."""
    target = np.zeros((size, size), dtype=np.int64)
    start = (size - side) // 2
    target[start : start + side, start : start + side] = OBJECT
    return target


def shifted(target: np.ndarray, shift: int) -> np.ndarray:
    """The prediction that is ``target`` moved ``shift`` pixels right (the object must stay inside)."""
    cols = np.nonzero(target.any(axis=0))[0]
    if cols.max() + shift >= target.shape[1]:
        raise ValueError(f"shifted: a shift of {shift} moves the object out of the {target.shape[1]}-pixel image.")
    return np.roll(target, shift, axis=1)


def with_blob(target: np.ndarray, distance: int, side: int = 6) -> np.ndarray:
    """The prediction that is ``target`` plus a ``side x side`` blob ``distance`` pixels below the object."""
    rows, cols = np.nonzero(target)
    top, mid = rows.max() + 1 + distance, (cols.min() + cols.max()) // 2
    if top + side > target.shape[0]:
        raise ValueError(f"with_blob: a blob {distance} pixels below the object does not fit the image.")
    pred = target.copy()
    pred[top : top + side, mid - side // 2 : mid - side // 2 + side] = OBJECT
    return pred


def with_thin_bar(target: np.ndarray, width: int = 2, gap: int = 8) -> np.ndarray:
    """``target`` plus a ``width``-pixel horizontal bar ``gap`` pixels above the object, as long as the object."""
    rows, cols = np.nonzero(target)
    bottom = rows.min() - gap
    if bottom - width < 0:
        raise ValueError(f"with_thin_bar: a bar {gap} pixels above the object does not fit the image.")
    out = target.copy()
    out[bottom - width : bottom, cols.min() : cols.max() + 1] = OBJECT
    return out


def boundary_error_cases(
    size: int = 128, *, shift: int = 4, distance: int = 24, blob: int = 3, bar_width: int = 2
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{name: (target, pred)}``: perfect, shifted boundary, small and large far blob, missed thin bar."""
    square = square_target(size)
    bar_target = with_thin_bar(square, width=bar_width)
    return {
        "perfect": (square, square.copy()),
        f"boundary shifted {shift} px": (square, shifted(square, shift)),
        f"{blob}x{blob} blob {distance} px away": (square, with_blob(square, distance, blob)),
        f"{2 * blob}x{2 * blob} blob {distance} px away": (square, with_blob(square, distance, 2 * blob)),
        f"missed {bar_width}-px bar": (bar_target, square.copy()),
    }
