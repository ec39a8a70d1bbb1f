"""Predictions written by any tool: one file per image, ``<stem>.png`` or ``<stem>.npy``, read as class ids.

Accepted: 8- and 16-bit grey PNGs and palette PNGs whose values (palette indices) are the class ids, RGB or
RGBA PNGs in the dataset's class colours (``classes.json``), and ``.npy`` integer arrays ``(H, W)``. Every
problem is an error that names the file and says what to do, and nothing is scored on a subset: the folder
must hold exactly one prediction per target image.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from workbench.data.classes import Classes
from workbench.records.masks import INDEX_MODES, read_png_array

PREDICTION_SUFFIXES = (".png", ".npy")
SHOWN = 5  # stems listed in an error message


def find_predictions(folder: str | Path, stems: Sequence[str]) -> dict[str, Path]:
    """The prediction file of every stem, in the order of ``stems``.

    Raises:
        ValueError: the folder is missing or empty, a stem has no file or two files, or the folder holds
            files for no stem (hidden files are skipped).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such predictions folder; give the folder that holds <stem>.png or <stem>.npy.")
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    if not files:
        raise ValueError(f"{folder}: the predictions folder is empty; write one <stem>.png (or .npy) per image of the split.")
    by_stem: dict[str, list[Path]] = {}
    for path in files:
        if path.is_file() and path.suffix.lower() in PREDICTION_SUFFIXES:
            by_stem.setdefault(path.stem, []).append(path)
    wanted = set(stems)
    _check_missing(folder, [s for s in stems if s not in by_stem], len(stems))
    twice = [paths for stem, paths in by_stem.items() if len(paths) > 1]
    if twice:
        raise ValueError(f"{folder}: {len(twice)} images have two prediction files, e.g. {_names(twice[0])}; keep one "
                         f"per image.")
    extra = [p for p in files if p.stem not in wanted or p.suffix.lower() not in PREDICTION_SUFFIXES or not p.is_file()]
    if extra:
        raise ValueError(f"{folder}: {len(extra)} files match no image of the split, e.g. {_names(extra[:SHOWN])}. "
                         f"Remove them, or check --data and --split (predictions are named <stem>.png or <stem>.npy "
                         f"after the target masks).")
    return {stem: by_stem[stem][0] for stem in stems}


def _check_missing(folder: Path, missing: list[str], total: int) -> None:
    if missing:
        shown = ", ".join(missing[:SHOWN]) + (", ..." if len(missing) > SHOWN else "")
        raise ValueError(f"{folder}: {len(missing)} of {total} images have no prediction ({shown}); write "
                         f"<stem>.png or <stem>.npy for every image of the split (nothing is scored on a subset).")


def _names(paths) -> str:
    return ", ".join(p.name for p in paths)


def read_prediction(path: str | Path, classes: Classes, target_shape: tuple[int, int]) -> np.ndarray:
    """One prediction file as class ids, checked against the target's size and the classes.

    Args:
        path: ``.png`` (index, palette or colour) or ``.npy``.
        classes: the dataset's classes (ids ``0..C-1``, colours for RGB masks).
        target_shape: ``(H, W)`` of the target mask the prediction is scored against.

    Returns:
        int64 array ``(H, W)`` of class ids.
    """
    path = Path(path)
    pred = _read_npy(path) if path.suffix.lower() == ".npy" else _read_png(path, classes)
    if pred.shape != tuple(target_shape):
        raise ValueError(f"{path}: prediction is {_wh(pred.shape)} (WxH) but the target mask is {_wh(target_shape)}; "
                         f"predict at the target's size (or resize with nearest-neighbour interpolation).")
    bad = (pred < 0) | (pred >= classes.num_classes)
    if bad.any():
        values = np.unique(pred[bad])
        shown = ", ".join(str(v) for v in values[:10]) + (", ..." if len(values) > 10 else "")
        raise ValueError(f"{path}: values {{{shown}}} are not class ids 0..{classes.num_classes - 1} ({int(bad.sum())} "
                         f"pixels). Every pixel needs a class (void, {classes.ignore_index}, is for targets only); "
                         f"map them to a class or check the class order in classes.json.")
    return pred


def _wh(shape) -> str:
    return f"{shape[1]}x{shape[0]}" if len(shape) == 2 else str(tuple(shape))


def _read_npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: cannot read this .npy file ({err}); save a plain integer array with np.save.") from err
    if array.ndim != 2 or not (np.issubdtype(array.dtype, np.integer) or array.dtype == bool):
        raise ValueError(f"{path}: holds a {array.dtype} array of shape {array.shape}; save the class ids as an "
                         f"integer array (H, W) (argmax the logits first).")
    return array.astype(np.int64)


def _read_png(path: Path, classes: Classes) -> np.ndarray:
    mode, array = read_png_array(path)
    if mode in INDEX_MODES:
        return array.astype(np.int64)
    if mode in ("RGB", "RGBA"):
        return colors_to_ids(array[..., :3], classes, path)
    raise ValueError(f"{path}: PNG mode {mode!r} is neither an index mask (grey or palette, 8 or 16 bit) nor an RGB "
                     f"mask; save the class ids as a grey PNG.")


def colors_to_ids(rgb: np.ndarray, classes: Classes, path) -> np.ndarray:
    """Map an RGB mask ``(H, W, 3)`` in the class colours to class ids ``(H, W)``."""
    palette = classes.palette().astype(np.int64)
    codes = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
    keys = (palette[:, 0] << 16) | (palette[:, 1] << 8) | palette[:, 2]
    if len(np.unique(keys)) != len(keys):
        raise ValueError(f"{path}: an RGB mask cannot be read because two classes share a colour in classes.json; "
                         f"give each class its own colour, or save the class ids as a grey PNG.")
    order = np.argsort(keys)
    where = np.clip(np.searchsorted(keys[order], codes), 0, len(keys) - 1)
    known = keys[order][where] == codes
    if not known.all():
        unknown = np.unique(codes[~known])
        shown = ", ".join(f"({c >> 16}, {(c >> 8) & 255}, {c & 255})" for c in unknown[:5])
        raise ValueError(f"{path}: {len(unknown)} colours are not class colours of classes.json, e.g. {shown} "
                         f"({int((~known).sum())} pixels). Save the class ids as a grey PNG, or use exactly the "
                         f"colours of classes.json (no anti-aliasing, no JPEG).")
    return order[where].astype(np.int64)
