"""RunLock in one process: a stale lock is noted and replaced, only dead writers' temporary files go, a
file given as the folder is refused. (Two processes on one folder: test_reliability_faults.py.)"""

import json
import os

import pytest

from workbench.engine import RunLock
from workbench.engine.run_lock import LOCK_FILE


def _dead_pid() -> int:
    pid = 999_999
    while True:  # a pid no process has (pids wrap far below 2**22 on Linux)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        pid += 1


def test_stale_lock_is_replaced_and_only_dead_writers_temporaries_are_removed(tmp_path):
    dead = _dead_pid()
    (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": dead, "host": "h"}))
    (tmp_path / "masks").mkdir()
    leftovers = [
        tmp_path / f".last.safetensors.{dead}.0123abcd.tmp",
        tmp_path / "masks" / f".a.png.{dead}.89abcdef.tmp",
    ]
    kept = [
        tmp_path / f".history.csv.{os.getpid()}.0123abcd.tmp",
        tmp_path / ".notes.tmp",
        tmp_path / "last.safetensors",
    ]
    for path in leftovers + kept:
        path.write_bytes(b"x")
    with RunLock(tmp_path) as lock:
        assert lock.stale == {"pid": dead, "host": "h"} and sorted(lock.removed) == sorted(leftovers)
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()
        assert lock.note() == (
            f"a previous run (process {dead}) stopped without releasing {tmp_path}; its lock was "
            f"taken over; 2 temporary file(s) it left were removed."
        )
        with RunLock(tmp_path) as nested:  # the same process again (the CLI, then fit): no second flock
            assert nested.removed == []
    assert not any(p.exists() for p in leftovers) and all(p.exists() for p in kept)
    assert (tmp_path / LOCK_FILE).read_text() == ""  # released: the next run finds no stale holder
    with RunLock(tmp_path) as lock:
        assert lock.stale is None and lock.note() is None


def test_a_file_as_the_run_folder_is_refused_by_name(tmp_path):
    path = tmp_path / "runs"
    path.write_text("")
    with pytest.raises(ValueError, match=f"{path} is a file, not a folder; give --out a folder"):
        RunLock(path).acquire()
    assert RunLock(None).__enter__().folder is None  # no folder, nothing to lock
