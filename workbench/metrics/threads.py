"""Run the metrics' many short tensor operations on one CPU thread.

An update issues a few hundred short whole-batch operations. With several intra-op threads each one ends
in a barrier, and when other processes hold the cores (a data loader, a notebook kernel, another job) those
barriers dominate: on a 2-core machine with one other busy process, the full evaluator took 1469 ms per
16 x 360 x 480 batch with 2 threads against 116 ms with 1. One thread is also fast enough on an idle
machine (the scores are never the bottleneck next to a model's forward pass), so the entry points run
with one thread and restore the caller's setting (switching costs about a microsecond).
"""

from __future__ import annotations

import functools

import torch


def single_threaded(fn):
    """Decorator: call ``fn`` with ``torch.set_num_threads(1)``, restoring the previous count afterwards."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        previous = torch.get_num_threads()
        if previous == 1:
            return fn(*args, **kwargs)
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(previous)

    return wrapper
