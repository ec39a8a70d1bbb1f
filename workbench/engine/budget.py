"""Training budgets from the device: ``choose_budget("auto")`` sizes a run for the machine it runs on.

A budget fixes what decides how long a run takes: the image size and the number of images (generated data
only; a dataset folder keeps its own), the epochs and the batch size, plus the optimiser settings under
which that many steps learn. On a CPU it is a run that visibly learns the synthetic shapes in minutes on
a 2-core laptop (every model of notebook 04 above 3x the chance level); on a GPU a larger one. Values the
caller gives explicitly always win over the budget's.

A budget in minutes (``choose_budget("3 min")``) is the device's preset bounded in wall-clock time: each
run measures a short warm-up on this machine, plans as many of the preset's steps as fit, and stops at the
deadline (``TrainConfig.minutes``, ``workbench.engine.minutes``). On a machine fast enough for the whole
preset it trains exactly the preset; the fixed presets keep the same steps on every machine (``make demo``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from workbench.data import check_count, create_splits, parse_size
from workbench.data.registry import DATASETS
from workbench.engine.config import DEMO_CONFIG, DEMO_DATA, TrainConfig
from workbench.engine.loaders import train_steps_per_epoch
from workbench.engine.memory_cache import MemoryCache
from workbench.engine.runtime import resolve_device
from workbench.registry import Registry

SIZE_FIELDS = ("image_size", "num_images", "val_images")  # generated data only
RUN_FIELDS = ("epochs", "batch_size", "lr")


@dataclass(frozen=True)
class Budget:
    """One run's size. ``explicit`` names the fields the caller set (they win over the preset's)."""

    name: str  # the preset it started from: "cpu" or "gpu"
    image_size: tuple[int, int]  # (H, W) of generated images
    num_images: int  # generated training images
    val_images: int  # generated validation images
    epochs: int  # passes over the training set
    batch_size: int  # images per step
    lr: float  # AdamW peak learning rate, poly decay to 0
    loss: str = "ce+dice"  # Dice lifts the small classes early in a short run
    weight_decay: float = 1e-4  # AdamW's decoupled decay
    explicit: tuple[str, ...] = ()  # fields given by the caller
    minutes: float | None = None  # wall-clock minutes per run (training and validation); None: fixed steps

    def steps_per_epoch(self, num_train: int | None = None) -> int:
        """Optimizer steps of one epoch over ``num_train`` images (default: the budget's own count) in one
        process, as the training loader makes them (an incomplete last batch is dropped)."""
        return train_steps_per_epoch(self.num_images if num_train is None else num_train, self.batch_size)

    def train_config(self, **overrides) -> TrainConfig:
        """The ``TrainConfig`` of this budget; ``overrides`` (device, out_dir, crop_size...) are passed on."""
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            optimizer="adamw",
            lr=self.lr,
            loss=self.loss,
            weight_decay=self.weight_decay,
            **{"minutes": self.minutes, **overrides},
        )

    def create_splits(self, data, *, crop_size=None, seed: int | None = None):
        """``(train, val)`` for ``data`` (a dataset name or folder), via ``workbench.data.create_splits``.

        Generated data gets the budget's sizes and is drawn once and kept in memory (``MemoryCache``)
        unless training crops are random; a folder keeps its images and sizes, and uses only the first
        ``num_images`` / ``val_images`` when those were given explicitly.
        """
        generated = str(data) in DATASETS
        sizes = {k: getattr(self, k) for k in SIZE_FIELDS if generated or k in self.explicit}
        if not generated:
            sizes.pop("image_size", None)
        train, val = create_splits(data, crop_size=crop_size, seed=seed, **sizes)
        if generated:
            train, val = (train if crop_size else MemoryCache(train)), MemoryCache(val)
        return train, val

    def describe(self, data="synthetic") -> str:
        """One sentence for a notebook: what the run will do and why."""
        where = {"cpu": "for a CPU", "gpu": "for a GPU"}[self.name]
        what = (
            f"{self.num_images} training and {self.val_images} validation images of "
            f"{self.image_size[0]} x {self.image_size[1]}, "
            if str(data) in DATASETS
            else ""
        )
        mine = f" (yours: {', '.join(self.explicit)})" if self.explicit else ""
        steps = self.steps_per_epoch() * self.epochs
        limit = (
            f"at most {steps} steps on {self.num_images} images: as many as fit in {self.minutes:g} min on this "
            f"machine, planned from a warm-up"
            if self.minutes is not None
            else f"{steps} steps on {self.num_images} images"
        )
        return (
            f"Budget {where}{mine}: {what}{self.epochs} epochs of batch {self.batch_size} "
            f"({limit}), AdamW lr {self.lr:g}, {self.loss} loss."
        )


BUDGETS: Registry[Budget] = Registry("budget")
# The CPU budget is the demo's (``make demo``): 768 steps of 8 images of 64 x 64 per model. On the project's
# 2-core CPU FCN-8s takes about 1.5 min and the four models of notebook 04 about 7.5 min, each above 3x the
# majority-class chance mIoU (PSPNet, the weakest at this size, 3.1-3.2x). Fewer distinct scenes seen more
# often are worse: 1024 scenes x 6 epochs, the same 768 steps, leave PSPNet at 2.9x (docs/benchmarks.md).
BUDGETS.add(
    "cpu",
    Budget(
        "cpu",
        image_size=DEMO_DATA["image_size"],
        num_images=DEMO_DATA["num_images"],
        val_images=DEMO_DATA["val_images"],
        epochs=DEMO_CONFIG.epochs,
        batch_size=DEMO_CONFIG.batch_size,
        lr=DEMO_CONFIG.lr,
        loss=DEMO_CONFIG.loss,
        weight_decay=DEMO_CONFIG.weight_decay,
    ),
)
# Four times the pixels, twice the images, more steps: seconds per epoch on a current GPU.
BUDGETS.add(
    "gpu", Budget("gpu", image_size=(128, 128), num_images=2048, val_images=128, epochs=10, batch_size=16, lr=2e-3)
)


def list_budgets() -> list[str]:
    """The budget presets, plus ``"auto"`` (the one that fits the device); ``"<N> min"`` is ``"auto"`` in minutes."""
    return ["auto", *BUDGETS.names()]


def choose_budget(
    budget: str = "auto",
    *,
    device: str = "auto",
    image_size=None,
    num_images: int | None = None,
    val_images: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    min_size: int | None = None,
) -> Budget:
    """The budget of a run: a preset picked by name or by the device, with the caller's values on top.

    Args:
        budget: ``"auto"`` (``"gpu"`` when ``device`` resolves to CUDA, else ``"cpu"``), ``"cpu"`` or ``"gpu"``;
            or minutes, ``"3 min"``: the ``"auto"`` preset, each run planned to end within that many minutes
            (``Budget.minutes``).
        device: as ``TrainConfig.device``; only consulted for ``"auto"``.
        image_size: an int (square), a string such as ``"64"`` or ``"64,48"``, or ``(H, W)``; generated data only.
        num_images: an explicit value; ``None`` takes the budget's (so for the four below).
        val_images: as ``num_images``.
        epochs: as ``num_images``.
        batch_size: as ``num_images``.
        lr: as ``num_images``.
        min_size: without an ``image_size``, generated images are at least this many pixels on each side
            (notebook 03: at 64 px FCN-32s scores a 2 x 2 map, at 96 px 3 x 3); the preset's when larger.

    Returns:
        A frozen ``Budget``; ``budget.explicit`` lists the fields that came from the caller.

    Raises:
        ValueError: an unknown budget name (the valid ones are listed), or a value that is not positive.
    """
    minutes = _minutes(budget)
    if minutes is not None:
        budget = "auto"
    if budget == "auto":
        budget = "gpu" if resolve_device(device).type == "cuda" else "cpu"
    try:
        preset = BUDGETS.get(str(budget))
    except ValueError:
        raise ValueError(f"budget={budget!r} is not one of {list_budgets()}; use 'auto' to pick by device.") from None
    given = {
        "image_size": parse_size(image_size, "image_size"),
        "num_images": check_count(num_images, "num_images"),
        "val_images": check_count(val_images, "val_images"),
        "epochs": _positive(epochs, "epochs", int),
        "batch_size": _positive(batch_size, "batch_size", int),
        "lr": _positive(lr, "lr", float),
    }
    given = {k: v for k, v in given.items() if v is not None}
    if min_size is not None and "image_size" not in given:
        preset = dataclasses.replace(preset, image_size=tuple(max(side, min_size) for side in preset.image_size))
    return dataclasses.replace(
        preset, **given, minutes=minutes, explicit=tuple(k for k in (*SIZE_FIELDS, *RUN_FIELDS) if k in given)
    )


def _minutes(budget) -> float | None:
    """``"3 min"`` (or ``"3min"``, ``"0.5 min"``) as 3.0; None for a preset's name."""
    text = str(budget).strip()
    if not text.endswith("min"):
        return None
    try:
        value = float(text[: -len("min")])
    except ValueError:
        value = math.nan
    if not value > 0:
        raise ValueError(
            f"budget={budget!r}: give minutes as a positive number, e.g. '3 min', or one of {list_budgets()}."
        )
    return value


def _positive(value, name: str, kind: type):
    if value is None:
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name}={value!r} is not a number; give a positive {kind.__name__}, or None for the budget's value."
        ) from None
    if number <= 0 or (kind is int and number != float(value)):
        raise ValueError(f"{name}={value!r}: give a positive {kind.__name__}, or None for the budget's value.")
    return number
