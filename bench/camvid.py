"""The four model families trained under one fixed budget on CamVid train, scored on CamVid val.

Every model gets the same steps, batch, crops, optimizer and seed (``workbench.engine.compare``), then is
scored on the full-size validation images with every key of ``Scores.as_dict()``. The defaults are a short
CPU version (small random crops, a few hundred images seen); on a GPU raise ``--max-steps`` and
``--crop-size``. Prints Markdown tables: the scalar scores per model, then the per-class IoU.

    python bench/camvid.py [--root ../shared/datasets/camvid] [--max-steps 100] [--crop-size 160]
                           [--batch-size 8] [--out runs/bench-camvid]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.commands.terminal import print_epoch  # noqa: E402
from workbench.data import create_dataset, train_transforms  # noqa: E402
from workbench.engine import DEMO_MODELS, TrainConfig, compare, create_runtime  # noqa: E402

SCALAR_KEYS = ["pixel_accuracy", "mean_accuracy", "miou", "fwiou", "mean_dice", "boundary_miou", "boundary_f1"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(ROOT.parent / "shared" / "datasets" / "camvid"))
    parser.add_argument("--models", nargs="+", default=list(DEMO_MODELS))
    parser.add_argument("--max-steps", type=int, default=100, help="training steps per model (the budget)")
    parser.add_argument("--crop-size", type=int, default=160, help="square random crops for training")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", default="runs/bench-camvid")
    args = parser.parse_args(argv)
    if not Path(args.root, "classes.json").is_file():
        print(f"CamVid not found at {args.root}; pass --root.", file=sys.stderr)
        return 2
    train = create_dataset(args.root, "train", transform=train_transforms(args.crop_size))
    val = create_dataset(args.root, "val")
    config = TrainConfig(
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        optimizer="adamw",
        lr=args.lr,
        crop_size=(args.crop_size, args.crop_size),
        device=args.device,
        eval_every=10**6,
        save_every=10**6,
        progress=False,
        out_dir=args.out,
    )
    runtime = create_runtime(device=config.device, precision=config.precision, channels_last=config.channels_last)
    started = time.perf_counter()
    table = compare(args.models, train, val, config, log=print_epoch)
    minutes = (time.perf_counter() - started) / 60
    print(
        f"\n# CamVid, {datetime.date.today()}: {len(train)} train images ({args.crop_size}px random crops), "
        f"{len(val)} val images at full size; {args.max_steps} steps of batch {args.batch_size} per model "
        f"(AdamW, lr {args.lr}, poly); device {runtime.device}, {runtime.precision}, {torch.get_num_threads()} "
        f"CPU threads; {minutes:.1f} min in all\n"
    )
    columns = ["train_time_s"] + SCALAR_KEYS
    print(table[columns].to_markdown(floatfmt=".4f"))
    chance = {k.removeprefix("chance_miou_"): round(v, 4) for k, v in table.attrs.items() if k.startswith("chance_")}
    print(f"\nchance mIoU: {chance}\n")
    iou = pd.read_csv(Path(args.out) / "per_class_iou.csv", comment="#").set_index("class")
    print(iou.to_markdown(floatfmt=".3f"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
