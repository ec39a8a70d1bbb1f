"""``workbench report``: the HTML review of a comparison folder or record, from the records alone (no torch)."""
from __future__ import annotations

from workbench.cli_errors import WRITTEN_WHOLE
from workbench.report import write_review


def run(args) -> int:
    """``workbench report``: the HTML review of a comparison folder, from its records."""
    path = write_review(args.run_dir, args.out, resamples=args.resamples, level=args.level, seed=args.seed)
    print(f"review written to {path}")
    return 0


def interrupted(out_dir, argv: list[str]) -> str:
    return WRITTEN_WHOLE
