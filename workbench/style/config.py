"""Settings of one style-transfer run (Gatys, Ecker, Bethge, CVPR 2016) as a frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass

# Layer names follow the VGG paper: convB_I is the I-th convolution of block B (blocks end in a pooling).
GATYS_CONTENT_LAYER = "conv4_2"
GATYS_STYLE_LAYERS = (
    ("conv1_1", 0.2),
    ("conv2_1", 0.2),
    ("conv3_1", 0.2),
    ("conv4_1", 0.2),
    ("conv5_1", 0.2),
)  # the paper's w_l = 1/5 on each of the five layers

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "noise")
DEFAULT_LR = {"lbfgs": 1.0, "adam": 0.02}  # Adam moves pixel values in [0, 1] directly


@dataclass(frozen=True)
class StyleConfig:
    """What to match, how strongly, and how to optimise the image.

    Layers are named as :class:`~workbench.style.FeatureExtractor` resolves them: VGG-style names
    (``"conv4_2"``), a child's name, or an integer index into the CNN.

    The total loss is ``content_weight * L_content + style_weight * sum_l w_l * E_l + tv_weight * L_tv``
    (see :mod:`workbench.style.losses` for each term and its normalisation). The default weights follow
    the scale of PyTorch's neural-style tutorial, which uses the same normalisations.
    """

    content_layer: str | int = GATYS_CONTENT_LAYER
    style_layers: tuple[tuple[str | int, float], ...] = GATYS_STYLE_LAYERS  # (layer, w_l) pairs
    content_weight: float = 1.0  # alpha in the paper
    style_weight: float = 1e6  # beta; large because Gram entries are normalised by C*H*W
    tv_weight: float = 1.0  # light smoothing; 0 switches total variation off
    steps: int = 300  # optimiser steps (one L-BFGS iteration or one Adam update each)
    optimizer: str = "lbfgs"  # "lbfgs" (as in the paper) or "adam"
    lr: float | None = None  # None: 1.0 for L-BFGS, 0.02 for Adam
    stage_every: int = 25  # keep a snapshot ("stage") every this many steps, plus the last
    image_size: int | None = 256  # longer image side in pixels; None keeps the inputs' sizes
    init: str = "content"  # start from the content image or from uniform noise
    seed: int = 0  # seeds the noise start

    def __post_init__(self):
        object.__setattr__(self, "style_layers", tuple((layer, float(w)) for layer, w in self.style_layers))
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"StyleConfig: optimizer {self.optimizer!r} is unknown; use one of {OPTIMIZERS}.")
        if self.init not in INITS:
            raise ValueError(f"StyleConfig: init {self.init!r} is unknown; use one of {INITS}.")
        if not self.style_layers:
            raise ValueError("StyleConfig: style_layers is empty; give at least one (layer, weight) pair.")
        names = [layer for layer, _ in self.style_layers]
        if len(set(names)) != len(names):
            raise ValueError(f"StyleConfig: style layer listed twice in {names}; give each layer once with its weight.")
        if self.steps < 1 or self.stage_every < 1:
            raise ValueError(f"StyleConfig: steps ({self.steps}) and stage_every ({self.stage_every}) must be >= 1.")
        weights = [self.content_weight, self.style_weight, self.tv_weight, *(w for _, w in self.style_layers)]
        if min(weights) < 0:
            raise ValueError(f"StyleConfig: loss weights must be >= 0, got {weights}.")
        if self.image_size is not None and self.image_size < 8:
            raise ValueError(f"StyleConfig: image_size {self.image_size} is too small; use >= 8 or None.")

    @property
    def learning_rate(self) -> float:
        """The step size in use: ``lr``, or the optimiser's default when ``lr`` is None."""
        return DEFAULT_LR[self.optimizer] if self.lr is None else float(self.lr)

    @property
    def layers(self) -> tuple[str | int, ...]:
        """Every layer the losses read, content layer first, without repeats."""
        ordered = [self.content_layer, *(layer for layer, _ in self.style_layers)]
        return tuple(dict.fromkeys(ordered))


BUDGETS = {  # per device type: what runs in about a minute on a 2-core laptop CPU, and the paper's run on a GPU
    "cpu": {"image_size": 128, "steps": 40, "optimizer": "adam", "lr": 0.04, "stage_every": 4},
    "cuda": {"image_size": 256, "steps": 300, "optimizer": "lbfgs", "lr": None, "stage_every": 25},
}


def style_budget(device_type: str, **chosen) -> dict:
    """StyleConfig fields for a device: the budget of its type, with every ``chosen`` value that is not None.

    ``style_budget("cpu", steps=100)`` gives the CPU budget with 100 steps. Adam's steps cost one loss
    evaluation each, L-BFGS's up to 20, which is why a CPU gets Adam. Unknown device types (``"mps"``)
    get the CPU budget.
    """
    unknown = set(chosen) - set(BUDGETS["cpu"])
    if unknown:
        raise ValueError(
            f"style_budget: {sorted(unknown)} are not budget fields; choose from {sorted(BUDGETS['cpu'])}."
        )
    budget = dict(BUDGETS.get(device_type, BUDGETS["cpu"]))
    return {**budget, **{name: value for name, value in chosen.items() if value is not None}}
