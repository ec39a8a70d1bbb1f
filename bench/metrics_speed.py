"""Throughput of the streaming evaluator on CamVid-sized batches, against peers measured in the same run.

- Region scores (confusion matrix, IoU, accuracy): ``SegmentationEvaluator(boundary=False)`` against
  torchmetrics (``MulticlassJaccardIndex`` + ``MulticlassAccuracy`` per class, as a user would combine them,
  and ``MulticlassConfusionMatrix`` alone, the cheapest thing torchmetrics offers).
- Boundary scores (Boundary IoU and BF): the full evaluator (region scores included) against the plain
  per-image, per-class numpy/scipy reference of the tests (tests/metrics/reference.py).

The batch is 16 CamVid validation masks (360 x 480, 11 classes, void 255) as targets and a plausible
prediction (the masks shifted by a few pixels, a block pasted from another frame, a few noisy pixels);
without the CamVid copy it uses blocky synthetic maps of the same size. Prints a Markdown table.

- HD95 (``--only hd95``): the evaluator's distance scores alone (``distances=True`` minus the evaluator
  without them, measured in the same run) against MONAI's ``compute_hausdorff_distance(percentile=95)``
  on one-hot maps and against the plain scipy reference, on the first ``--hd95-images`` masks.
- Bootstrap (``--only bootstrap``): ``Scores.bootstrap`` on all CamVid val images (2000 resamples, every
  scalar score) against one ``evaluate`` of the same images and against a Python loop that rescores each
  resample with ``Scores.from_image_stats(ImageStats.subset(...))``.

    python bench/metrics_speed.py [--repeats 5] [--threads 2] [--device cpu] [--only throughput|hd95|bootstrap]
        [--camvid DIR]
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

from workbench.metrics import SCORE_KEYS, Scores, SegmentationEvaluator, evaluate  # noqa: E402

CAMVID = ROOT.parent / "shared" / "datasets" / "camvid"
NUM_CLASSES, VOID, SHAPE = 11, 255, (16, 360, 480)


def load_batch(seed: int = 0, camvid: Path = CAMVID, count: int = SHAPE[0]) -> tuple[torch.Tensor, torch.Tensor, str]:
    """``(preds, targets, source)``: int64 ``(count, 360, 480)`` maps, as a model and a loader would give them.

    ``count=None`` takes every CamVid val mask.
    """
    rng = np.random.default_rng(seed)
    paths = sorted((camvid / "masks" / "val").glob("*.png"))[:count]
    if paths and (count is None or len(paths) == count):
        from PIL import Image

        targets, source = np.stack([np.array(Image.open(p)) for p in paths]).astype(np.int64), "CamVid val masks"
    else:
        coarse = rng.integers(0, NUM_CLASSES, (count or 101, 12, 16))
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
    print(
        f"\nTargets (wall clock): region >= 2x the fastest torchmetrics row: {region_ratio:.1f}x "
        f"({'met' if region_ratio >= 2 else 'MISSED'}); boundary >= 10x the reference: {boundary_ratio:.1f}x "
        f"({'met' if boundary_ratio >= 10 else 'MISSED'})."
    )


def hd95_rows(preds, targets, repeats: int, device: str) -> tuple[list, float]:
    """Rows ``(implementation, (wall s, CPU s))``, ours first (on ``device``), and our largest difference from
    the reference."""
    from monai.metrics import compute_hausdorff_distance

    def one_hot(labels):
        return torch.nn.functional.one_hot(labels.clamp(max=NUM_CLASSES - 1), NUM_CLASSES).movedim(-1, 1)

    p, t = preds.to(device), targets.to(device)
    with_distances = median_seconds(lambda: evaluate(p, t, NUM_CLASSES, VOID, distances=True), repeats)
    without = median_seconds(lambda: evaluate(p, t, NUM_CLASSES, VOID), repeats)
    ours = (with_distances[0] - without[0], with_distances[1] - without[1])
    monai = median_seconds(lambda: compute_hausdorff_distance(one_hot(preds), one_hot(targets), percentile=95), 1)
    pairs = list(zip(preds.numpy(), targets.numpy()))
    scipy = median_seconds(lambda: [reference.hd95_image(p, t, NUM_CLASSES, VOID) for p, t in pairs], 1)
    got = evaluate(preds, targets, NUM_CLASSES, VOID, distances=True).image_stats.counts["hd95"]
    want = np.stack([reference.hd95_image(p, t, NUM_CLASSES, VOID) for p, t in pairs])
    agreement = float(np.nanmax(np.abs(got - want)))
    rows = [
        ("workbench evaluate(distances=True) minus evaluate()", ours),
        ("MONAI compute_hausdorff_distance(percentile=95)", monai),
        ("per-image scipy reference", scipy),
    ]
    return rows, agreement


def print_hd95(rows, agreement: float, shape) -> None:
    print(
        f"HD95 cost: {tuple(shape)} batch, {NUM_CLASSES} classes. Largest |workbench - reference| over the "
        f"(image, class) cells: {agreement:.1e}.\n"
    )
    print_relative(rows)


def print_relative(rows) -> None:
    print("| implementation | wall ms | CPU ms | relative to the first row (wall) |")
    print("|---|---:|---:|---:|")
    ours_wall = rows[0][1][0]
    for i, (name, (wall, cpu)) in enumerate(rows):
        print(f"| {name} | {wall * 1e3:.0f} | {cpu * 1e3:.0f} | {'' if i == 0 else f'{wall / ours_wall:.1f}x'} |")
    print()


def bootstrap_rows(preds, targets, resamples: int, repeats: int) -> tuple[list, int]:
    """Rows ``(implementation, (wall s, CPU s))``: our bootstrap first, then its peers."""
    scores = evaluate(preds, targets, NUM_CLASSES, VOID)
    stats, loop_resamples = scores.image_stats, max(1, resamples // 20)
    draws = np.random.default_rng(0).integers(0, len(stats), (loop_resamples, len(stats)))

    def loop():
        return [Scores.from_image_stats(stats.subset(draw)) for draw in draws]

    wall, cpu = median_seconds(loop, 1)
    scale = resamples / loop_resamples
    rows = [
        (f"Scores.bootstrap({resamples} resamples)", median_seconds(lambda: scores.bootstrap(resamples), repeats)),
        ("evaluate (all scores, once)", median_seconds(lambda: evaluate(preds, targets, NUM_CLASSES, VOID), 1)),
        (
            f"loop of Scores.from_image_stats(subset(...)), {loop_resamples} resamples x {scale:.0f}",
            (wall * scale, cpu * scale),
        ),
    ]
    return rows, len(stats)


def print_bootstrap(rows, num_images: int, source: str) -> None:
    print(f"Bootstrap cost: {num_images} images ({source}), {NUM_CLASSES} classes, every scalar score.\n")
    print_relative(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per row (median reported)")
    parser.add_argument("--reference-repeats", type=int, default=1, help="timed runs of the slow reference")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--device", default="cpu", help="device of the batch for our evaluator and torchmetrics")
    parser.add_argument("--only", choices=["throughput", "hd95", "bootstrap"], default=None, help="run one section")
    parser.add_argument("--hd95-images", type=int, default=4, help="masks in the HD95 batch (MONAI is slow)")
    parser.add_argument("--camvid", type=Path, default=CAMVID, help="the CamVid copy (folder with masks/val)")
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.only in (None, "throughput"):
        throughput(args)
    if args.only in (None, "hd95"):
        preds, targets, _ = load_batch(camvid=args.camvid)
        device_preds, device_targets = preds[: args.hd95_images], targets[: args.hd95_images]  # on the CPU
        print_hd95(*hd95_rows(device_preds, device_targets, args.repeats, args.device), device_preds.shape)
    if args.only in (None, "bootstrap"):
        preds, targets, source = load_batch(camvid=args.camvid, count=None)
        print_bootstrap(*bootstrap_rows(preds, targets, args.resamples, args.repeats), source)


def throughput(args) -> None:
    preds, targets, source = load_batch(camvid=args.camvid)
    agreement = check_agreement(preds, targets, args.device)
    groups = measure(preds, targets, args)
    print(
        f"Metrics throughput, {datetime.date.today()}: {tuple(preds.shape)} batch, {NUM_CLASSES} classes, "
        f"{source}; device {args.device}, torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s)."
    )
    print(f"Largest |workbench - reference| over all score keys on this batch: {agreement:.1e}.\n")
    print_table(groups, preds.numel() / 1e6)
    print()


if __name__ == "__main__":
    main()
