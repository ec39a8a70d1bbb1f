"""A real ``workbench`` process with one fault injected, for the fault-injection tests (test_reliability_*).

``python reliability_child.py ARGS...`` runs ``workbench ARGS...`` (``workbench.cli.main``) in this process.
``WB_FAULT_FILE=<name>`` and ``WB_FAULT_NTH=<n>`` pick the moment: the n-th atomic rename onto a file of that
name, when its temporary file is complete on disk. ``WB_FAULT`` says what happens there:

- ``kill``: the process SIGKILLs itself (nothing runs after: no handler, no clean-up).
- ``hold``: it writes its pid to ``WB_FAULT_READY`` and waits, for the test to act (start a rival run, send
  SIGTERM or SIGKILL).
- ``enospc``, ``erofs``: the rename fails as on a full disk or a read-only file system.
- ``oom``: a ``torch.OutOfMemoryError`` is raised, as a too-large batch would on a GPU.

``WB_CASES=<file.json>`` instead runs several commands one after the other in this one process (to pay
the import of torch once): a list of ``{"argv": [...], "fault": {"action", "file", "nth"} or null}``; it
prints one JSON list of ``{"rc", "stderr"}``.
"""

import contextlib
import errno
import io
import json
import os
import signal
import sys
import time
from pathlib import Path

import torch

from workbench import cli

_REAL_REPLACE = os.replace
_ERRORS = {"enospc": errno.ENOSPC, "erofs": errno.EROFS}


def _fault(action: str) -> None:
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "hold":
        Path(os.environ["WB_FAULT_READY"]).write_text(str(os.getpid()))
        while True:
            time.sleep(0.05)
    if action == "oom":
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (simulated)")
    raise OSError(_ERRORS[action], os.strerror(_ERRORS[action]))


def _install(target: str, nth: int, action: str) -> None:
    seen = [0]

    def replace(src, dst, **kw):
        if Path(dst).name == target:
            seen[0] += 1
            if seen[0] == nth:
                _fault(action)
        return _REAL_REPLACE(src, dst, **kw)

    os.replace = replace  # workbench.atomic calls os.replace


def _run_cases(path: str) -> None:
    results = []
    for case in json.loads(Path(path).read_text()):
        fault = case.get("fault")
        if fault:
            _install(fault["file"], int(fault.get("nth", 1)), fault["action"])
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                rc = cli.main(case["argv"])
            except SystemExit as exit:  # argparse refusing an option
                rc = exit.code
        os.replace = _REAL_REPLACE
        results.append({"rc": rc, "stderr": err.getvalue()})
    print(json.dumps(results))


if __name__ == "__main__":
    if os.environ.get("WB_CASES"):
        sys.exit(_run_cases(os.environ["WB_CASES"]))
    if os.environ.get("WB_FAULT_FILE"):
        _install(os.environ["WB_FAULT_FILE"], int(os.environ.get("WB_FAULT_NTH", "1")), os.environ["WB_FAULT"])
    sys.exit(cli.main(sys.argv[1:]))
