"""``workbench evaluate``: score saved weights, or other tools' prediction folders, into evaluation records."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from torch.utils.data import Subset

from workbench.cli_errors import WRITTEN_WHOLE
from workbench.commands.datasets import demo_count
from workbench.commands.terminal import print_comparison, print_note, print_scores
from workbench.data import check_count, create_dataset, dataset_classes, describe_data, parse_size
from workbench.engine import distributed
from workbench.engine.checkpoint import load_checkpoint, read_checkpoint_info
from workbench.engine.checkpoint_meta import model_spec
from workbench.engine.image_scoring import usable_cores
from workbench.engine.run_lock import RunLock
from workbench.engine.runtime import create_runtime
from workbench.engine.scoring import score_comparison, score_model, score_predictions
from workbench.models import create_model
from workbench.records import TABLE_FILES, check_out_folder, read_table_csv
from workbench.viz import save_comparison_figures


def run(args) -> int:
    """``workbench evaluate``: score saved weights or prediction folders into an evaluation record."""
    if args.preds:
        return _run_predictions(args)
    if distributed.current().world_size > 1 or int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise ValueError("evaluate --weights runs in one process; under torchrun score --preds folders instead.")
    data = _dataset(args, args.split, count=args.val_images)
    out = Path(args.out) if args.out else Path(args.weights).parent / f"eval-{args.split}"
    check_out_folder(out, [describe_data(data)["root"]], comparison=False)  # before the lock file goes there
    with RunLock(out) as lock:  # a second writer stops at once, naming the first
        print_note(lock)
        record = _score_weights(args, data, out)
    print_scores(record.scores, record.classes.names)
    print(f"record written to {out}")
    return 0


def _run_predictions(args) -> int:
    """``--preds``: one folder into a record, or NAME=DIR sources into a comparison folder; under torchrun
    every process scores its share of the images and rank 0 writes."""
    out = Path(args.out or f"runs/eval-{args.split}")
    sources = parse_sources(args.preds)
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers {args.workers}: give 1 or more processes (default: every usable core).")
    dist = distributed.init_distributed()
    try:
        data = _dataset(args, args.split, count=args.val_images)
        inputs = [describe_data(data)["root"], *(args.preds if sources is None else sources.values())]
        check_out_folder(out, inputs, comparison=sources is not None)  # before the lock file goes there
        with RunLock(out if dist.is_main else None) as lock:  # a second writer stops at once, naming the first
            print_note(lock)
            options = {
                "workers": args.workers or usable_cores(),
                "distances": args.distances,
                "errors": args.errors,
                "tolerances": args.tolerances,
                "progress": dist.is_main and sys.stderr.isatty(),
            }
            if sources is None:
                record = score_predictions(args.preds[0], data, out, **options)
            else:
                score_comparison(sources, data, out, **options)
    finally:
        distributed.shutdown()
    if not dist.is_main:
        return 0
    if sources is None:
        print_scores(record.scores, record.classes.names)
        print(f"record written to {out}")
    else:
        save_comparison_figures(out, data, gallery_size=args.gallery_size)
        print_comparison(read_table_csv(out / TABLE_FILES[0]).set_index("model"))
        print(f"comparison folder: {out}")
    return 0


def parse_sources(values: list[str]) -> dict[str, str] | None:
    """``--preds`` values as name -> folder; None for a single folder given without a name."""
    if len(values) == 1 and "=" not in values[0]:
        return None
    sources = {}
    for value in values:
        name, sep, folder = value.partition("=")
        if not sep or not name or not folder or "/" in name or name.startswith("."):
            raise ValueError(
                f"--preds {value!r}: with several sources give each as NAME=DIR (NAME a folder name, "
                f"e.g. --preds mmseg=out/mmseg --preds mine=out/mine)."
            )
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
    return score_model(
        model,
        data,
        out,
        spec=spec,
        weights=Path(args.weights).resolve(),
        batch_size=args.batch_size,
        runtime=runtime,
        num_workers=args.num_workers,
        distances=args.distances,
        errors=args.errors,
        tolerances=args.tolerances,
    )


def _dataset(args, split: str, *, count: int | None):
    """One split of ``--data`` (for evaluate and report): ``count`` synthetic images, or a folder's first ``count``."""
    synthetic = args.data == "synthetic"
    count = check_count(demo_count(count, "val_images", synthetic), "--val-images")
    if synthetic:
        return create_dataset("synthetic", split, num_images=count, image_size=parse_size(args.image_size))
    data = create_dataset(args.data, split)
    return data if count is None else Subset(data, range(min(count, len(data))))


def interrupted(out_dir, argv: list[str]) -> str:
    return WRITTEN_WHOLE
