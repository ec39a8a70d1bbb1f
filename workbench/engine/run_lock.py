"""One run per folder: a lock file that the operating system releases when its process dies.

``RunLock(folder)`` takes an exclusive ``flock`` on ``folder/.workbench.lock`` and writes its process id,
host and start time into it. A second run on the same folder stops at once with a ``RunLocked`` error that
names the folder and the running process. A lock left by a killed run needs no clean-up: the kernel drops a
dead process's ``flock``, so the next run takes it and only notes the stale process id it replaces. Taking
the lock also removes the hidden temporary files (``.<name>.<pid>.<hex>.tmp``, see ``workbench.atomic``) that
a killed writer left behind, sparing those of processes still alive.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from workbench.atomic import remove_dead_temporaries

LOCK_FILE = ".workbench.lock"
_HELD: set[Path] = (
    set()
)  # folders this process holds: a nested RunLock on one is a no-op (a second flock would be refused)


class RunLocked(RuntimeError):
    """Another process holds the folder's lock. Attributes: ``folder``, ``holder`` (the lock file's JSON)."""

    def __init__(self, folder: Path, holder: dict):
        self.folder, self.holder = folder, holder
        who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
        since = f" since {holder['started']}" if "started" in holder else ""
        super().__init__(
            f"{folder} is in use by another run ({who}{since}); wait for it to finish or stop it, or "
            f"choose another --out folder."
        )


class RunLock:
    """Context manager holding ``folder``'s lock; a no-op for ``folder=None``.

    Attributes:
        stale: the lock file's content left by a previous holder that died without releasing it, else None.
        removed: the leftover temporary files it deleted.
    """

    def __init__(self, folder: str | Path | None):
        self.folder = None if folder is None else Path(folder)
        self.stale: dict | None = None
        self.removed: list[Path] = []
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        if self.folder is not None:
            self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock or raise ``RunLocked``; then clean the folder of dead writers' temporary files."""
        ensure_folder(self.folder)
        key = self.folder.resolve()
        if key in _HELD:  # the CLI took it before loading data; fit takes it again
            return
        path = self.folder / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunLocked(self.folder, _read_holder(path)) from None
            raise
        self._fd = fd
        _HELD.add(key)
        previous = _read_holder(path)
        self.stale = previous or None
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            ).encode(),
        )
        os.fsync(fd)
        self.removed = remove_dead_temporaries(self.folder, recursive=True)

    def note(self) -> str | None:
        """A line about what taking the lock replaced (a dead run's lock, its temporary files), or None."""
        parts = []
        if self.stale and self.stale.get("pid"):
            parts.append(
                f"a previous run (process {self.stale['pid']}) stopped without releasing {self.folder}; "
                f"its lock was taken over"
            )
        if self.removed:
            parts.append(f"{len(self.removed)} temporary file(s) it left were removed")
        return "; ".join(parts) + "." if parts else None

    def release(self) -> None:
        """Drop the lock; the file stays (removing it would race with a run taking it)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
            _HELD.discard(self.folder.resolve())


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (and parents); a ``ValueError`` that names it when it is a file or cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder; give --out a folder path (it is created when missing).")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot create the folder {folder}: {err.strerror}; choose another --out folder.") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{folder} is not writable; choose another --out folder or fix its permissions.")
    return folder


def _read_holder(path: Path) -> dict:
    try:
        text = path.read_text()
        holder = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}
