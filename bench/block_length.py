"""The moving-block length for CamVid's video frames: autocorrelation of per-image scores by lag, and the
bootstrap interval width by block length, on the 101 CamVid val frames (one sequence, 0016E5, in stem order).

Two honest predictors, no trained model needed:

- ``prior``: the per-pixel majority class of the 367 CamVid train masks (a location prior learned from train
  only; about 0.6 pixel accuracy on val);
- ``coarse``: the val target itself, coarsened to the class at the centre of each 16 x 16 cell and shifted
  8 px right (errors at every boundary, so a frame's accuracy follows how cluttered the scene is).

Printed (markdown): the lag-k autocorrelation of per-image pixel accuracy and of per-image mIoU for each
predictor, and the width of the 95% interval of pixel accuracy and of mIoU for each block length L, relative
to the image-level interval (2000 resamples, seed 0, the circular moving-block bootstrap of
``workbench.metrics.resampling``).

    python bench/block_length.py [--camvid DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.data import SegmentationFolder, data_target  # noqa: E402
from workbench.metrics import evaluate  # noqa: E402

CAMVID = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "camvid"
LAGS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30)
BLOCKS = (1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 30)
CELL, SHIFT = 16, 8


def masks(root: Path, split: str) -> np.ndarray:
    data = SegmentationFolder(root, split)
    return np.stack([data_target(data, i) for i in range(len(data))])


def prior_prediction(train: np.ndarray, num_classes: int, count: int) -> np.ndarray:
    """The per-pixel majority class of the train masks, the same map for every val frame."""
    votes = np.stack([(train == c).sum(0) for c in range(num_classes)])
    return np.broadcast_to(votes.argmax(0), (count, *train.shape[1:])).copy()


def coarse_prediction(val: np.ndarray) -> np.ndarray:
    """Each target coarsened to its 16 x 16 cells' centre class, shifted ``SHIFT`` px right (void kept as is:
    a void centre predicts class 0)."""
    rows, cols = (((np.arange(n) // CELL) * CELL + CELL // 2).clip(max=n - 1) for n in val.shape[1:])
    coarse = val[:, rows[:, None], cols[None, :]]
    coarse = np.where(coarse == 255, 0, coarse)
    return np.roll(coarse, SHIFT, axis=2)


def autocorrelation(x: np.ndarray, lag: int) -> float:
    """The usual ACF estimate: lag-``lag`` autocovariance over the lag-0 one, about the sample mean."""
    x = x - x.mean()
    return float((x[:-lag] * x[lag:]).sum() / (x * x).sum())


def widths(scores, keys=("pixel_accuracy", "miou")) -> dict:
    """Interval width of each key for the image-level bootstrap and for every block length."""

    def width(table, key):
        return table.loc[key, "high"] - table.loc[key, "low"]

    base = scores.bootstrap()
    rows = {"image": {key: width(base, key) for key in keys}}
    for block in BLOCKS:
        table = scores.bootstrap(block=block)
        rows[block] = {key: width(table, key) for key in keys}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--camvid", type=Path, default=CAMVID)
    args = parser.parse_args()
    val, train = masks(args.camvid, "val"), masks(args.camvid, "train")
    predictors = {"prior": prior_prediction(train, 11, len(val)), "coarse": coarse_prediction(val)}
    scores = {name: evaluate(pred, val, 11) for name, pred in predictors.items()}
    per_image = {name: s.image_stats.per_image() for name, s in scores.items()}
    print(
        f"{len(val)} val frames; mean per-image pixel accuracy: "
        + ", ".join(f"{n} {p['pixel_accuracy'].mean():.3f}" for n, p in per_image.items())
        + "\n"
    )
    series = {f"{n} {k}": per_image[n][k].to_numpy(float) for n in per_image for k in ("pixel_accuracy", "miou")}
    print("| lag | " + " | ".join(series) + " |\n|---:|" + "---:|" * len(series))
    for lag in LAGS:
        print(f"| {lag} | " + " | ".join(f"{autocorrelation(x, lag):.2f}" for x in series.values()) + " |")
    print("\nn^(1/3) =", f"{len(val) ** (1 / 3):.2f}")
    table = {name: widths(s) for name, s in scores.items()}
    cols = [(n, k) for n in table for k in ("pixel_accuracy", "miou")]
    print(
        "\n| block L | "
        + " | ".join(f"{n} {k} width (x image-level)" for n, k in cols)
        + " |\n|---|"
        + "---:|" * len(cols)
    )
    for block in ("image", *BLOCKS):
        cells = [f"{table[n][block][k]:.4f} ({table[n][block][k] / table[n]['image'][k]:.2f}x)" for n, k in cols]
        print(f"| {block} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
