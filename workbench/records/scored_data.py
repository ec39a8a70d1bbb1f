"""The data a record scored, found again from what the record names: photographs and targets, no model.

A record stores the predicted masks, not the photographs: those stay in the dataset, which the record
names (``data.root`` and ``data.split`` of a folder, or the parameters of ``SyntheticShapes``). Its
images are named by stem (``data_stems``), so the same images are found in the data by stem whatever
their order there. Everything here reads numpy arrays, with the torch datasets' own torch-free readers
(``ShapeScenes``, ``find_files``): a report needs no torch (STYLE 18).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.data import PairedFiles, ShapeScenes, data_stems, find_files
from workbench.records.masks import label_digest
from workbench.records.record import Record, RecordError


def scored_data(record: Record) -> ShapeScenes | PairedFiles:
    """The data ``record`` scored, as numpy readers: the scenes rebuilt from its parameters, or the file pairs
    of the folder and split it names (read as ``create_dataset(root, split)`` reads them).

    Raises:
        RecordError: the folder the record names is not on this machine (or cannot be read); pass the data
            yourself where a function takes it (``MaskComparer.from_run(run_dir, data)``).
    """
    data = record.data
    if data.get("synthetic"):
        params = data["synthetic"]
        return ShapeScenes(num_images=params["num_images"], image_size=params["image_size"], seed=params["seed"])
    root = data.get("root")
    if not root or not Path(root).is_dir():
        raise RecordError(
            f"{record.path}: the data the record names ({root or 'not named in the record'}) is not "
            f"on this machine: put it back there, or pass the dataset and split it scored."
        )
    try:
        return find_files(root, data.get("split") or "val")
    except (OSError, ValueError) as err:  # DatasetError is a ValueError
        raise RecordError(
            f"{record.path}: the data it names ({root}, split {data.get('split')}) could not be read: {err}"
        ) from err


def scored_samples(record: Record, stems: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The photograph and target of each of ``stems`` in the data ``record`` scored, in that order.

    Returns:
        ``(image, target)`` per stem: float32 ``(H, W, 3)`` in ``[0, 1]`` as read (no transform, no
        normalisation) and uint8 ``(H, W)`` class ids with void as the ignore index, the values the torch
        dataset's int64 target holds.

    Raises:
        RecordError: the data is not on this machine or cannot be listed (see :func:`scored_data`).
        ValueError: the data lacks some of ``stems``, or a file of theirs cannot be read (``DatasetError``).
    """
    data = scored_data(record)
    return [data.read_sample(i) for i in stem_positions(data, stems, str(record.path))]


def stem_positions(data, stems: list[str], where: str) -> list[int]:
    """The index in ``data`` of each of ``stems``; ``where`` (the records' folder) names them in the error.

    Raises:
        ValueError: ``data`` lacks some of the images.
    """
    position = {stem: i for i, stem in enumerate(data_stems(data))}
    missing = [s for s in stems if s not in position]
    if missing:
        raise ValueError(
            f"{where}: the data has no images {missing[:3]} ({len(missing)} of {len(stems)} missing); "
            f"pass the dataset and split the records scored."
        )
    return [position[s] for s in stems]


def check_targets(record: Record, stems: list[str], targets, where: str) -> None:
    """The targets found in the data must be the ones ``record`` scored (its ``target_sha256``; for a record
    written without them, the class pixel counts of its statistics), so that a picture never sets a changed
    dataset's mask beside a score computed on another.

    Args:
        record: the record; ``stems`` are some of its images and ``targets`` their masks ``(H, W)``.
        where: who asks (named in the error).

    Raises:
        ValueError: naming the first image whose target differs, and what to do.
    """
    position = {stem: i for i, stem in enumerate(record.stems)}
    stats = record.scores.image_stats
    for stem, target in zip(stems, targets):
        target = np.asarray(target)
        if record.target_sha256 is not None:
            same = label_digest(target) == record.target_sha256[position[stem]]
        else:
            found = np.bincount(
                target[target != record.classes.ignore_index].ravel().astype(np.int64), minlength=stats.num_classes
            )
            counted = stats.tp[position[stem]] + stats.fn[position[stem]]
            same = found.shape == counted.shape and (found == counted).all()
        if not same:
            raise ValueError(
                f"{where}: the data's target of image {stem!r} is not the one {record.path} scored (the "
                f"dataset's masks changed since); evaluate again, or pass the data the record scored."
            )
