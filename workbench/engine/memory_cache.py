"""A dataset kept in memory: generated samples drawn once and read back on every epoch."""

from __future__ import annotations

from torch.utils.data import Dataset


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
