"""``workbench train``: one model, one run folder; under torchrun, DistributedDataParallel."""

from __future__ import annotations

import dataclasses

from workbench.cli import config_from_args, out_folder
from workbench.commands.datasets import load_data
from workbench.commands.resume_hint import interrupted_message
from workbench.commands.terminal import print_epoch, print_note, print_scores
from workbench.data import dataset_classes
from workbench.engine import distributed
from workbench.engine.fit import train_model
from workbench.engine.run_lock import RunLock
from workbench.engine.runtime import create_runtime


def run(args) -> int:
    """``workbench train``: one model, one run folder (``--out``, default ``runs/<model>``)."""
    dist = distributed.init_distributed()
    config = config_from_args(args)
    config = dataclasses.replace(config, out_dir=out_folder(args), progress=config.progress and dist.is_main)
    try:
        with RunLock(config.out_dir if dist.is_main else None) as lock:  # before the data: a busy folder stops at once
            print_note(lock)
            create_runtime(device=config.device, local_rank=dist.local_rank)  # a bad --device too
            train_data, val_data = load_data(args, config)
            log = print_epoch if dist.is_main else None
            history = train_model(args.model, train_data, val_data, config, encoder=args.encoder, log=log)
    finally:
        distributed.shutdown()
    if dist.is_main:
        if history.attrs.get("scores") is not None:
            print_scores(history.attrs["scores"], dataset_classes(train_data).names)
        print(history.attrs["training"]["note"])
        print(f"run folder: {config.out_dir}")
    return 0


def interrupted(out_dir, argv: list[str]) -> str:
    return interrupted_message("train", out_dir, argv)
