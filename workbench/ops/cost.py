"""What a forward pass costs: FLOPs as torch counts them, the activations autograd keeps, and time.

FLOPs come from ``torch.utils.flop_counter.FlopCounterMode``: 2 per multiply-add of the matrix products
and convolutions (the ops that dominate), nothing for ReLU, pooling or BatchNorm. They can be counted on
the ``meta`` device, where no arithmetic is done. Activation memory is the bytes of the distinct tensors
autograd saves for the backward pass during the forward: what training must hold at its peak.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from torch.utils.flop_counter import FlopCounterMode


def count_flops(fn: Callable, *args, **kwargs) -> int:
    """Total FLOPs of ``fn(*args, **kwargs)`` (run once, under ``torch.no_grad``)."""
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        fn(*args, **kwargs)
    return int(counter.get_total_flops())


def saved_activation_bytes(fn: Callable, *args, exclude=(), **kwargs) -> int:
    """Bytes of the distinct tensors autograd saves for backward while ``fn(*args, **kwargs)`` runs.

    Tensors sharing storage (views, in-place results) are counted once. Autograd also saves weights (a
    convolution needs its weight for the input gradient): pass ``exclude=model.parameters()`` (any
    tensors) to leave those out and count the activations alone.
    """
    excluded = {t.untyped_storage().data_ptr() for t in exclude}
    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor):
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in excluded:
            storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        fn(*args, **kwargs)
    return sum(storages.values())


def time_call(fn: Callable, *args, repeats: int = 3, **kwargs) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn`` under ``torch.no_grad`` (CUDA synchronised)."""
    times = []
    for _ in range(repeats):
        _synchronize()
        start = time.perf_counter()
        with torch.no_grad():
            fn(*args, **kwargs)
        _synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _synchronize() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
