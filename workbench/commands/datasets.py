"""The data of ``train`` and ``compare``, from ``--data`` and its options (``evaluate`` reads one split)."""

from __future__ import annotations

from workbench.data import create_splits
from workbench.engine.config import DEMO_DATA, TrainConfig
from workbench.engine.memory_cache import MemoryCache


def load_data(args, config: TrainConfig):
    """Training data (with augmentation when ``--crop-size`` is given) and validation data (``create_splits``)."""
    synthetic = args.data == "synthetic"
    train_data, val_data = create_splits(
        args.data,
        image_size=args.image_size if synthetic else None,
        crop_size=config.crop_size,
        num_images=demo_count(args.num_images, "num_images", synthetic),
        val_images=demo_count(args.val_images, "val_images", synthetic),
        train_split=args.train_split,
        val_split=args.val_split,
        ignore_index=config.ignore_index,
    )
    if synthetic:  # drawn once, read every epoch (not for folders: CamVid would fill the memory)
        train_data = train_data if config.crop_size else MemoryCache(train_data)
        val_data = MemoryCache(val_data)
    return train_data, val_data


def demo_count(value: int | None, key: str, synthetic: bool) -> int | None:
    """``--num-images``/``--val-images``: the demo count for generated data when not given, else as given."""
    return DEMO_DATA[key] if value is None and synthetic else value
