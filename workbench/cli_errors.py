"""What the command line prints when a command fails or is interrupted: one line, never a traceback.

``failure_message`` turns the errors a user can cause or fix (bad input, a busy or unwritable folder, a full
disk, too little memory, a diverged run) into one sentence that says what to do; after Ctrl-C or SIGTERM
each command says what it left (``WRITTEN_WHOLE``, or for training ``commands/resume_hint.py``). ``cli.main``
prints them as ``workbench <command>: error: ...`` and exits with 2 (130 when interrupted). Nothing here
imports torch, so that every command, ``report`` included, starts without it: torch's out-of-memory error is
known by its name and text.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import threading
from pathlib import Path

from workbench.engine.diverged import TrainingDiverged
from workbench.engine.run_lock import RunLocked

USER_ERRORS = (ValueError, TrainingDiverged, RunLocked, OSError, MemoryError)  # and out of memory, see _is_oom
WRITTEN_WHOLE = "interrupted; records and tables are written whole, so nothing half-written was left."
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM (``kill``, a scheduler's stop, torchrun) acts like Ctrl-C: a KeyboardInterrupt,
    so temporary files are removed and the command exits 130. The previous handler is restored after."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def is_user_error(err: BaseException) -> bool:
    """Whether ``err`` gets a one-line message (an OOM inside torch is a RuntimeError with a known text)."""
    return isinstance(err, USER_ERRORS) or _is_oom(err)


def failure_message(err: BaseException, out_dir: str | Path | None = None) -> str:
    """One line for an error that ``is_user_error``; ``out_dir`` names the folder an OSError without a file hit."""
    if isinstance(err, MemoryError) or _is_oom(err):
        where = "GPU" if _is_torch_oom(err) or "CUDA" in str(err) else "CPU"
        return (
            f"out of {where} memory; lower --batch-size (or --image-size / --crop-size), use --precision bf16 on "
            f"a GPU, or close other programs using the {where}."
        )
    if isinstance(err, OSError):
        return _os_error_message(err, out_dir)
    return " ".join(str(err).split("\n"))


def _os_error_message(err: OSError, out_dir) -> str:
    target = err.filename or out_dir or "the output folder"
    if err.errno in _NO_SPACE:
        return (
            f"no space left on the disk while writing {target}; free some space or choose another --out folder "
            f"(files already written, the last checkpoint included, are whole: nothing is half-written)."
        )
    if err.errno in _NOT_WRITABLE:
        return f"cannot write {target} ({err.strerror}); choose another --out folder or fix its permissions."
    if err.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return f"{target}: {err.strerror}; --out must name a folder (it is created when missing), not a file."
    if err.errno == errno.ENOENT:
        return f"{target}: no such file or folder; check the path."
    return f"{target}: {err.strerror or err}; check the path and the disk."


def _is_torch_oom(err: BaseException) -> bool:
    """``torch.OutOfMemoryError`` (a RuntimeError), known without importing torch."""
    return (
        isinstance(err, RuntimeError)
        and type(err).__name__ == "OutOfMemoryError"
        and type(err).__module__.split(".")[0] == "torch"
    )


def _is_oom(err: BaseException) -> bool:
    return _is_torch_oom(err) or (isinstance(err, RuntimeError) and _is_oom_text(str(err)))


def _is_oom_text(text: str) -> bool:
    return "out of memory" in text or "can't allocate memory" in text or "not enough memory" in text
