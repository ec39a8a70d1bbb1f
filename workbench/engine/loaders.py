"""The training and evaluation DataLoaders: seeded, shuffled training batches and in-order evaluation batches.

Training batches come from :mod:`.sampling` (order and augmentation derived from ``(seed, epoch)``), so a
resumed run sees the batches it would have seen; evaluation batches keep each image's size so that
predictions are cropped back to it.
"""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset, Subset

from workbench.data import pad_collate
from workbench.engine.sampling import EpochSampler, SeededSamples


def create_train_loader(
    dataset: Dataset,
    *,
    batch_size: int,
    seed: int,
    num_workers: int = 0,
    pin_memory: bool = False,
    rank: int = 0,
    world_size: int = 1,
) -> DataLoader:
    """Shuffled, seeded training batches ``(images (N, 3, H, W), masks (N, H, W))``; call
    ``loader.sampler.set_epoch(e)`` before each epoch. An incomplete last batch is dropped (BatchNorm needs
    more than one value per channel) unless the shard holds no full batch at all."""
    if len(dataset) == 0:
        raise ValueError("the training data is empty; check the dataset's root and split.")
    sampler = EpochSampler(len(dataset), seed=seed, rank=rank, world_size=world_size)
    return DataLoader(
        SeededSamples(dataset, seed),
        batch_size=batch_size,
        sampler=sampler,
        drop_last=len(sampler) >= batch_size,
        collate_fn=pad_collate,
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=num_workers > 0,
    )


def train_steps_per_epoch(num_samples: int, batch_size: int, world_size: int = 1) -> int:
    """Optimizer steps per epoch of ``create_train_loader``: full batches of a rank's shard, at least one."""
    return max(1, -(-num_samples // world_size) // batch_size)


def create_eval_loader(
    dataset: Dataset,
    *,
    batch_size: int,
    num_workers: int = 0,
    pin_memory: bool = False,
    rank: int = 0,
    world_size: int = 1,
) -> DataLoader:
    """Batches ``(images, masks, sizes)`` of this rank's share of ``dataset`` in order: images ``rank,
    rank + world_size, ...``; ``sizes`` holds each sample's ``(H, W)`` before padding.

    Unlike DistributedSampler nothing is padded, so the ranks' confusion matrices sum to exactly the matrix
    of the whole set.
    """
    shard = dataset if world_size == 1 else Subset(dataset, range(rank, len(dataset), world_size))
    return DataLoader(
        shard,
        batch_size=batch_size,
        shuffle=False,
        collate_fn=sized_collate,
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=num_workers > 0,
    )


def sized_collate(batch) -> tuple[torch.Tensor, torch.Tensor, list[tuple[int, int]]]:
    """``pad_collate`` plus the ``(H, W)`` of every sample, so that predictions are cropped back to it."""
    images, masks = pad_collate(batch)
    return images, masks, [tuple(mask.shape[-2:]) for _, mask in batch]
