"""Gather ``ImageStats`` from every ``torch.distributed`` rank, as plain tensors (no pickling)."""

from __future__ import annotations

import torch
import torch.distributed as dist

from .image_stats import ImageStats


def all_gather_stats(stats: ImageStats, device: torch.device) -> ImageStats:
    """The statistics of all ranks, rank 0's images first; ``stats`` itself without an initialised group.

    Every rank must call it. Arrays of different lengths are padded to the longest, gathered with
    ``dist.all_gather`` through ``device`` (NCCL needs a CUDA device) and trimmed.
    """
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return stats
    if device.type == "mps":
        device = torch.device("cpu")  # MPS has no float64
    parts = [dict() for _ in range(dist.get_world_size())]
    for name, array in stats.to_arrays().items():
        for part, gathered in zip(parts, all_gather_rows(torch.from_numpy(array).to(device))):
            part[name] = gathered.cpu().numpy()
    return ImageStats.concat([ImageStats.from_arrays(part, ignore_index=stats.ignore_index) for part in parts])


def all_gather_rows(tensor: torch.Tensor) -> list[torch.Tensor]:
    """``tensor`` of every rank, whose first dimensions may differ."""
    world = dist.get_world_size()
    length = torch.tensor([len(tensor)], dtype=torch.int64, device=tensor.device)
    lengths = [torch.zeros_like(length) for _ in range(world)]
    dist.all_gather(lengths, length)
    longest = int(max(int(n) for n in lengths))
    padded = torch.zeros((longest, *tensor.shape[1:]), dtype=tensor.dtype, device=tensor.device)
    padded[: len(tensor)] = tensor
    slots = [torch.empty_like(padded) for _ in range(world)]
    dist.all_gather(slots, padded)
    return [slot[: int(n)] for slot, n in zip(slots, lengths)]
