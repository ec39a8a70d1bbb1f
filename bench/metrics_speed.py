"""Throughput of the streaming evaluator on CamVid-sized batches, against peers measured in the same run.

- Region scores (confusion matrix, IoU, accuracy): ``SegmentationEvaluator(boundary=False)`` against
  torchmetrics (``MulticlassJaccardIndex`` + ``MulticlassAccuracy`` per class, as a user would combine them,
  and ``MulticlassConfusionMatrix`` alone, the cheapest thing torchmetrics offers).
- Boundary scores (Boundary IoU and BF): the full evaluator (region scores included) against the plain
  per-image, per-class numpy/scipy reference of the tests (tests/metrics/reference.py).

The batch is 16 CamVid validation masks (360 x 480, 11 classes, void 255) as targets and a plausible
prediction (the masks shifted by a few pixels, a block pasted from another frame, a few noisy pixels);
without the CamVid copy it uses blocky synthetic maps of the same size. Prints a Markdown table.

    python bench/metrics_speed.py [--repeats 5] [--threads 2] [--device cpu]
"""
from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "metrics"))
sys.path.insert(0, str(ROOT))

import reference  # noqa: E402  (the plain per-image implementation the tests trust)

from workbench.metrics import SCORE_KEYS, SegmentationEvaluator  # noqa: E402

CAMVID = ROOT.parent / "shared" / "datasets" / "camvid"
NUM_CLASSES, VOID, SHAPE = 11, 255, (16, 360, 480)


def load_batch(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, str]:
    """``(preds, targets, source)``: int64 ``(16, 360, 480)`` maps, as a model and a loader would give them."""
    rng = np.random.default_rng(seed)
    paths = sorted((CAMVID / "masks" / "val").glob("*.png"))[: SHAPE[0]]
    if len(paths) == SHAPE[0]:
        from PIL import Image

        targets, source = np.stack([np.array(Image.open(p)) for p in paths]).astype(np.int64), "CamVid val masks"
    else:
        coarse = rng.integers(0, NUM_CLASSES, (SHAPE[0], 12, 16))
        targets, source = np.kron(coarse, np.ones((1, 30, 30), dtype=np.int64)), "synthetic blocks (no CamVid)"
    preds = np.roll(targets, (2, -3), axis=(1, 2))
    preds[:, 150:230, 200:330] = np.roll(targets, 1, axis=0)[:, 150:230, 200:330]
    noisy = rng.random(preds.shape) < 0.002
    preds[noisy] = rng.integers(0, NUM_CLASSES, int(noisy.sum()))
    preds[preds == VOID] = 0
    return torch.from_numpy(preds), torch.from_numpy(targets), source


def median_seconds(step, repeats: int) -> tuple[float, float]:
    """Median wall-clock and median process CPU seconds of ``step`` (CPU time is steadier on a shared machine)."""
    step()  # warm-up: allocator, lazy imports
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def ours(boundary: bool, device: str):
    def step(preds, targets):
        evaluator = SegmentationEvaluator(NUM_CLASSES, VOID, boundary=boundary)
        evaluator.update(preds.to(device), targets.to(device))
        return evaluator.compute()

    return step


def torchmetrics_steps(device: str) -> dict:
    from torchmetrics.classification import MulticlassAccuracy, MulticlassConfusionMatrix, MulticlassJaccardIndex

    def combined(preds, targets):
        metrics = [MulticlassJaccardIndex(NUM_CLASSES, average=None, ignore_index=VOID).to(device),
                   MulticlassAccuracy(NUM_CLASSES, average=None, ignore_index=VOID).to(device)]  # fmt: skip
        return [m(preds, targets) for m in metrics]

    def confusion(preds, targets, validate=True):
        metric = MulticlassConfusionMatrix(NUM_CLASSES, ignore_index=VOID, validate_args=validate).to(device)
        return metric(preds, targets)

    return {
        "torchmetrics JaccardIndex + Accuracy (per class)": combined,
        "torchmetrics ConfusionMatrix": confusion,
        "torchmetrics ConfusionMatrix, validate_args=False": lambda p, t: confusion(p, t, validate=False),
    }


def reference_boundary(preds, targets):
    for pred, target in zip(preds.numpy(), targets.numpy()):
        reference.boundary_iou_image(pred, target, NUM_CLASSES, VOID)
        reference.bf_image(pred, target, NUM_CLASSES, VOID)


def check_agreement(preds, targets, device: str) -> float:
    """Largest difference between our scores and the reference on this batch (must be below 1e-9)."""
    got = ours(True, device)(preds, targets).as_dict()
    want = reference.quiet(reference.scores, preds.numpy(), targets.numpy(), NUM_CLASSES, VOID)
    return max(float(np.nanmax(np.abs(np.asarray(got[k], dtype=float) - want[k]), initial=0.0)) for k in SCORE_KEYS)


def measure(preds, targets, args) -> tuple[list, list]:
    """Rows ``(scores, implementation, (wall s, CPU s))``: region group and boundary group, ours first in each."""
    p, t = preds.to(args.device), targets.to(args.device)
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)

    def timed(fn, repeats=args.repeats):
        return median_seconds(lambda: (fn(p, t), sync()), repeats)

    region = [("region", "workbench SegmentationEvaluator(boundary=False)", timed(ours(False, args.device)))]
    region += [("region", name, timed(fn)) for name, fn in torchmetrics_steps(args.device).items()]
    slow = median_seconds(lambda: reference_boundary(preds, targets), args.reference_repeats)
    boundary = [("region + boundary", "workbench SegmentationEvaluator", timed(ours(True, args.device))),
                ("boundary", "per-image numpy/scipy reference", slow)]  # fmt: skip
    return region, boundary


def print_table(groups, megapixels: float) -> None:
    print("| scores | implementation | wall ms / batch | megapixels/s (wall) | CPU ms / batch | workbench speed-up |")
    print("|---|---|---:|---:|---:|---:|")
    for rows in groups:
        ours_wall, ours_cpu = rows[0][2]
        for i, (kind, name, (wall, cpu)) in enumerate(rows):
            ratio = f"{wall / ours_wall:.1f}x wall, {cpu / ours_cpu:.1f}x CPU" if i else ""
            print(f"| {kind} | {name} | {wall * 1e3:.0f} | {megapixels / wall:.1f} | {cpu * 1e3:.0f} | {ratio} |")
    region, boundary = groups
    region_ratio = min(row[2][0] for row in region[1:]) / region[0][2][0]
    boundary_ratio = boundary[1][2][0] / boundary[0][2][0]
    print(f"\nTargets (wall clock): region >= 2x the fastest torchmetrics row: {region_ratio:.1f}x "
          f"({'met' if region_ratio >= 2 else 'MISSED'}); boundary >= 10x the reference: {boundary_ratio:.1f}x "
          f"({'met' if boundary_ratio >= 10 else 'MISSED'}).")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per row (median reported)")
    parser.add_argument("--reference-repeats", type=int, default=1, help="timed runs of the slow reference")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--device", default="cpu", help="device of the batch for our evaluator and torchmetrics")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    preds, targets, source = load_batch()
    agreement = check_agreement(preds, targets, args.device)
    groups = measure(preds, targets, args)
    print(f"Metrics throughput, {datetime.date.today()}: {tuple(preds.shape)} batch, {NUM_CLASSES} classes, "
          f"{source}; device {args.device}, torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s).")
    print(f"Largest |workbench - reference| over all score keys on this batch: {agreement:.1e}.\n")
    print_table(groups, preds.numel() / 1e6)


if __name__ == "__main__":
    main()
