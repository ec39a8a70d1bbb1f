"""Training throughput of ``workbench.engine.fit`` against a bare minimal loop, measured in one run.

Both train the same model (same initial weights) on the same synthetic images with the same batch size,
DataLoader settings (workers, pinned memory, ``pad_collate``), optimizer, cross-entropy loss and precision
(bf16/fp16 autocast on CUDA, float32 on a CPU). The bare loop is the ten lines below (``bare_loop``);
``fit`` adds the poly schedule, seeded sampling, loss checks, progress bar and DDP plumbing, and here writes
no run folder and skips validation, so what is compared is the training loop itself. Each timing covers a
whole call (loader start-up included) for ``--steps`` steps, after one warm-up call; the two are
interleaved and the best of ``--repeats`` is kept. Target: ``fit`` within 5% of the bare loop.

    python bench/train_speed.py [--models fcn8s unet deeplabv3plus pspnet] [--image-size 64] [--batch-size 8]
                                [--steps 20] [--repeats 3] [--device auto] [--threads N]
"""

from __future__ import annotations

import argparse
import copy
import datetime
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.data import create_dataset, pad_collate  # noqa: E402
from workbench.engine import TrainConfig, create_runtime, fit  # noqa: E402
from workbench.engine.fit import create_optimizer  # noqa: E402
from workbench.models import create_model  # noqa: E402


def bare_loop(model, data, config: TrainConfig, runtime) -> None:
    """The minimal training loop: load, forward under autocast, cross-entropy, backward, step."""
    optimizer = create_optimizer(model, config)
    scaler = runtime.grad_scaler()
    loader = DataLoader(
        data,
        batch_size=config.batch_size,
        shuffle=True,
        drop_last=True,
        collate_fn=pad_collate,
        num_workers=config.num_workers,
        pin_memory=runtime.pin_memory,
    )
    model.train()
    for images, masks in loader:
        images, masks = runtime.to_device(images, masks)
        with runtime.autocast():
            logits = model(images)
        loss = F.cross_entropy(logits.float(), masks, ignore_index=config.ignore_index)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    if runtime.device.type == "cuda":
        torch.cuda.synchronize()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(name: str, data, config: TrainConfig, repeats: int) -> dict:
    runtime = create_runtime(device=config.device, precision=config.precision, channels_last=config.channels_last)
    torch.manual_seed(0)
    initial = runtime.prepare_model(create_model(name, data.classes.num_classes))

    def run_bare():
        bare_loop(copy.deepcopy(initial), data, config, runtime)

    def run_fit():
        fit(copy.deepcopy(initial), data, None, config)
        if runtime.device.type == "cuda":
            torch.cuda.synchronize()

    run_bare(), run_fit()  # warm-up: kernels, allocator, lazy imports
    bare, ours = [], []
    for _ in range(repeats):
        bare.append(timed(run_bare))
        ours.append(timed(run_fit))
    images = len(data) // config.batch_size * config.batch_size
    bare_rate, fit_rate = images / min(bare), images / min(ours)
    return {"model": name, "bare": bare_rate, "fit": fit_rate, "ratio": fit_rate / bare_rate}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["fcn8s", "unet", "deeplabv3plus", "pspnet"])
    parser.add_argument("--image-size", type=int, default=64, help="side of the square synthetic images (the demo's)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed call")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = create_dataset("synthetic", "train", num_images=args.steps * args.batch_size, image_size=args.image_size)
    config = TrainConfig(
        epochs=1,
        batch_size=args.batch_size,
        device=args.device,
        precision=args.precision,
        num_workers=args.num_workers,
        progress=False,
        log_every=10,
    )
    runtime = create_runtime(device=config.device, precision=config.precision, channels_last=config.channels_last)
    print(
        f"# fit vs bare loop, {datetime.date.today()}, device {runtime.device}, precision {runtime.precision}, "
        f"{torch.get_num_threads()} CPU threads, {args.image_size}x{args.image_size} images, batch {args.batch_size}, "
        f"{args.steps} steps per call, best of {args.repeats}\n"
    )
    print("| model | bare loop (img/s) | fit (img/s) | fit / bare |")
    print("|---|---:|---:|---:|")
    worst = float("inf")
    for name in args.models:
        row = measure(name, data, config, args.repeats)
        worst = min(worst, row["ratio"])
        print(f"| {name} | {row['bare']:.1f} | {row['fit']:.1f} | {row['ratio']:.3f} |", flush=True)
    print(f"\nworst fit / bare: {worst:.3f} (target >= 0.95: {'met' if worst >= 0.95 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
