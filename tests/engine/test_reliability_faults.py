"""Fault injection: real ``workbench`` processes killed or failed at the moments that matter, then the files.

Each test starts ``reliability_child.py`` (the CLI with one fault at a chosen atomic rename) and checks what
is on disk afterwards. They are slow (marked ``slow``): every process imports torch and the models (about 10
to 30 s on a shared 2-core machine) before training fcn8s for a few steps.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from safetensors.torch import load_file

from workbench.engine import read_checkpoint_info
from workbench.records import is_record, read_record

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("reliability_child.py")
# fcn8s on 8 + 4 synthetic 32 x 32 images, 2 steps per epoch: the smallest real run of the CLI.
TRAIN = ["train", "--model", "fcn8s", "--image-size", "32", "--num-images", "8", "--val-images", "4",
         "--batch-size", "4", "--epochs", "2", "--log-every", "1", "--no-progress"]


class Proc:
    """A ``workbench`` process whose stdout and stderr go to files (so it never blocks on a full pipe)."""

    def __init__(self, args: list[str], folder: Path, *, fault: dict | None = None, name: str = "proc"):
        self.stdout, self.stderr = folder / f"{name}.out", folder / f"{name}.err"
        self.ready = folder / f"{name}.ready"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        for key, value in (fault or {}).items():
            env[f"WB_FAULT{'_' + key.upper() if key != 'action' else ''}"] = str(value)
        env["WB_FAULT_READY"] = str(self.ready)
        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
            self.popen = subprocess.Popen([sys.executable, str(CHILD), *args], cwd=folder, env=env, stdout=out, stderr=err)
        self.pid = self.popen.pid

    def wait(self, timeout: float = 900) -> int:
        return self.popen.wait(timeout)

    def wait_ready(self, timeout: float = 900) -> None:
        """Until the process holds at its fault (``hold``); fails with its stderr if it ends first."""
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            if self.popen.poll() is not None:
                raise AssertionError(f"exited {self.popen.returncode} before the fault:\n{self.err[-3000:]}")
            if time.monotonic() > deadline:
                self.popen.kill()
                raise AssertionError(f"no fault within {timeout} s:\n{self.err[-3000:]}")
            time.sleep(0.1)

    @property
    def err(self) -> str:
        return self.stderr.read_text()


def run(args: list[str], folder: Path, **kw) -> tuple[int, str]:
    """Run to the end; the exit status and stderr."""
    proc = Proc(args, folder, **kw)
    return proc.wait(), proc.err


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def error_lines(stderr: str) -> list[str]:
    """The ``workbench <command>: error:`` lines; asserts that no traceback was printed."""
    assert "Traceback" not in stderr, stderr[-3000:]
    return [line for line in stderr.splitlines() if line.startswith("workbench ") and ": error: " in line]


def config_json(folder: Path) -> dict:
    return json.loads((folder / "config.json").read_text())


def _hold(file: str, nth: int) -> dict:
    return {"action": "hold", "file": file, "nth": nth}


@pytest.mark.slow  # four real training processes (see the module docstring)
def test_one_run_per_folder_a_killed_runs_lock_and_temporaries_and_sigterm(tmp_path):
    out = tmp_path / "run"
    args = [*TRAIN, "--out", str(out)]
    first = Proc(args, tmp_path, fault=_hold("last.safetensors", 1), name="first")
    first.wait_ready()  # epoch 1's checkpoint is complete in its temporary file, not yet renamed
    held = temporaries(out)
    assert len(held) == 1 and held[0].startswith(".last.safetensors.") and json.loads((out / ".workbench.lock").read_text())["pid"] == first.pid

    rc, err = run(args, tmp_path, name="second")  # item 4: a second run on the same folder stops at once
    assert rc == 2 and error_lines(err) == [error_lines(err)[0]]
    assert f"{out} is in use by another run (process {first.pid} on " in err and "choose another --out" in err
    assert temporaries(out) == held and not (out / "last.safetensors").exists()  # it touched nothing

    first.popen.send_signal(signal.SIGKILL)  # item 7: a killed run leaves its lock and an ~45 MB temporary file
    assert first.wait() == -signal.SIGKILL and temporaries(out) == held

    third = Proc([*args, "--resume"], tmp_path, fault=_hold("last.safetensors", 2), name="third")
    third.wait_ready()  # took the stale lock, removed the dead run's temporary file, wrote epoch 1's checkpoint
    assert json.loads((out / ".workbench.lock").read_text())["pid"] == third.pid
    assert held[0] not in temporaries(out) and len(temporaries(out)) == 1
    assert read_checkpoint_info(out / "last.safetensors")["epoch"] == 1
    third.popen.send_signal(signal.SIGTERM)  # item 9: SIGTERM acts like Ctrl-C
    assert third.wait() == 130 and temporaries(out) == []
    [line] = error_lines(third.err)
    assert line.startswith(f"workbench train: error: interrupted; the run is saved in {out} (run: epoch 1, step 2)")
    assert line.endswith("--out " + str(out) + " --resume")
    assert read_checkpoint_info(out / "last.safetensors")["epoch"] == 1  # the interrupted write left the old file

    rc, err = run([*args, "--resume"], tmp_path, name="fourth")
    assert rc == 0, err[-3000:]
    assert is_record(out) and read_checkpoint_info(out / "last.safetensors")["epoch"] == 2
    assert temporaries(out) == [] and (out / ".workbench.lock").read_text() == ""  # released
