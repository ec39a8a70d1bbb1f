"""Seeds: one well-mixed seed derived from several integers, and the global generators seeded from one.

Every random choice of a run derives from its seed (``derive_seed(seed, epoch, index)``), so a restarted run
draws what it would have drawn without the restart (see :mod:`.sampling`).
"""

from __future__ import annotations

import random

import numpy as np
import torch


def derive_seed(*keys: int) -> int:
    """A well-mixed 63-bit seed from integers (``numpy.random.SeedSequence``)."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(2, np.uint64)[0] >> np.uint64(1))


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's (CPU and CUDA) global generators."""
    seed_cpu_generators(seed)
    torch.cuda.manual_seed_all(seed)


def seed_cpu_generators(seed: int) -> None:
    """Seed Python's, numpy's and torch's CPU generators: all that drawing one sample uses."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.random.default_generator.manual_seed(seed)
