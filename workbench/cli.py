"""Command line: ``workbench train``, ``workbench compare``, ``workbench evaluate`` and ``workbench report``.

The options of ``train`` and ``compare`` are generated from the ``TrainConfig`` fields (type, help and
choices from each field's metadata; ``--out`` is ``out_dir``); their defaults are the demo budget
(``DEMO_CONFIG``), small enough for a laptop CPU.
Under ``torchrun --nproc_per_node=N -m workbench train ...`` the run uses DistributedDataParallel.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import types
import typing
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm
from torch.utils.data import Subset

from workbench.cli_errors import failure_message, interrupted_message, is_user_error, sigterm_as_interrupt
from workbench.data import check_count, create_dataset, create_splits, parse_size
from workbench.engine import distributed
from workbench.engine.checkpoint import load_checkpoint, read_checkpoint_info
from workbench.engine.checkpoint_meta import model_spec
from workbench.engine.compare import check_model_names, compare
from workbench.engine.config import PRECISIONS, TrainConfig
from workbench.data.data_info import dataset_classes, describe_data
from workbench.engine.fit import fit
from workbench.engine.config import DEMO_CONFIG, DEMO_DATA, DEMO_MODELS
from workbench.engine.run_lock import RunLock
from workbench.engine.runtime import create_runtime
from workbench.engine.sampling import MemoryCache, seed_everything
from workbench.engine.seed_summary import seed_folder
from workbench.engine.image_scoring import usable_cores
from workbench.engine.scoring import score_comparison, score_model, score_predictions
from workbench.metrics import against_chance, chance_miou, chance_sentence
from workbench.models import create_model
from workbench.records import check_out_folder, display_frame, interval_note, read_table_csv
from workbench.report import write_review
from workbench.viz import save_comparison_figures

def option_name(field: dataclasses.Field) -> str:
    """The command-line flag of a TrainConfig field: ``metadata["flag"]`` or ``--field-name``."""
    return field.metadata.get("flag", "--" + field.name.replace("_", "-"))


def option_kwargs(field: dataclasses.Field, annotation) -> dict:
    """``add_argument`` keywords of a TrainConfig field, from its type and ``metadata`` (help written once)."""
    meta = field.metadata
    kwargs = {"help": meta["help"]}
    if "metavar" in meta:
        kwargs["metavar"] = meta["metavar"]
    if "choices" in meta:
        kwargs["choices"] = list(meta["choices"]() if callable(meta["choices"]) else meta["choices"])
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    kind = args[0] if typing.get_origin(annotation) in (typing.Union, types.UnionType) else annotation
    if kind is bool:
        return {**kwargs, "action": argparse.BooleanOptionalAction}
    if typing.get_origin(kind) is tuple:
        return {**kwargs, "type": typing.get_args(kind)[0], "nargs": "+"}
    return {**kwargs, "type": kind}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Train, compare and score semantic-segmentation models.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = _command(commands, "train", "Train one model and write a run folder (weights, history, scores).")
    train.add_argument("--model", default="unet", help="model name (see workbench.models.list_models())")
    compare = _command(commands, "compare", "Train several models under one budget and seed; write comparison tables and figures.")
    compare.add_argument("--models", nargs="+", default=list(DEMO_MODELS), metavar="NAME", help="model names")
    compare.add_argument("--seeds", nargs="+", type=int, default=None, metavar="K",
                         help="train every model under each of these seeds (same budget), each seed's runs in "
                              "OUT/seed-K/, and write OUT/seeds.{csv,md}: mean and std over seeds next to the "
                              "bootstrap interval (default: one comparison under --seed)")
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
    hints = typing.get_type_hints(TrainConfig)
    for field in dataclasses.fields(TrainConfig):
        group.add_argument(option_name(field), dest=field.name, default=getattr(defaults, field.name),
                           **option_kwargs(field, hints[field.name]))


def _add_evaluate(commands) -> None:
    sub = _command(commands, "evaluate", "Score saved weights, or the predictions of any tool, on a dataset split; "
                   "write an evaluation record (scores, confusion matrix, per-image statistics, masks).")
    what = sub.add_mutually_exclusive_group(required=True)
    what.add_argument("--weights", help="a .safetensors checkpoint written by train or compare")
    what.add_argument("--preds", action="append", metavar="[NAME=]DIR", help="a folder of predictions, one <stem>.png "
                      "(index, palette or RGB in the classes.json colours) or <stem>.npy per image; NAME=DIR, "
                      "repeated, scores several sources into one comparison folder")
    sub.add_argument("--model", default=None, help="model name (default: the one recorded in the weights file)")
    sub.add_argument("--encoder", default=None, help="backbone (default: the one recorded in the weights file)")
    sub.add_argument("--split", default="val", help="split to score")
    _add_data_options(sub, splits=())
    sub.add_argument("--batch-size", type=int, default=DEMO_CONFIG.batch_size, help="images per forward pass")
    sub.add_argument("--num-workers", type=int, default=0, help="DataLoader worker processes (--weights)")
    sub.add_argument("--workers", type=int, default=None, help="--preds: processes reading and scoring images "
                     "(default: every usable core; 1: this process alone; the record is the same). Under torchrun "
                     "each process scores its share of the images and rank 0 writes the record")
    sub.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, or auto")
    sub.add_argument("--precision", default="fp32", choices=PRECISIONS, help="autocast precision of the forward pass")
    sub.add_argument("--gallery-size", type=int, default=4, help="images in a comparison's mask gallery")
    sub.add_argument("--out", default=None, metavar="DIR", help="record (or comparison) folder (default: "
                     "eval-<split> beside the weights; runs/eval-<split> for predictions)")
    sub.set_defaults(func=run_evaluate)


def _add_report(commands) -> None:
    sub = _command(commands, "report", "Write the self-contained HTML review of a comparison folder or record, from the "
                   "records alone (no model is loaded): summary, headline table with intervals, per-class scores, "
                   "curves, confusion matrices, gallery, other tools' conventions.")
    sub.add_argument("run_dir", metavar="RUN_DIR", help="a comparison folder (compare, evaluate --preds NAME=DIR) or "
                     "one record (a run folder from train)")
    sub.add_argument("--out", default=None, metavar="PATH", help="HTML file (default: RUN_DIR/report.html)")
    sub.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples behind every interval")
    sub.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals")
    sub.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples")
    sub.set_defaults(func=run_report)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    try:
        with sigterm_as_interrupt():
            return args.func(args) or 0
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: say where the run is and how to continue it
        print(f"workbench {args.command}: error: {interrupted_message(args.command, out_folder(args), argv)}",
              file=sys.stderr)
        return 130
    except Exception as err:  # user errors (DatasetError, a busy folder, disk full, OOM): one line, no traceback
        if not is_user_error(err):
            raise
        print(f"workbench {args.command}: error: {failure_message(err, out_folder(args))}", file=sys.stderr)
        return 2


def out_folder(args) -> str | None:
    """The folder a command writes: ``--out``, or for ``train`` its default ``runs/<model>``."""
    out = getattr(args, "out_dir", None) or getattr(args, "out", None)  # train/compare store --out as out_dir
    return out or (f"runs/{args.model}" if args.command == "train" else None)


def run_train(args) -> int:
    """``workbench train``: one model, one run folder (``--out``, default ``runs/<model>``)."""
    dist = distributed.init_distributed()
    config = config_from_args(args)
    config = dataclasses.replace(config, out_dir=out_folder(args), progress=config.progress and dist.is_main)
    try:
        with RunLock(config.out_dir if dist.is_main else None) as lock:  # before the data: a busy folder stops at once
            print_note(lock)
            create_runtime(device=config.device, local_rank=dist.local_rank)  # a bad --device too
            train_data, val_data = load_data(args, config)
            seed_everything(config.seed)  # the same initial weights on every rank and every run
            model = create_model(args.model, dataset_classes(train_data).num_classes, encoder=args.encoder)
            spec = {"name": args.model, "encoder": args.encoder}
            history = fit(model, train_data, val_data, config, log=print_epoch if dist.is_main else None,
                          model_spec=spec)
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
    check_model_names(args.models)  # before the data, the lock and any training
    with RunLock(config.out_dir) as lock:
        print_note(lock)
        create_runtime(device=config.device)
        train_data, val_data = load_data(args, config)
        table = compare(args.models, train_data, val_data, config, encoder=args.encoder, log=print_epoch,
                        seeds=args.seeds)
        if config.out_dir is not None:
            for folder in _comparison_folders(config.out_dir, args.seeds):
                save_comparison_figures(folder, val_data)
    if args.seeds is None:
        print_comparison(table)
    else:
        print(display_frame(table).to_string(index=False))
        print(f"seeds {table.attrs['seeds']}: mean and std over seeds; [low, high]: the bootstrap interval of seed "
              f"{table.attrs['first_seed']}'s run. {interval_note(table.attrs)}")
    print(f"comparison folder: {config.out_dir}")
    return 0


def run_evaluate(args) -> int:
    """``workbench evaluate``: score saved weights or prediction folders into an evaluation record."""
    if args.preds:
        out = Path(args.out or f"runs/eval-{args.split}")
        sources = parse_sources(args.preds)
        if args.workers is not None and args.workers < 1:
            raise ValueError(f"--workers {args.workers}: give 1 or more processes (default: every usable core).")
        dist = distributed.init_distributed()  # torchrun: every process scores its share of the images
        try:
            data = _dataset(args, args.split, count=args.val_images)
            inputs = [describe_data(data)["root"], *(args.preds if sources is None else sources.values())]
            check_out_folder(out, inputs, comparison=sources is not None)  # before the lock file goes there
            with RunLock(out if dist.is_main else None) as lock:  # a second writer stops at once, naming the first
                print_note(lock)
                workers = {"workers": args.workers or usable_cores(), "progress": dist.is_main}
                if sources is None:
                    record = score_predictions(args.preds[0], data, out, **workers)
                else:
                    score_comparison(sources, data, out, **workers)
        finally:
            distributed.shutdown()
        if not dist.is_main:
            return 0
        if sources is not None:
            save_comparison_figures(out, data, gallery_size=args.gallery_size)
            print_comparison(read_table_csv(out / "comparison.csv").set_index("model"))
            print(f"comparison folder: {out}")
            return 0
    else:
        if distributed.current().world_size > 1 or int(os.environ.get("WORLD_SIZE", "1")) > 1:
            raise ValueError("evaluate --weights runs in one process; under torchrun score --preds folders instead.")
        data = _dataset(args, args.split, count=args.val_images)
        out = Path(args.out) if args.out else Path(args.weights).parent / f"eval-{args.split}"
        with RunLock(out) as lock:
            print_note(lock)
            record = _score_weights(args, data, out)
    print_scores(record.scores, record.classes.names)
    print(f"record written to {out}")
    return 0


def parse_sources(values: list[str]) -> dict[str, str] | None:
    """``--preds`` values as name -> folder; None for a single folder given without a name."""
    if len(values) == 1 and "=" not in values[0]:
        return None
    sources = {}
    for value in values:
        name, sep, folder = value.partition("=")
        if not sep or not name or not folder or "/" in name or name.startswith("."):
            raise ValueError(f"--preds {value!r}: with several sources give each as NAME=DIR (NAME a folder name, "
                             f"e.g. --preds mmseg=out/mmseg --preds mine=out/mine).")
        if name in sources:
            raise ValueError(f"--preds: the name {name!r} is given twice; give each source its own name.")
        sources[name] = folder
    return sources


def _score_weights(args, data, out: Path):
    spec = model_spec(args.weights, read_checkpoint_info(args.weights)) or {}
    name = args.model or spec.get("name")
    if name is None:
        raise ValueError(f"{args.weights} does not record its model; pass --model NAME (and --encoder).")
    spec = {"name": name, "encoder": args.encoder or spec.get("encoder", "resnet18")}
    classes = dataset_classes(data)
    model = create_model(spec["name"], classes.num_classes, encoder=spec["encoder"])
    load_checkpoint(args.weights, model, class_names=classes.names)
    runtime = create_runtime(device=args.device, precision=args.precision, channels_last=False)
    model = runtime.prepare_model(model)
    return score_model(model, data, out, spec=spec, weights=Path(args.weights).resolve(), batch_size=args.batch_size,
                       runtime=runtime, num_workers=args.num_workers)


def run_report(args) -> int:
    """``workbench report``: the HTML review of a comparison folder, from its records."""
    path = write_review(args.run_dir, args.out, resamples=args.resamples, level=args.level, seed=args.seed)
    print(f"review written to {path}")
    return 0


def load_data(args, config: TrainConfig):
    """Training data (with augmentation when ``--crop-size`` is given) and validation data (``create_splits``)."""
    synthetic = args.data == "synthetic"
    train_data, val_data = create_splits(
        args.data, image_size=args.image_size if synthetic else None, crop_size=config.crop_size,
        num_images=_count(args.num_images, "num_images", synthetic), val_images=_count(args.val_images, "val_images",
        synthetic), train_split=args.train_split, val_split=args.val_split, ignore_index=config.ignore_index)
    if synthetic:  # drawn once, read every epoch (not for folders: CamVid would fill the memory)
        train_data = train_data if config.crop_size else MemoryCache(train_data)
        val_data = MemoryCache(val_data)
    return train_data, val_data


def _count(value: int | None, key: str, synthetic: bool) -> int | None:
    """``--num-images``/``--val-images``: the demo count for generated data when not given, else as given."""
    return DEMO_DATA[key] if value is None and synthetic else value


def _dataset(args, split: str, *, count: int | None):
    """One split of ``--data`` (for evaluate and report): ``count`` synthetic images, or a folder's first ``count``."""
    synthetic = args.data == "synthetic"
    count = check_count(_count(count, "val_images", synthetic), "--val-images")
    if synthetic:
        return create_dataset("synthetic", split, num_images=count, image_size=parse_size(args.image_size))
    data = create_dataset(args.data, split)
    return data if count is None else Subset(data, range(min(count, len(data))))


