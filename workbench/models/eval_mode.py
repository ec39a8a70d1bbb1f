"""``eval_mode``: run a model in eval mode inside a block and give it back in the mode it was in."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from torch import nn


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """``model`` in eval mode (BatchNorm's running statistics, no dropout) inside the block; its training flag
    is restored afterwards, also when the block raises (a probe, a hook that stops the forward pass)."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
