"""``workbench report``: the HTML review of a comparison folder or record, from the records alone (no torch)."""

from __future__ import annotations

from pathlib import Path

from workbench.cli_errors import WRITTEN_WHOLE
from workbench.engine.run_lock import RunLock
from workbench.report import write_review


def run(args) -> int:
    """``workbench report``: the HTML review of a comparison folder, from its records.

    It holds the folder's lock while it reads and writes, so it never reads a comparison that an evaluate or
    compare is rewriting, and two reports never write one page at once.
    """
    with RunLock(args.run_dir if Path(args.run_dir).is_dir() else None):
        path = write_review(args.run_dir, args.out, resamples=args.resamples, level=args.level, seed=args.seed)
    print(f"review written to {path}")
    return 0


def interrupted(out_dir, argv: list[str]) -> str:
    return WRITTEN_WHOLE
