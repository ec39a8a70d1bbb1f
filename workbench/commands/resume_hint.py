"""What ``train`` and ``compare`` say when interrupted: where the run was saved and the command that resumes it.

Reading the checkpoints' metadata needs the engine (torch), which these two commands import anyway.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from workbench.cli_errors import WRITTEN_WHOLE
from workbench.engine.checkpoint import read_checkpoint_info
from workbench.engine.checkpoint_meta import CheckpointError


def interrupted_message(command: str, out_dir: str | Path | None, argv: list[str]) -> str:
    """Where an interrupted ``train``/``compare`` left its run and how to continue it."""
    if out_dir is None:
        return WRITTEN_WHOLE
    folder = Path(out_dir)
    checkpoints = [folder / "last.safetensors"] if command == "train" else sorted(folder.glob("*/last.safetensors"))
    saved = [_epoch_of(path) for path in checkpoints if path.is_file()]
    if not any(saved):
        return f"interrupted before the first checkpoint in {folder}; nothing to resume: run the command again."
    resume = shlex.join(["workbench", *argv] + ([] if "--resume" in argv else ["--resume"]))
    done = ", ".join(s for s in saved if s)
    return f"interrupted; the run is saved in {folder} ({done}); continue it with: {resume}"


def _epoch_of(path: Path) -> str | None:
    try:
        info = read_checkpoint_info(path)
    except CheckpointError:
        return None
    return f"{path.parent.name}: epoch {info.get('epoch')}, step {info.get('step')}"
