"""Boundary scores per core: region only, full evaluation and its parts, on Cityscapes-sized masks.

Per image, 2048 x 1024 index masks with 19 classes: blocky regions (a coarse random grid whose block rows
are shifted, plus 3-px poles and lines), the bottom 10% void (255); the prediction is the target rolled by
(3, -2) px with 20 wrong blocks. Times are process CPU seconds on one torch thread (the evaluator runs
single-threaded; parallelism is over images, so megapixels per second per core is what counts), the median
of ``--repeats`` runs after a warm-up, with the fastest run beside it. The peer, torchmetrics
``MulticlassJaccardIndex`` (region IoU only), runs on the same masks in the same process.

    python bench/boundary_speed.py [--repeats 15] [--images 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.metrics import SegmentationEvaluator  # noqa: E402
from workbench.metrics.boundary import NUM_BAND_FLAGS, band_flags, boundary_f1, label_edge_pair  # noqa: E402
from workbench.metrics.confusion import confusion_counts  # noqa: E402
from workbench.metrics.inputs import label_batches  # noqa: E402

NUM_CLASSES, VOID, HEIGHT, WIDTH = 19, 255, 1024, 2048


def make_masks(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(pred, target)``: int64 ``(1024, 2048)`` maps as a loader and ``argmax`` would give them."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, NUM_CLASSES, (HEIGHT // 64 + 1, WIDTH // 64 + 1))
    target = np.kron(coarse, np.ones((64, 64), dtype=np.int64))[:HEIGHT, :WIDTH]
    for row in range(0, HEIGHT, 64):  # irregular outlines: each band of blocks slid sideways
        target[row : row + 64] = np.roll(target[row : row + 64], int(rng.integers(0, 64)), axis=1)
    for x in rng.integers(0, WIDTH - 3, 30):  # poles
        target[rng.integers(0, HEIGHT // 2) :, x : x + 3] = rng.integers(0, NUM_CLASSES)
    for y in rng.integers(0, HEIGHT - 3, 10):  # lines
        target[y : y + 3, :] = rng.integers(0, NUM_CLASSES)
    target[-HEIGHT // 10 :] = VOID
    pred = np.roll(target, (3, -2), axis=(0, 1))
    for _ in range(20):  # wrong blobs
        y, x = rng.integers(0, HEIGHT - 80), rng.integers(0, WIDTH - 80)
        pred[y : y + rng.integers(10, 80), x : x + rng.integers(10, 80)] = rng.integers(0, NUM_CLASSES)
    pred[pred == VOID] = 0
    return torch.from_numpy(pred), torch.from_numpy(target)


def cpu_seconds(step, repeats: int) -> tuple[float, float]:
    """Median and fastest process CPU seconds of ``step`` over ``repeats`` runs after one warm-up."""
    step()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return statistics.median(times), min(times)


def steps(images) -> dict:
    """Name -> callable scoring every image of ``images`` (a list of ``(pred, target)``) once."""
    batches = [label_batches(p, t, NUM_CLASSES, VOID)[0] for p, t in images]
    edges = [label_edge_pair(b) for b in batches]

    def evaluator(boundary):
        return lambda: [SegmentationEvaluator(NUM_CLASSES, VOID, boundary=boundary).update(p, t) for p, t in images]

    def jaccard():
        from torchmetrics.classification import MulticlassJaccardIndex

        for p, t in images:
            MulticlassJaccardIndex(NUM_CLASSES, average=None, ignore_index=VOID)(p, t)

    def flagged_confusion(batch, edge_pair):
        flags = band_flags(batch, edge_pair)
        return confusion_counts(batch.preds, batch.targets, NUM_CLASSES, flags=flags, num_flags=NUM_BAND_FLAGS)

    return {
        "region only: SegmentationEvaluator(boundary=False).update": evaluator(False),
        "full: SegmentationEvaluator().update (region + Boundary IoU + BF)": evaluator(True),
        "part: edges (label_edge_pair)": lambda: [label_edge_pair(b) for b in batches],
        "part: band flags + confusion (band_flags, confusion_counts)": lambda: [
            flagged_confusion(b, e) for b, e in zip(batches, edges)
        ],
        "part: BF matching (boundary_f1, edges given)": lambda: [
            boundary_f1(b, NUM_CLASSES, e) for b, e in zip(batches, edges)
        ],
        "peer: torchmetrics MulticlassJaccardIndex (region IoU only)": jaccard,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per row (median reported)")
    parser.add_argument("--images", type=int, default=2, help="distinct synthetic images per run")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    images = [make_masks(seed) for seed in range(args.images)]
    megapixels = args.images * HEIGHT * WIDTH / 1e6
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Boundary scores per core, {datetime.date.today()}: {args.images} x {WIDTH}x{HEIGHT} masks, "
        f"{NUM_CLASSES} classes, 10% void; torch {torch.__version__}, 1 thread, {os.cpu_count()} CPUs, "
        f"load average {load:.2f}; CPU time, median of {args.repeats} (fastest run in brackets).\n"
    )
    print("| step | CPU ms / image | MP/s per core |")
    print("|---|---:|---:|")
    for name, step in steps(images).items():
        median, fastest = cpu_seconds(step, args.repeats)
        per_image = median / args.images * 1e3
        print(f"| {name} | {per_image:.1f} | {megapixels / median:.1f} ({megapixels / fastest:.1f}) |")


if __name__ == "__main__":
    main()
