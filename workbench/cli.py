"""Command line: ``workbench train``, ``compare``, ``evaluate``, ``report`` and ``predict``.

The options of ``train`` and ``compare`` are generated from the ``TrainConfig`` fields (type, help and
choices from each field's metadata; ``--out`` is ``out_dir``); their defaults are the demo budget
(``DEMO_CONFIG``), small enough for a laptop CPU.
Under ``torchrun --nproc_per_node=N -m workbench train ...`` the run uses DistributedDataParallel.

This module is the parser alone and imports nothing heavy, so ``--help`` answers at once: each command runs
in its own module under ``workbench/commands/`` (``COMMANDS``), imported only when that command runs; torch
and the models are imported there, at the command boundary (STYLE 18).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
import types
import typing

from workbench.cli_errors import failure_message, is_user_error, sigterm_as_interrupt
from workbench.engine.config import DEMO_CONFIG, DEMO_DATA, DEMO_MODELS, PRECISIONS, TrainConfig

COMMANDS = {name: f"workbench.commands.{name}" for name in ("train", "compare", "evaluate", "report", "predict")}


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
    parser = argparse.ArgumentParser(
        prog="workbench", description="Train, compare and score semantic-segmentation models."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = _command(commands, "train", "Train one model and write a run folder (weights, history, scores).")
    train.add_argument("--model", default="unet", help="model name (see workbench.models.list_models())")
    compare = _command(
        commands, "compare", "Train several models under one budget and seed; write comparison tables and figures."
    )
    compare.add_argument("--models", nargs="+", default=list(DEMO_MODELS), metavar="NAME", help="model names")
    compare.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=None,
        metavar="K",
        help="train every model under each of these seeds (same budget), each seed's runs in "
        "OUT/seed-K/, and write OUT/seeds.{csv,md}: mean and std over seeds next to the "
        "bootstrap interval (default: one comparison under --seed)",
    )
    for sub, out in ((train, None), (compare, "runs/compare")):
        sub.add_argument("--encoder", default="resnet18", help="backbone of the models that have one")
        _add_data_options(sub, splits=("train", "val"))
        _add_config_options(sub, dataclasses.replace(DEMO_CONFIG, out_dir=out))
    _add_evaluate(commands)
    _add_report(commands)
    _add_predict(commands)
    return parser


def _command(commands, name: str, text: str) -> argparse.ArgumentParser:
    return commands.add_parser(
        name, help=text, description=text, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )


def _add_data_options(parser: argparse.ArgumentParser, *, splits: tuple[str, ...]) -> None:
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data",
        default="synthetic",
        help="'synthetic' (generated shapes) or a dataset folder "
        "(images/<split>/ + masks/<split>/ + classes.json, or PASCAL VOC 2012)",
    )
    for split in splits:
        group.add_argument(f"--{split}-split", default=split, help=f"split used as the {split} set")
    group.add_argument(
        "--num-images",
        type=int,
        default=None,
        help="training images: synthetic, how many to draw "
        f"(default {DEMO_DATA['num_images']}); a folder, use only the first N (default all)",
    )
    group.add_argument(
        "--val-images",
        type=int,
        default=None,
        help="validation/evaluation images: synthetic, how "
        f"many to draw (default {DEMO_DATA['val_images']}); a folder, use only the first N (default all)",
    )
    group.add_argument(
        "--image-size",
        type=int,
        nargs="+",
        default=list(DEMO_DATA["image_size"]),
        metavar="N",
        help="synthetic data: image H W (one number: square)",
    )


def _add_config_options(parser: argparse.ArgumentParser, defaults: TrainConfig) -> None:
    group = parser.add_argument_group("training (fields of workbench.engine.TrainConfig)")
    hints = typing.get_type_hints(TrainConfig)
    for field in dataclasses.fields(TrainConfig):
        group.add_argument(
            option_name(field),
            dest=field.name,
            default=getattr(defaults, field.name),
            **option_kwargs(field, hints[field.name]),
        )


def _add_evaluate(commands) -> None:
    sub = _command(
        commands,
        "evaluate",
        "Score saved weights, or the predictions of any tool, on a dataset split; "
        "write an evaluation record (scores, confusion matrix, per-image statistics, masks).",
    )
    what = sub.add_mutually_exclusive_group(required=True)
    what.add_argument("--weights", help="a .safetensors checkpoint written by train or compare")
    what.add_argument(
        "--preds",
        action="append",
        metavar="[NAME=]DIR",
        help="a folder of predictions, one <stem>.png "
        "(index, palette or RGB in the classes.json colours) or <stem>.npy per image; NAME=DIR, "
        "repeated, scores several sources into one comparison folder",
    )
    sub.add_argument("--model", default=None, help="model name (default: the one recorded in the weights file)")
    sub.add_argument("--encoder", default=None, help="backbone (default: the one recorded in the weights file)")
    sub.add_argument("--split", default="val", help="split to score")
    _add_data_options(sub, splits=())
    sub.add_argument("--batch-size", type=int, default=DEMO_CONFIG.batch_size, help="images per forward pass")
    sub.add_argument("--num-workers", type=int, default=0, help="DataLoader worker processes (--weights)")
    sub.add_argument(
        "--distances",
        action="store_true",
        help="also score HD95 (95th-percentile Hausdorff distance, "
        "in pixels; lower is better): slower, its distance searches are unbounded",
    )
    sub.add_argument(
        "--errors",
        action="store_true",
        help="also count the error breakdown (boundary, extent and "
        'segment errors): the report\'s "where each model loses its IoU"',
    )
    sub.add_argument(
        "--tolerances",
        action="store_true",
        help='also count BF, NSD and Boundary IoU at tolerances of 1-21 px: the report\'s "scores over the tolerance"',
    )
    sub.add_argument(
        "--workers",
        type=int,
        default=None,
        help="--preds: processes reading and scoring images "
        "(default: every usable core; 1: this process alone; the record is the same). Under torchrun "
        "each process scores its share of the images and rank 0 writes the record",
    )
    sub.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, or auto")
    sub.add_argument("--precision", default="fp32", choices=PRECISIONS, help="autocast precision of the forward pass")
    sub.add_argument("--gallery-size", type=int, default=4, help="images in a comparison's mask gallery")
    sub.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="record (or comparison) folder (default: "
        "eval-<split> beside the weights; runs/eval-<split> for predictions)",
    )


def _add_report(commands) -> None:
    sub = _command(
        commands,
        "report",
        "Write the self-contained HTML review of a comparison folder or record, from the "
        "records alone (no model is loaded): summary, headline table with intervals, per-class scores, "
        "curves, confusion matrices, gallery, other tools' conventions.",
    )
    sub.add_argument(
        "run_dir",
        metavar="RUN_DIR",
        help="a comparison folder (compare, evaluate --preds NAME=DIR) or one record (a run folder from train)",
    )
    sub.add_argument("--out", default=None, metavar="PATH", help="HTML file (default: RUN_DIR/report.html)")
    sub.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples behind every interval")
    sub.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals")
    sub.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples")


def _add_predict(commands) -> None:
    text = (
        "Segment your own photos with a trained run: for each photo write its mask (class ids, the class "
        "colours as palette) and an overlay, plus legend.png and summary.csv (pixel share per class)."
    )
    sub = commands.add_parser("predict", help=text, description=text)  # each help states its default itself
    sub.add_argument("photos", nargs="+", metavar="PHOTO", help="picture files: JPEG, PNG, WebP, BMP, TIFF")
    sub.add_argument(
        "--weights",
        required=True,
        metavar="RUN/best.safetensors",
        help="weights of a run folder written by train or compare; the model and classes come from that folder",
    )
    sub.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="folder for masks/, overlays/, legend.png and summary.csv (default: RUN/predict)",
    )
    sub.add_argument(
        "--size",
        type=int,
        default=None,
        help="longer side in pixels of the photo as the model sees it (default: the run's training size; a run "
        "trained on whole dataset images: the photo's own, at most 1024); the mask has the photo's size",
    )
    sub.add_argument(
        "--alpha", type=float, default=0.5, help="opacity of the class colours in the overlays (default: 0.5)"
    )
    sub.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, or auto (default: auto)")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    command = importlib.import_module(COMMANDS[args.command])  # the command boundary: heavy imports start here
    try:
        with sigterm_as_interrupt():
            return command.run(args) or 0
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: say where the run is and how to continue it
        print(f"workbench {args.command}: error: {command.interrupted(out_folder(args), argv)}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
