"""Atomic file writes, and the one JSON form of the workbench: a reader sees the old file or the new one.

The data goes to a temporary file in the same folder (so the rename stays on one file system), is flushed
and fsynced, then ``os.replace`` swaps it in; the folder is fsynced so the rename survives a power cut. On
any error the temporary file is removed and the previous file is left untouched.

The bottom layer of the package (numpy alone): every file the workbench writes, from ``classes.json``
(``workbench.data``) to records and run folders, goes through here. ``json_text`` is the one way JSON is
written: NaN as null, numpy values as plain numbers.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import numpy as np


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; create the parent folder when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")  # see remove_dead_temporaries
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


TEMPORARY_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")  # what atomic_write_bytes writes


def remove_dead_temporaries(folder: str | Path, *, recursive: bool = False, of: str | None = None) -> list[Path]:
    """Remove the temporary files that writers killed before their rename left in ``folder``.

    Only those of processes that are gone: a writer still running keeps its own.

    Args:
        folder: where to look.
        recursive: also in every folder below it.
        of: only the temporaries of this file name (e.g. ``"report.html"``).

    Returns:
        The files removed.
    """
    folder = Path(folder)
    removed = []
    for path in (folder.rglob if recursive else folder.glob)(".*.tmp"):
        match = TEMPORARY_NAME.match(path.name)
        if match and (of is None or match["name"] == of) and path.is_file() and not _alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C on Windows: keep the file
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except PermissionError:  # another user's process
        return True
    except (OSError, OverflowError):  # no such process, or an id no process can have
        return False
    return True


def atomic_write_text(path: str | Path, text: str) -> Path:
    """``atomic_write_bytes`` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as JSON; NaN and infinities become ``null`` and numpy values plain numbers."""
    return atomic_write_text(path, json_text(obj))


def json_text(obj: Any) -> str:
    """``obj`` as indented JSON text; NaN and infinities become ``null`` and numpy values plain numbers."""
    return json.dumps(to_jsonable(obj), indent=1, allow_nan=False) + "\n"


def to_jsonable(obj: Any) -> Any:
    """Plain JSON values, recursively: numpy arrays and scalars as lists and numbers, NaN and infinities as
    None, dict keys as text, and any other object (a path, a timestamp) as its text."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return str(obj)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` survive a power cut (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms (Windows) cannot open a folder; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
