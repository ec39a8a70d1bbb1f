"""Training configuration: one frozen dataclass, saved as ``config.json`` with every run.

As in nanoGPT's ``GPTConfig``: typed fields with defaults, each documented once (``metadata["help"]``, which
the command line shows). Vary a configuration with ``dataclasses.replace``; the CLI builds its options from
the fields (no argparse here).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from workbench.data.classes import IGNORE_INDEX
from workbench.engine.loss_registry import list_losses

OPTIMIZERS = ("sgd", "adamw")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")


def _option(default, text: str, **cli):
    """A field with its help written once, in ``metadata``; the CLI builds its options from it.

    ``cli`` may hold ``choices`` (a tuple, or a function returning the registered names), ``flag`` and
    ``metavar``.
    """
    return dataclasses.field(default=default, metadata={"help": text, **cli})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run except the model and the data.

    The schedule runs for ``max_steps`` optimizer steps when it is set, else for ``epochs`` passes over the
    training data; with ``minutes``, for as many of those steps as fit in that time on this machine
    (``workbench.engine.minutes``). Checkpoints and validation happen at epoch boundaries.
    """

    epochs: int = _option(10, "passes over the training set")
    max_steps: int | None = _option(None, "optimizer steps in total; overrides epochs when set")
    minutes: float | None = _option(
        None,
        "wall-clock minutes for training and validation: the steps are planned from a short warm-up on this "
        "machine (at most the epochs or max_steps budget) and training stops at the deadline; none given: "
        "the fixed budget, the same steps on every machine",
    )
    batch_size: int = _option(8, "images per step and per process (torchrun multiplies it by the process count)")
    optimizer: str = _option("sgd", "optimizer: SGD with momentum, or AdamW", choices=OPTIMIZERS)
    lr: float = _option(0.01, "peak learning rate, reached after warm-up, then poly decay to 0")
    momentum: float = _option(0.9, "SGD momentum, or AdamW's beta1")
    weight_decay: float = _option(1e-4, "L2 penalty (AdamW: decoupled decay)")
    poly_power: float = _option(0.9, "lr = peak * (1 - progress) ** power, as in DeepLab")
    warmup_steps: int = _option(0, "steps of linear warm-up from peak / warmup_steps to peak")
    loss: str = _option("ce", "training loss (registered in workbench.engine.loss_registry)", choices=list_losses)
    class_weights: tuple[float, ...] | None = _option(
        None, "one loss weight per class, e.g. 1 1 2.5 ...; none given: all 1"
    )
    ignore_index: int = _option(IGNORE_INDEX, "mask value of void pixels, left out of losses and metrics")
    crop_size: tuple[int, int] | None = _option(
        None,
        "random-crop training images to H W (one number: square) with scale/flip/jitter augmentation; "
        "none given: whole images, no augmentation",
        metavar="N",
    )
    num_workers: int = _option(0, "DataLoader worker processes (0: load in the main process)")
    device: str = _option("auto", "cpu, cuda, cuda:N, or auto (CUDA when available)")
    precision: str = _option("auto", "auto: bf16 on CUDA when supported, else fp16; fp32 on a CPU", choices=PRECISIONS)
    channels_last: bool = _option(True, "NHWC memory format on CUDA; ignored on a CPU")
    seed: int = _option(0, "seed of weights, data order, augmentation and dropout (pure functions of seed, epoch)")
    out_dir: str | None = _option(
        None, "run folder (None keeps nothing; `workbench train` uses runs/<model>)", flag="--out", metavar="DIR"
    )
    save_every: int = _option(1, "epochs between checkpoints (the last epoch is always saved)")
    resume: bool = _option(False, "continue from out_dir/last.safetensors when it exists")
    eval_every: int = _option(1, "epochs between validations (the last epoch is always validated)")
    log_every: int = _option(10, "steps between loss checks and progress/log updates")
    progress: bool = _option(True, "tqdm progress bars (on rank 0 only)")
    distances: bool = _option(
        False,
        "also score HD95 (95th-percentile Hausdorff distance, in pixels) in the run's "
        "record; slower: its distance searches are unbounded",
    )
    errors: bool = _option(
        False,
        "also count the error breakdown (boundary, extent and segment errors, Bernhard "
        "et al. 2024) into the run's record: the report's \"where each model loses its IoU\"",
    )
    tolerances: bool = _option(
        False,
        "also count BF, NSD and Boundary IoU at tolerances of 1-21 px into the run's "
        'record: the report\'s "scores over the tolerance"',
    )

    def __post_init__(self):
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("precision", self.precision, PRECISIONS)
        _check_choice("loss", self.loss, tuple(list_losses()))
        for name in ("epochs", "batch_size", "save_every", "eval_every", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig.{name} must be at least 1, got {getattr(self, name)}.")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"TrainConfig.max_steps must be None or at least 1, got {self.max_steps}.")
        if self.minutes is not None and not self.minutes > 0:
            raise ValueError(f"TrainConfig.minutes must be None or a positive number of minutes, got {self.minutes}.")
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
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
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


# The demo budget: what ``make demo`` (``workbench compare`` with its defaults) trains.
# Chosen so that the four families train, validate and draw their figures on a 2-core laptop CPU in about
# ten minutes together, and each clearly beats the chance level on the synthetic shapes: 768 steps of 8
# images of 64 x 64 per model, each training image seen three times (more distinct scenes rather than more
# epochs: with 256 scenes the FCN overfits), AdamW with the poly schedule, cross-entropy plus Dice.
DEMO_MODELS = ("fcn8s", "unet", "deeplabv3plus", "pspnet")
DEMO_DATA = {"num_images": 2048, "val_images": 64, "image_size": (64, 64)}  # synthetic shapes
DEMO_CONFIG = TrainConfig(epochs=3, batch_size=8, optimizer="adamw", lr=2e-3, weight_decay=1e-4, loss="ce+dice")