def print_epoch(record: dict) -> None:
    """The ``log`` of fit/compare on the terminal: one line per epoch (steps show in the progress bar)."""
    if "epoch" not in record:
        return
    name = f"{record['model']} " if "model" in record else ""
    text = f"{name}epoch {record['epoch']:>3}  step {record['step']:>6}  train_loss {record['train_loss']:.4f}"
    if pd.notna(record.get("val_miou")):
        text += f"  val_loss {record['val_loss']:.4f}  val_miou {record['val_miou']:.4f}"
    tqdm.write(text + f"  {record['images_per_s']:.1f} img/s  {record['time']:.0f} s")  # above the bars, not into them


HEADLINE_COLUMNS = ("status", "source", "miou", "pixel_accuracy", "boundary_miou", "boundary_f1", "train_time_s",
                    "images_per_s", "note")  # the columns of a comparison table that the terminal shows
TEXT_COLUMNS = ("status", "source", "note")  # an empty cell of these, read back from a CSV, is blank text, not NaN


def print_comparison(table: pd.DataFrame) -> None:
    """A comparison table on the terminal: the headline columns, scores as "0.444 [0.431, 0.457]"."""
    shown = [c for c in HEADLINE_COLUMNS if c in table]
    shown += [f"{c}_{side}" for c in shown for side in ("low", "high") if f"{c}_{side}" in table]
    table = table.assign(**{c: table[c].fillna("") for c in TEXT_COLUMNS if c in table})
    print(display_frame(table[shown]).to_string(index=False))
    note = interval_note(table.attrs)
    if note:
        print(note)
    if "chance_miou_majority" in table.attrs:
        print(chance_sentence({"majority": float(table.attrs["chance_miou_majority"]),
                               "uniform": float(table.attrs["chance_miou_uniform"])}))


def _comparison_folders(out: str, seeds) -> list[Path]:
    """The comparison folders ``compare`` wrote: ``out`` itself, or one ``out/seed-<k>`` per seed."""
    return [Path(out)] if seeds is None else [seed_folder(out, seed) for seed in seeds]


def print_note(lock: RunLock) -> None:
    if lock.note():
        print(f"note: {lock.note()}", flush=True)


def print_scores(scores, class_names) -> None:
    """The per-class table, then the mIoU against the chance level (flagged when near it)."""
    table = scores.table(class_names=list(class_names))
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    chance = _chance(scores)
    print(f"mIoU {against_chance(scores.miou, chance['majority'])}. {chance_sentence(chance)}")


def _chance(scores) -> dict[str, float]:
    """Chance levels of the scored targets, from the rows of the confusion matrix."""
    return chance_miou(np.asarray(scores.confusion).sum(axis=1))

if __name__ == "__main__":
    sys.exit(main())
