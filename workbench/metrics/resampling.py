"""What one bootstrap resample draws: single images, whole groups (cities, sites), or blocks of video frames.

A resample is a count per image, so R resamples are one ``(R, N)`` count matrix (``Resampling.counts``),
whatever the unit. With ``rng = numpy.random.default_rng(seed)``, N images and R resamples, the draws are
exactly:

- **image-level** (``groups=None, block=None``): ``rng.integers(0, N, (R, N))``; image ``i`` is counted as
  often as it is drawn. Every image is an independent draw (VOC, ADE20K, synthetic data).
- **cluster** (``groups``, ``block=None``; Davison and Hinkley 1997, section 3.8): the G distinct labels are
  numbered in order of first appearance; ``rng.integers(0, G, (R, G))`` draws G groups with replacement and
  each drawn group brings all its images. Groups of one image each are therefore the image-level draws.
- **moving block** (``block=L``; Kunsch 1989, in its circular form, Politis and Romano 1992): each group
  (``groups=None``: all images are one sequence) is kept and resampled within itself. For each group in
  order of first appearance, with its n images in the order given (callers give stem order, which is frame
  order) and ``k = ceil(n / L)``: ``starts = rng.integers(0, n, (R, k))``; block ``j`` of resample ``r`` is
  the images at positions ``(starts[r, j] + 0, 1, ..., L - 1) mod n``; the k blocks, in draw order, are cut
  to their first n images. ``block=1`` is the image-level draw within each group.

Circular rather than Kunsch's original n - L + 1 starts: with the original, the first and last L - 1 frames
of a sequence fall in fewer blocks than the rest (frame ``i < L`` in ``i + 1`` of the n - L + 1 possible
blocks; for CamVid val's 101 frames at L = 10, 18 of them underweighted), so the resamples' mean is not the
sample's and the percentile interval drifts towards the middle frames. Wrapping gives every frame the same
chance; its price is one artificial junction (last frame to first) per group.

Fewer than ``MIN_GROUPS`` groups cannot show how much the score varies between groups: such an interval
(over clusters, or over blocks within one or a few sequences) is given but flagged (``few_groups``), and
consumers show the scores per group beside it (``Scores.by_group``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_GROUPS = 5  # fewer groups than this: between-group variation cannot be estimated
IMAGE_LEVEL = "image-level percentile bootstrap"


@dataclass(frozen=True)
class Resampling:
    """The unit of a bootstrap: ``groups`` (group number per image, 0..G-1 by first appearance) and ``block``.

    Build it with ``resampling(num_images, groups, block)``, which checks the arguments.
    """

    groups: np.ndarray  # (N,) int64; each image its own group for the image-level bootstrap
    block: int | None  # frames per moving block, None for whole groups
    noun: str = "group"  # what one group is: "sequence", "city", "image", ...

    @property
    def num_groups(self) -> int:
        return int(self.groups.max()) + 1

    @property
    def image_level(self) -> bool:
        return self.block is None and self.num_groups == len(self.groups)

    @property
    def few_groups(self) -> bool:
        """Fewer than ``MIN_GROUPS`` groups (clusters, or sequences cut into blocks): the variation between
        groups cannot be estimated, only that within them."""
        return not self.image_level and self.num_groups < MIN_GROUPS

    @property
    def unit(self) -> str:
        """What one draw takes: ``image``, the group's noun (``city``) or ``block of 10 frames``."""
        if self.block is not None:
            return f"block of {self.block} frames"
        return "image" if self.image_level else self.noun

    @property
    def method(self) -> str:
        """The bootstrap named with its unit, e.g. ``cluster percentile bootstrap over 3 cities``."""
        if self.image_level:
            return IMAGE_LEVEL
        groups = _counted(self.num_groups, self.noun)
        if self.block is None:
            return f"cluster percentile bootstrap over {groups}"
        within = f"within one {self.noun}" if self.num_groups == 1 else f"within each of {groups}"
        return f"circular moving-block percentile bootstrap, blocks of {self.block} frames {within}"

    def counts(self, resamples: int, seed: int) -> np.ndarray:
        """``(R, N)`` float64: how often each image is in each of R resamples (the draws of the module doc)."""
        rng = np.random.default_rng(seed)
        n = len(self.groups)
        if self.image_level:
            return _bincount_rows(rng.integers(0, n, (resamples, n)), n)
        if self.block is None:
            drawn = _bincount_rows(rng.integers(0, self.num_groups, (resamples, self.num_groups)), self.num_groups)
            return drawn[:, self.groups]
        picks = [
            _block_picks(rng, np.flatnonzero(self.groups == g), self.block, resamples) for g in range(self.num_groups)
        ]
        return _bincount_rows(np.concatenate(picks, axis=1), n)


def resampling(num_images: int, groups=None, block: int | None = None) -> Resampling:
    """Check and number the bootstrap unit.

    Args:
        num_images: N, the images scored.
        groups: one label per image (any hashable: a sequence name, a city), or an object with ``labels`` and
            ``unit`` (``workbench.data.ImageGroups``: its ``unit`` names the groups in ``method``); None: each
            image alone (with ``block``: all images one sequence).
        block: frames per moving block (a whole number >= 1), or None.

    Raises:
        ValueError: no images, labels not one per image, or a block that is not a positive whole number.
    """
    if num_images < 1:
        raise ValueError("bootstrap: no images were scored; a confidence interval needs at least one image.")
    if block is not None and (isinstance(block, bool) or int(block) != block or block < 1):
        raise ValueError(f"bootstrap: block must be a whole number of frames >= 1, got {block!r} (or None).")
    noun = getattr(groups, "unit", None) or ("group" if groups is not None else "sequence")
    if groups is None:
        numbers = np.zeros(num_images, np.int64) if block is not None else np.arange(num_images)
        return Resampling(numbers, None if block is None else int(block), noun)
    labels = list(getattr(groups, "labels", groups))
    if len(labels) != num_images:
        raise ValueError(
            f"bootstrap: groups has {len(labels)} labels for {num_images} images; give one label per "
            f"image, in the order of the per-image statistics (workbench.data.image_groups(dataset))."
        )
    first: dict = {}
    numbers = np.array([first.setdefault(label, len(first)) for label in labels], np.int64)
    return Resampling(numbers, None if block is None else int(block), noun)


def _block_picks(rng: np.random.Generator, positions: np.ndarray, block: int, resamples: int) -> np.ndarray:
    """``(R, n)`` image indices of one group's circular moving-block resamples."""
    n = len(positions)
    starts = rng.integers(0, n, (resamples, math.ceil(n / block)))
    offsets = (starts[:, :, None] + np.arange(block)) % n
    return positions[offsets.reshape(resamples, -1)[:, :n]]


def _bincount_rows(draws: np.ndarray, width: int) -> np.ndarray:
    """``(R, width)`` float64: per row, how often each of ``0..width-1`` occurs in that row of ``draws``."""
    rows = len(draws)
    flat = draws + np.arange(rows)[:, None] * width
    return np.bincount(flat.ravel(), minlength=rows * width).reshape(rows, width).astype(np.float64)


def _counted(count: int, noun: str) -> str:
    plural = noun if count == 1 else noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {plural}"
