"""``workbench compare``: several models under one budget and seed; comparison tables and figures."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import config_from_args
from workbench.commands.datasets import load_data
from workbench.commands.resume_hint import interrupted_message
from workbench.commands.terminal import print_comparison, print_epoch, print_note
from workbench.engine.compare import check_model_names, compare
from workbench.engine.run_lock import RunLock
from workbench.engine.runtime import create_runtime
from workbench.engine.seed_summary import seed_folder
from workbench.records import display_frame, interval_note
from workbench.viz import save_comparison_figures


def run(args) -> int:
    """``workbench compare``: several models, one budget; tables and figures in ``--out``."""
    config = config_from_args(args)
    check_model_names(args.models)  # before the data, the lock and any training
    with RunLock(config.out_dir) as lock:
        print_note(lock)
        create_runtime(device=config.device)
        train_data, val_data = load_data(args, config)
        table = compare(
            args.models, train_data, val_data, config, encoder=args.encoder, log=print_epoch, seeds=args.seeds
        )
        if config.out_dir is not None:
            for folder in _comparison_folders(config.out_dir, args.seeds):
                save_comparison_figures(folder, val_data)
    if args.seeds is None:
        print_comparison(table)
    else:
        print(display_frame(table).to_string(index=False))
        print(
            f"seeds {table.attrs['seeds']}: mean and std over seeds; [low, high]: the bootstrap interval of seed "
            f"{table.attrs['first_seed']}'s run. {interval_note(table.attrs)}"
        )
    print(f"comparison folder: {config.out_dir}")
    return 0


def _comparison_folders(out: str, seeds) -> list[Path]:
    """The comparison folders ``compare`` wrote: ``out`` itself, or one ``out/seed-<k>`` per seed."""
    return [Path(out)] if seeds is None else [seed_folder(out, seed) for seed in seeds]


def interrupted(out_dir, argv: list[str]) -> str:
    return interrupted_message("compare", out_dir, argv)
