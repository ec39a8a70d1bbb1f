"""Predictions written by any tool: one file per image, ``<stem>.png`` or ``<stem>.npy``, read as class ids.

Accepted: 8- and 16-bit grey PNGs of class ids, palette PNGs, RGB or RGBA PNGs in the dataset's class colours
(``classes.json``), and ``.npy`` integer arrays ``(H, W)``. A palette PNG is read by colour when the palette
entries its pixels use all hold class colours but not at their class id (a colour mask saved with PIL's
``Image.quantize``, for instance); otherwise its indices are the class ids (in class order, or any other
palette, such as PASCAL VOC's).

Every problem is an error that names the file and says what to do, and nothing is scored on a subset: the
folder must hold exactly one prediction per target image. Sizes are checked from the PNG or ``.npy`` header
against the target before any pixel is decoded; a file named ``.png`` must be a PNG, a ``.npy`` must hold
integers; a folder, FIFO or device named like a prediction is refused, naming what it is.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.data.classes import Classes
from workbench.records.masks import INDEX_MODES, read_png

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
        raise ValueError(
            f"{folder}: the predictions folder is empty; write one <stem>.png (or .npy) per image of the split."
        )
    by_stem: dict[str, list[Path]] = {}
    for path in files:
        if path.suffix.lower() in PREDICTION_SUFFIXES:
            _check_regular_file(path)
            by_stem.setdefault(path.stem, []).append(path)
    wanted = set(stems)
    _check_missing(folder, [s for s in stems if s not in by_stem], len(stems))
    twice = [paths for stem, paths in by_stem.items() if len(paths) > 1]
    if twice:
        raise ValueError(
            f"{folder}: {len(twice)} images have two prediction files, e.g. {_names(twice[0])}; keep one per image."
        )
    extra = [p for p in files if p.stem not in wanted or p.suffix.lower() not in PREDICTION_SUFFIXES]
    if extra:
        raise ValueError(
            f"{folder}: {len(extra)} files match no image of the split, e.g. {_names(extra[:SHOWN])}. "
            f"Remove them, or check --data and --split (predictions are named <stem>.png or <stem>.npy "
            f"after the target masks)."
        )
    return {stem: by_stem[stem][0] for stem in stems}


def _check_missing(folder: Path, missing: list[str], total: int) -> None:
    if missing:
        shown = ", ".join(missing[:SHOWN]) + (", ..." if len(missing) > SHOWN else "")
        raise ValueError(
            f"{folder}: {len(missing)} of {total} images have no prediction ({shown}); write "
            f"<stem>.png or <stem>.npy for every image of the split (nothing is scored on a subset)."
        )


def _names(paths) -> str:
    return ", ".join(p.name for p in paths)


FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _check_regular_file(path: Path) -> None:
    """Refuse, saying what it is, a path that is not a regular file once links are followed (a FIFO would block)."""
    link = f" (it links to {os.readlink(path)})" if path.is_symlink() else ""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        kind = "a broken link" if link else f"unreadable ({err.strerror})"
        raise ValueError(f"{path}: is {kind}, not a file{link}; write the prediction there.") from err
    kind = next((name for test, name in FILE_KINDS if test(mode)), None)
    if kind:
        raise ValueError(
            f"{path}: is {kind}, not a file{link}; replace it with the prediction (a PNG or .npy file) or remove it."
        )


def read_prediction(path: str | Path, classes: Classes, target_shape: tuple[int, int]) -> np.ndarray:
    """One prediction file as class ids, checked against the target's size and the classes.

    Args:
        path: ``.png`` (index, palette or colour) or ``.npy``.
        classes: the dataset's classes (ids ``0..C-1``, colours for RGB masks).
        target_shape: ``(H, W)`` of the target mask the prediction is scored against.

    Returns:
        int64 array ``(H, W)`` of class ids.
    """
    path, target_shape = Path(path), tuple(target_shape)
    _check_regular_file(path)
    if path.suffix.lower() == ".npy":
        pred = _read_npy(path, target_shape)
    else:
        pred = _read_png(path, classes, target_shape)
    bad = (pred < 0) | (pred >= classes.num_classes)
    if bad.any():
        values = np.unique(pred[bad])
        shown = ", ".join(str(v) for v in values[:10]) + (", ..." if len(values) > 10 else "")
        raise ValueError(
            f"{path}: values {{{shown}}} are not class ids 0..{classes.num_classes - 1} ({int(bad.sum())} "
            f"pixels). Every pixel needs a class (void, {classes.ignore_index}, is for targets only); "
            f"map them to a class or check the class order in classes.json."
        )
    return pred


def _check_size(path: Path, shape: tuple[int, ...], target_shape: tuple[int, int]) -> None:
    if tuple(shape) != target_shape:
        raise ValueError(
            f"{path}: prediction is {_wh(shape)} (WxH) but the target mask is {_wh(target_shape)}; "
            f"predict at the target's size (or resize with nearest-neighbour interpolation)."
        )


def _wh(shape) -> str:
    return f"{shape[1]}x{shape[0]}" if len(shape) == 2 else str(tuple(shape))


NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
NPY_ADVICE = "save one integer array (H, W) with np.save (not np.savez)"


def _read_npy(path: Path, target_shape: tuple[int, int]) -> np.ndarray:
    """The array of a ``.npy`` file, its header (dtype, shape) checked before the data is read."""
    with open(path, "rb") as handle:
        try:
            version = np.lib.format.read_magic(handle)
            if version not in NPY_HEADERS:
                raise ValueError(f"format version {version[0]}.{version[1]}, not 1.0 or 2.0")
            shape, _, dtype = NPY_HEADERS[version](handle)
        except (ValueError, EOFError) as err:
            raise ValueError(f"{path}: cannot read this .npy file ({err}); {NPY_ADVICE}.") from err
        if len(shape) != 2 or dtype.kind not in "iu":
            raise ValueError(
                f"{path}: holds a {dtype} array of shape {shape}; class ids are integers: save them as "
                f"an integer array (H, W) (argmax the logits first)."
            )
        _check_size(path, shape, target_shape)
        handle.seek(0)
        try:
            array = np.lib.format.read_array(handle, allow_pickle=False)
        except (OSError, ValueError, EOFError) as err:
            raise ValueError(f"{path}: cannot read this .npy file ({err}); {NPY_ADVICE}.") from err
    return array.astype(np.int64)


COLOR_MODES = ("RGB", "RGBA")


def _read_png(path: Path, classes: Classes, target_shape: tuple[int, int]) -> np.ndarray:
    def check(img: Image.Image, path: Path) -> None:  # from the header, before decoding
        if img.mode not in INDEX_MODES + COLOR_MODES:
            raise ValueError(
                f"{path}: PNG mode {img.mode!r} is neither an index mask (grey or palette, 8 or 16 "
                f"bit) nor an RGB mask; save the class ids as a grey PNG."
            )
        _check_size(path, (img.height, img.width), target_shape)

    img = read_png(path, check)
    if img.mode == "P":
        return _palette_ids(np.asarray(img), img.getpalette(), classes)
    if img.mode in INDEX_MODES:
        return np.asarray(img).astype(np.int64)
    return colors_to_ids(np.asarray(img)[..., :3], classes, path)


def _palette_ids(indices: np.ndarray, palette: Sequence[int] | None, classes: Classes) -> np.ndarray:
    """Class ids ``(H, W)`` of a palette PNG's indices ``(H, W)`` and its palette ``[r, g, b, r, g, b, ...]``.

    By colour when every palette entry the pixels use holds a class colour and some entry is not at its
    class id; otherwise the indices themselves (class colours in class order, or any other palette).
    """
    indices = indices.astype(np.int64)
    used = np.unique(indices)
    colors = np.asarray(palette or [], np.int64).reshape(-1, 3)
    if not used.size or used[-1] >= len(colors):
        return indices
    by_color = _classes_of_colors(_color_codes(colors[used]), classes)
    if by_color is None or (by_color < 0).any() or (by_color == used).all():
        return indices
    lookup = np.zeros(used[-1] + 1, np.int64)
    lookup[used] = by_color
    return lookup[indices]


def colors_to_ids(rgb: np.ndarray, classes: Classes, path) -> np.ndarray:
    """Map an RGB mask ``(H, W, 3)`` in the class colours to class ids ``(H, W)``."""
    codes = _color_codes(rgb)
    ids = _classes_of_colors(codes, classes)
    if ids is None:
        raise ValueError(
            f"{path}: an RGB mask cannot be read because two classes share a colour in classes.json; "
            f"give each class its own colour, or save the class ids as a grey PNG."
        )
    known = ids >= 0
    if not known.all():
        unknown = np.unique(codes[~known])
        shown = ", ".join(f"({c >> 16}, {(c >> 8) & 255}, {c & 255})" for c in unknown[:5])
        raise ValueError(
            f"{path}: {len(unknown)} colours are not class colours of classes.json, e.g. {shown} "
            f"({int((~known).sum())} pixels). Save the class ids as a grey PNG, or use exactly the "
            f"colours of classes.json (no anti-aliasing, no JPEG)."
        )
    return ids.astype(np.int64)


def _color_codes(rgb: np.ndarray) -> np.ndarray:
    """One int64 per colour ``(..., 3)``: ``r << 16 | g << 8 | b``."""
    rgb = np.asarray(rgb).astype(np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _classes_of_colors(codes: np.ndarray, classes: Classes) -> np.ndarray | None:
    """The class id of each colour code, -1 for a colour of no class; ``None`` when two classes share a colour."""
    keys = _color_codes(classes.palette())
    if len(np.unique(keys)) != len(keys):
        return None
    order = np.argsort(keys)
    where = np.clip(np.searchsorted(keys[order], codes), 0, len(keys) - 1)
    return np.where(keys[order][where] == codes, order[where], -1)
