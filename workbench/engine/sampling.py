"""Data order and augmentation as pure functions of ``(seed, epoch)``.

Exact resumption needs the epoch after a restart to see the same batches and the same random crops as it
would have without the restart. Instead of saving and restoring random-number-generator states, every
random choice is derived from a seed: the permutation of epoch ``e`` from ``(seed, e)``, and the
augmentation of sample ``i`` in epoch ``e`` from ``(seed, e, i)``. The result is also independent of the
number of DataLoader workers and of the order in which they finish.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler, Subset

from workbench.data import pad_collate


def derive_seed(*keys: int) -> int:
    """A well-mixed 63-bit seed from integers (``numpy.random.SeedSequence``)."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(2, np.uint64)[0] >> np.uint64(1))


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's (CPU and CUDA) global generators."""
    _seed_cpu_generators(seed)
    torch.cuda.manual_seed_all(seed)


def _seed_cpu_generators(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.random.default_generator.manual_seed(seed)


class SeededSamples(Dataset):
    """Wraps a dataset so that item ``(epoch, i)`` is ``dataset[i]`` drawn with generators seeded from
    ``(seed, epoch, i)``.

    Torch's and Python's global generators are restored afterwards, so that dropout in the main process does
    not depend on which samples were loaded; numpy's global generator is left as the sample left it
    (restoring it costs about 70 us, a noticeable share of a small model's training step).
    """

    def __init__(self, dataset: Dataset, seed: int):
        self.dataset = dataset
        self.seed = seed

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: tuple[int, int]):
        epoch, index = key
        seed = derive_seed(self.seed, epoch, index)
        py_state = random.getstate()
        with torch.random.fork_rng(devices=[]):
            _seed_cpu_generators(seed)
            try:
                return self.dataset[index]
            finally:
                random.setstate(py_state)


class EpochSampler(Sampler):
    """Yields ``(epoch, index)`` keys for ``SeededSamples``: a permutation drawn from ``(seed, epoch)``.

    With several processes each rank takes every ``world_size``-th index of the permutation, padded by
    repeating its start so that all ranks get the same number of samples (as DistributedSampler does; DDP
    needs equal step counts).
    """

    def __init__(self, num_samples: int, *, seed: int, rank: int = 0, world_size: int = 1):
        self.num_samples, self.seed = num_samples, seed
        self.rank, self.world_size = rank, world_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def indices(self) -> list[int]:
        """This rank's share of epoch ``self.epoch``'s permutation."""
        gen = torch.Generator().manual_seed(derive_seed(self.seed, self.epoch))
        order = torch.randperm(self.num_samples, generator=gen).tolist()
        total = len(self) * self.world_size
        while len(order) < total:
            order += order[: total - len(order)]
        return order[self.rank :: self.world_size]

    def __len__(self) -> int:
        return -(-self.num_samples // self.world_size)

    def __iter__(self):
        return iter([(self.epoch, i) for i in self.indices()])


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


class MemoryCache(Dataset):
    """Every sample of a deterministic dataset, computed once and kept in memory.

    For generated data (``SyntheticShapes`` without random transforms) read many times over: drawing a
    scene costs a few milliseconds, as much as a training step of a small model on a CPU.
    """

    def __init__(self, dataset: Dataset):
        self.samples = [dataset[i] for i in range(len(dataset))]
        self.classes = dataset.classes
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        return self.samples[index]
