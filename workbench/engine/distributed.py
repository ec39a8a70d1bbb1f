"""Several processes, one model: the torchrun environment, DistributedDataParallel and collectives.

``torchrun --nproc_per_node=N -m workbench train ...`` starts N processes with ``RANK``, ``WORLD_SIZE`` and
``LOCAL_RANK`` in their environment. ``init_distributed`` joins them into a process group (NCCL on CUDA,
gloo on a CPU); without that environment everything here is a cheap no-op, so one code path serves both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from workbench.metrics.gather import all_gather_rows


@dataclass(frozen=True)
class DistInfo:
    """This process's place in the group: ``rank`` of ``world_size``, GPU ``local_rank`` on its machine."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes files and shows progress bars."""
        return self.rank == 0


def init_distributed(backend: str | None = None) -> DistInfo:
    """Join the process group described by torchrun's environment variables, once.

    Args:
        backend: ``"nccl"`` or ``"gloo"``; None picks NCCL when CUDA is available, else gloo.
    """
    if dist.is_available() and not dist.is_initialized() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        use_cuda = torch.cuda.is_available() and backend != "gloo"
        if use_cuda:
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend or ("nccl" if use_cuda else "gloo"))
    return current()


def current() -> DistInfo:
    """The rank and world size of the initialised group, or a single process."""
    if dist.is_available() and dist.is_initialized():
        return DistInfo(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))
    return DistInfo(local_rank=int(os.environ.get("LOCAL_RANK", "0")))


def is_active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def all_reduce_sum(tensor: torch.Tensor) -> torch.Tensor:
    """Sum ``tensor`` over all processes in place (unchanged with one process) and return it.

    NCCL reduces CUDA tensors only, so a CPU tensor makes a round trip through this rank's GPU there.
    """
    if not is_active():
        return tensor
    buffer = tensor.to(collective_device())
    dist.all_reduce(buffer, op=dist.ReduceOp.SUM)
    return tensor.copy_(buffer)


def collective_device() -> torch.device:
    """Where tensors go through collectives: this rank's GPU under NCCL, else the CPU."""
    if is_active() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_gather_bytes(items: list[bytes]) -> list[list[bytes]]:
    """Every process's ``items``, in rank order (``[items]`` with one process): plain bytes, no pickling.

    Each rank may send a different number of items of any lengths; they travel as one uint8 tensor and
    their lengths (NCCL: through this rank's GPU).
    """
    if not is_active():
        return [list(items)]
    device = collective_device()
    lengths = torch.tensor([len(item) for item in items], dtype=torch.int64)
    payload = (
        torch.frombuffer(bytearray(b"".join(items)), dtype=torch.uint8)
        if any(lengths)
        else torch.zeros(0, dtype=torch.uint8)
    )
    all_lengths = [part.cpu() for part in all_gather_rows(lengths.to(device))]
    all_payloads = [part.cpu().numpy().tobytes() for part in all_gather_rows(payload.to(device))]
    out = []
    for sizes, data in zip(all_lengths, all_payloads):
        ends = torch.cumsum(sizes, 0).tolist()
        out.append([data[end - size : end] for size, end in zip(sizes.tolist(), ends)])
    return out


def wrap_model(model: nn.Module, device: torch.device) -> nn.Module:
    """DistributedDataParallel around ``model`` when several processes run; ``model`` itself otherwise."""
    if not is_active():
        return model
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


def broadcast_buffers(model: nn.Module) -> None:
    """Copy rank 0's buffers (BatchNorm running statistics) to every rank.

    DDP keeps parameters equal but each rank updates its running statistics from its own last batches, so
    before validation and saving the ranks adopt rank 0's, the ones written to the checkpoint.
    """
    if is_active():
        for buffer in model.buffers():
            dist.broadcast(buffer, src=0)


def barrier() -> None:
    if is_active():
        dist.barrier()


def shutdown() -> None:
    """Leave the process group (call once at the end of a torchrun job)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
