"""Photographs and targets of a record's images, found from what the record says about its data.

A record stores the predicted masks, not the photographs: those stay in the dataset, which the record
names (``data.root`` and ``data.split`` of a folder, or the parameters of ``SyntheticShapes``, whose stems
are the sample indices). No model is involved. When the data is not on this machine the gallery shows the
predictions alone and says why.
"""
from __future__ import annotations

from pathlib import Path

from workbench.data import SyntheticShapes, create_dataset
from workbench.records import Record


def record_samples(record: Record, stems: list[str]) -> tuple[list | None, str]:
    """``(samples, why)``: ``(image, target)`` per stem from the record's data, or ``None`` and the reason."""
    data = record.data
    try:
        if data.get("synthetic"):
            params = data["synthetic"]
            dataset = SyntheticShapes(num_images=params["num_images"], image_size=params["image_size"],
                                      seed=params["seed"])
            return [dataset[int(stem)] for stem in stems], ""
        root = data.get("root")
        if not root or not Path(root).is_dir():
            return None, f"the data the record names ({root}) is not on this machine"
        dataset = create_dataset(root, data.get("split") or "val")
        where = {Path(dataset.mask_path(i)).stem: i for i in range(len(dataset))} if hasattr(dataset, "mask_path") else {}
        missing = [s for s in stems if s not in where]
        if missing:
            return None, f"{root} has no images {missing[:3]} of the record"
        return [dataset[where[s]] for s in stems], ""
    except (OSError, ValueError, KeyError, IndexError) as err:  # DatasetError is a ValueError
        return None, f"its data could not be read ({err})"
