"""Command line: ``workbench train``, ``workbench compare``, ``workbench evaluate`` and ``workbench report``.

The options of ``train`` and ``compare`` map one to one onto ``TrainConfig`` fields (``--out`` is
``out_dir``); their defaults are the demo budget (``DEMO_CONFIG``), small enough for a laptop CPU.
Under ``torchrun --nproc_per_node=N -m workbench train ...`` the run uses DistributedDataParallel.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd
from torch.utils.data import Subset

from workbench.data import create_dataset, train_transforms
from workbench.engine import distributed
from workbench.engine.checkpoint import load_checkpoint, read_checkpoint_info
from workbench.engine.compare import compare
from workbench.engine.config import OPTIMIZERS, PRECISIONS, TrainConfig
from workbench.engine.fit import dataset_classes, fit
from workbench.engine.loop import TrainingDiverged
from workbench.engine.presets import DEMO_CONFIG, DEMO_DATA, DEMO_MODELS
from workbench.engine.runtime import create_runtime
from workbench.engine.run_folder import write_scores
from workbench.engine.sampling import MemoryCache, seed_everything
from workbench.engine.scoring import score_model
from workbench.models import create_model
from workbench.report import write_review

CONFIG_OPTIONS = {  # TrainConfig field -> (help, extra add_argument keywords)
    "epochs": ("passes over the training set", {"type": int}),
    "max_steps": ("optimizer steps in total; overrides --epochs when given", {"type": int}),
    "batch_size": ("images per step (and per process under torchrun)", {"type": int}),
    "optimizer": ("optimizer", {"choices": OPTIMIZERS}),
    "lr": ("peak learning rate (poly decay to 0 over the run)", {"type": float}),
    "momentum": ("SGD momentum, or AdamW's beta1", {"type": float}),
    "weight_decay": ("weight decay", {"type": float}),
    "poly_power": ("exponent of the poly schedule lr * (1 - progress) ** power", {"type": float}),
    "warmup_steps": ("steps of linear learning-rate warm-up", {"type": int}),
    "loss": ("training loss: cross-entropy, soft Dice, or their sum", {"choices": ("ce", "dice", "ce+dice")}),
    "class_weights": ("one loss weight per class, e.g. 1 1 2.5 ... (default: all equal)", {"type": float, "nargs": "+"}),
    "ignore_index": ("mask value of void pixels, left out of loss and metrics", {"type": int}),
    "crop_size": ("random-crop training images to H W (one number: square) with scale/flip/jitter augmentation; "
                  "default: whole images, no augmentation", {"type": int, "nargs": "+", "metavar": "N"}),
    "num_workers": ("DataLoader worker processes (0: load in the main process)", {"type": int}),
    "device": ("cpu, cuda, cuda:N, or auto (CUDA when available)", {}),
    "precision": ("auto: bf16 on CUDA when supported, else fp16; fp32 on a CPU", {"choices": PRECISIONS}),
    "channels_last": ("channels-last memory format on CUDA", {"action": argparse.BooleanOptionalAction}),
    "seed": ("seed of weights, data order and augmentation", {"type": int}),
    "out_dir": ("output folder", {"metavar": "DIR"}),
    "save_every": ("epochs between checkpoints (the last epoch is always saved)", {"type": int}),
    "resume": ("continue from DIR/last.safetensors when it exists", {"action": argparse.BooleanOptionalAction}),
    "eval_every": ("epochs between validations (the last epoch is always validated)", {"type": int}),
    "log_every": ("steps between loss checks and progress updates", {"type": int}),
    "progress": ("show progress bars", {"action": argparse.BooleanOptionalAction}),
}


def option_name(field: str) -> str:
    """The command-line flag of a TrainConfig field."""
    return "--out" if field == "out_dir" else "--" + field.replace("_", "-")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Train, compare and score semantic-segmentation models.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = _command(commands, "train", "Train one model and write a run folder (weights, history, scores).")
    train.add_argument("--model", default="unet", help="model name (see workbench.models.list_models())")
    compare = _command(commands, "compare", "Train several models under one budget and seed; write comparison tables and figures.")
    compare.add_argument("--models", nargs="+", default=list(DEMO_MODELS), metavar="NAME", help="model names")
    for sub, out in ((train, None), (compare, "runs/compare")):
        sub.add_argument("--encoder", default="resnet18", help="backbone of the models that have one")
        _add_data_options(sub, splits=("train", "val"))
        _add_config_options(sub, dataclasses.replace(DEMO_CONFIG, out_dir=out))
    train.set_defaults(func=run_train)
    compare.set_defaults(func=run_compare)
    _add_evaluate(commands)
    _add_report(commands)
    return parser


def _command(commands, name: str, text: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=text, description=text, formatter_class=argparse.ArgumentDefaultsHelpFormatter)


def _add_data_options(parser: argparse.ArgumentParser, *, splits: tuple[str, ...]) -> None:
    group = parser.add_argument_group("data")
    group.add_argument("--data", default="synthetic", help="'synthetic' (generated shapes) or a dataset folder "
                       "(images/<split>/ + masks/<split>/ + classes.json, or PASCAL VOC 2012)")
    for split in splits:
        group.add_argument(f"--{split}-split", default=split, help=f"split used as the {split} set")
    group.add_argument("--num-images", type=int, default=None, help="training images: synthetic, how many to draw "
                       f"(default {DEMO_DATA['num_images']}); a folder, use only the first N (default all)")
    group.add_argument("--val-images", type=int, default=None, help="validation/evaluation images: synthetic, how "
                       f"many to draw (default {DEMO_DATA['val_images']}); a folder, use only the first N (default all)")
    group.add_argument("--image-size", type=int, nargs="+", default=list(DEMO_DATA["image_size"]), metavar="N",
                       help="synthetic data: image H W (one number: square)")


def _add_config_options(parser: argparse.ArgumentParser, defaults: TrainConfig) -> None:
    group = parser.add_argument_group("training (fields of workbench.engine.TrainConfig)")
    for field in dataclasses.fields(TrainConfig):
        text, extra = CONFIG_OPTIONS[field.name]
        default = getattr(defaults, field.name)
        group.add_argument(option_name(field.name), dest=field.name, default=default, help=text, **extra)


def _add_evaluate(commands) -> None:
    sub = _command(commands, "evaluate", "Score saved weights on a dataset split: per-class, summary and per-image tables.")
    sub.add_argument("--weights", required=True, help="a .safetensors checkpoint written by train or compare")
    sub.add_argument("--model", default=None, help="model name (default: the one recorded in the weights file)")
    sub.add_argument("--encoder", default=None, help="backbone (default: the one recorded in the weights file)")
    sub.add_argument("--split", default="val", help="split to score")
    _add_data_options(sub, splits=())
    sub.add_argument("--batch-size", type=int, default=DEMO_CONFIG.batch_size, help="images per forward pass")
    sub.add_argument("--num-workers", type=int, default=0, help="DataLoader worker processes")
    sub.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, or auto")
    sub.add_argument("--precision", default="fp32", choices=PRECISIONS, help="autocast precision of the forward pass")
    sub.add_argument("--out", default=None, metavar="DIR", help="output folder (default: eval-<split> beside the weights)")
    sub.set_defaults(func=run_evaluate)


def _add_report(commands) -> None:
    sub = _command(commands, "report", "Write the self-contained HTML review of a run folder: comparison and "
                   "per-class tables, learning curves, confusion matrices, mask gallery.")
    sub.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by compare (or one model's folder from train)")
    sub.add_argument("--out", default=None, metavar="PATH", help="HTML file (default: RUN_DIR/report.html)")
    _add_data_options(sub, splits=("val",))
    sub.add_argument("--no-data", action="store_true", help="do not rescore the saved weights: no confusion "
                     "matrices, the stored mask gallery instead")
    sub.add_argument("--gallery-size", type=int, default=4, help="validation images in the mask gallery")
    sub.add_argument("--weights", default="last", choices=("last", "best"), help="checkpoint rescored for the figures")
    sub.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, or auto")
    sub.set_defaults(func=run_report)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except (ValueError, TrainingDiverged) as err:  # user errors (DatasetError too): a message, not a traceback
        print(f"workbench {args.command}: error: {err}", file=sys.stderr)
        return 2


def run_train(args) -> int:
    """``workbench train``: one model, one run folder (``--out``, default ``runs/<model>``)."""
    dist = distributed.init_distributed()
    config = config_from_args(args)
    config = dataclasses.replace(config, out_dir=config.out_dir or f"runs/{args.model}",
                                 progress=config.progress and dist.is_main)
    train_data, val_data = load_data(args, config)
    seed_everything(config.seed)  # the same initial weights on every rank and every run
    model = create_model(args.model, dataset_classes(train_data).num_classes, encoder=args.encoder)
    spec = {"name": args.model, "encoder": args.encoder}
    try:
        history = fit(model, train_data, val_data, config, log=print_epoch if dist.is_main else None, model_spec=spec)
    finally:
        distributed.shutdown()
    if dist.is_main:
        if history.attrs.get("scores") is not None:
            print_scores(history.attrs["scores"], dataset_classes(train_data).names)
        print(f"run folder: {config.out_dir}")
    return 0


def run_compare(args) -> int:
    """``workbench compare``: several models, one budget; tables and figures in ``--out``."""
    config = config_from_args(args)
    train_data, val_data = load_data(args, config)
    table = compare(args.models, train_data, val_data, config, encoder=args.encoder, log=print_epoch)
    columns = [c for c in ("status", "miou", "pixel_accuracy", "boundary_f1", "train_time_s", "images_per_s") if c in table]
    print(table[columns].to_string(float_format=lambda v: f"{v:.4f}"))
    chance = {k: v for k, v in table.attrs.items() if k.startswith("chance_miou_")}
    if chance:
        print("chance level: " + ", ".join(f"{k.removeprefix('chance_miou_')} mIoU {v:.4f}" for k, v in chance.items()))
    print(f"comparison folder: {config.out_dir}")
    return 0


def run_evaluate(args) -> int:
    """``workbench evaluate``: score saved weights; write scores.json, per-class and per-image tables."""
    info = read_checkpoint_info(args.weights)
    spec = info.get("model") or {}
    name = args.model or spec.get("name")
    if name is None:
        raise ValueError(f"{args.weights} does not record its model; pass --model NAME (and --encoder).")
    data = _dataset(args, args.split, count=args.val_images)
    classes = dataset_classes(data)
    model = create_model(name, classes.num_classes, encoder=args.encoder or spec.get("encoder", "resnet18"))
    load_checkpoint(args.weights, model, class_names=classes.names)
    runtime = create_runtime(device=args.device, precision=args.precision, channels_last=False)
    model = runtime.prepare_model(model)
    scores, per_image = score_model(model, data, batch_size=args.batch_size, runtime=runtime, num_workers=args.num_workers)
    out = Path(args.out) if args.out else Path(args.weights).parent / f"eval-{args.split}"
    write_scores(out, scores, classes.names, suffixes=(".csv", ".md", ".tex", ".html"), per_image=per_image)
    print_scores(scores, classes.names)
    print(f"tables written to {out}")
    return 0


def run_report(args) -> int:
    """``workbench report``: the HTML review of a run folder, rescoring its weights on ``--data``."""
    data = None if args.no_data else _dataset(args, args.val_split, count=args.val_images)
    path = write_review(args.run_dir, args.out, data=data, gallery_size=args.gallery_size, weights=args.weights,
                        device=args.device)
    print(f"review written to {path}")
    return 0


def load_data(args, config: TrainConfig):
    """Training data (with augmentation when ``--crop-size`` is given) and validation data."""
    transform = train_transforms(config.crop_size) if config.crop_size else None
    train_data = _dataset(args, args.train_split, count=args.num_images, transform=transform)
    val_data = _dataset(args, args.val_split, count=args.val_images)
    if args.data == "synthetic":  # drawn once, read every epoch (not for folders: CamVid would fill the memory)
        train_data = train_data if transform else MemoryCache(train_data)
        val_data = MemoryCache(val_data)
    return train_data, val_data


def _dataset(args, split: str, *, count: int | None, transform=None):
    """``--data`` as a dataset: ``count`` synthetic images, or the first ``count`` of a folder's split."""
    if args.data == "synthetic":
        size = args.image_size * 2 if len(args.image_size) == 1 else args.image_size
        default = DEMO_DATA["num_images" if split == "train" else "val_images"]
        return create_dataset("synthetic", split, transform=transform, num_images=count or default, image_size=tuple(size))
    data = create_dataset(args.data, split, transform=transform)
    return data if count is None else Subset(data, range(min(count, len(data))))


def print_epoch(record: dict) -> None:
    """The ``log`` of fit/compare on the terminal: one line per epoch (steps show in the progress bar)."""
    if "epoch" not in record:
        return
    name = f"{record['model']} " if "model" in record else ""
    text = f"{name}epoch {record['epoch']:>3}  step {record['step']:>6}  train_loss {record['train_loss']:.4f}"
    if pd.notna(record.get("val_miou")):
        text += f"  val_loss {record['val_loss']:.4f}  val_miou {record['val_miou']:.4f}"
    print(text + f"  {record['images_per_s']:.1f} img/s  {record['time']:.0f} s", flush=True)


def print_scores(scores, class_names) -> None:
    table = scores.table(class_names=list(class_names))
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))

if __name__ == "__main__":
    sys.exit(main())
