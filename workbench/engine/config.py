"""Training configuration: one frozen dataclass, saved as ``config.json`` with every run.

As in nanoGPT's ``GPTConfig``: typed fields with defaults and a trailing comment for the unit or the reason.
Vary a configuration with ``dataclasses.replace``; the CLI builds it from its options (no argparse here).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from workbench.data.classes import IGNORE_INDEX

OPTIMIZERS = ("sgd", "adamw")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run except the model and the data.

    The schedule runs for ``max_steps`` optimizer steps when it is set, else for ``epochs`` passes over the
    training data. Checkpoints and validation happen at epoch boundaries.
    """

    epochs: int = 10  # passes over the training set
    max_steps: int | None = None  # optimizer steps in total; overrides epochs when set
    batch_size: int = 8  # images per step and per process (torchrun multiplies it by the process count)
    optimizer: str = "sgd"  # "sgd" (with momentum) or "adamw"
    lr: float = 0.01  # peak learning rate, reached after warmup
    momentum: float = 0.9  # SGD momentum (adamw: beta1)
    weight_decay: float = 1e-4  # L2 penalty (adamw: decoupled decay)
    poly_power: float = 0.9  # lr = peak * (1 - progress) ** power, as in DeepLab
    warmup_steps: int = 0  # linear warm-up from peak / warmup_steps to peak
    loss: str = "ce"  # "ce", "dice" or "ce+dice"
    class_weights: tuple[float, ...] | None = None  # one weight per class for the loss; None = all 1
    ignore_index: int = IGNORE_INDEX  # mask value left out of losses and metrics
    crop_size: tuple[int, int] | None = None  # (H, W) random crop for training (CLI builds the transform); None = whole images
    num_workers: int = 0  # DataLoader worker processes; 0 loads in the main process
    device: str = "auto"  # "auto" (CUDA when present), "cpu", "cuda", "cuda:1", ...
    precision: str = "auto"  # "auto" (bf16 on CUDA when supported, else fp16; fp32 on CPU), "bf16", "fp16", "fp32"
    channels_last: bool = True  # NHWC memory format on CUDA; ignored on a CPU
    seed: int = 0  # data order, augmentation and dropout are pure functions of (seed, epoch)
    out_dir: str | None = None  # run folder; None writes nothing
    save_every: int = 1  # epochs between checkpoints (the last epoch is always saved)
    resume: bool = False  # continue from out_dir/last.safetensors when it exists
    eval_every: int = 1  # epochs between validations (the last epoch is always validated)
    log_every: int = 10  # steps between loss checks and progress/log updates
    progress: bool = True  # tqdm progress bars (on rank 0 only)

    def __post_init__(self):
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("precision", self.precision, PRECISIONS)
        for name in ("epochs", "batch_size", "save_every", "eval_every", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig.{name} must be at least 1, got {getattr(self, name)}.")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"TrainConfig.max_steps must be None or at least 1, got {self.max_steps}.")
        if self.lr <= 0 or self.warmup_steps < 0 or self.num_workers < 0:
            raise ValueError("TrainConfig: lr must be > 0, warmup_steps and num_workers >= 0.")
        # Lists from JSON or argparse become tuples so that configs stay hashable and compare equal.
        if self.class_weights is not None:
            object.__setattr__(self, "class_weights", tuple(float(w) for w in self.class_weights))
        if self.crop_size is not None:
            object.__setattr__(self, "crop_size", _pair(self.crop_size))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        """Inverse of ``to_dict``; unknown keys are an error naming them."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"TrainConfig: unknown fields {unknown}; known fields are {sorted(known)}.")
        return cls(**values)


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"TrainConfig.{name}={value!r} is not one of {list(choices)}.")


def _pair(size) -> tuple[int, int]:
    if isinstance(size, int):
        return (size, size)
    size = tuple(int(s) for s in size)
    if len(size) == 1:
        return (size[0], size[0])
    if len(size) != 2:
        raise ValueError(f"TrainConfig.crop_size must be one int or (H, W), got {size}.")
    return size
