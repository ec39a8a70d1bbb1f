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

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from workbench.data.classes import Classes
from workbench.engine import read_checkpoint_info
from workbench.metrics import evaluate
from workbench.records import is_record, read_record, write_record

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("reliability_child.py")
# fcn8s on 8 + 4 synthetic 32 x 32 images, 2 steps per epoch: the smallest real run of the CLI.
TRAIN = [
    "train",
    "--model",
    "fcn8s",
    "--image-size",
    "32",
    "--num-images",
    "8",
    "--val-images",
    "4",
    "--batch-size",
    "4",
    "--epochs",
    "2",
    "--log-every",
    "1",
    "--no-progress",
]


class Proc:
    """A ``workbench`` process whose stdout and stderr go to files (so it never blocks on a full pipe)."""

    def __init__(
        self, args: list[str], folder: Path, *, fault: dict | None = None, name: str = "proc", env: dict | None = None
    ):
        self.stdout, self.stderr = folder / f"{name}.out", folder / f"{name}.err"
        self.ready = folder / f"{name}.ready"
        extra_env, env = env, {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        for key, value in (fault or {}).items():
            env[f"WB_FAULT{'_' + key.upper() if key != 'action' else ''}"] = str(value)
        env["WB_FAULT_READY"] = str(self.ready)
        env.update(extra_env or {})
        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
            self.popen = subprocess.Popen(
                [sys.executable, str(CHILD), *args], cwd=folder, env=env, stdout=out, stderr=err
            )
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
    assert (
        len(held) == 1
        and held[0].startswith(".last.safetensors.")
        and json.loads((out / ".workbench.lock").read_text())["pid"] == first.pid
    )

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
    assert f"note: a previous run (process {first.pid}) stopped without releasing {out}" in third.stdout.read_text()
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


def _kill(file: str, nth: int) -> dict:
    return {"action": "kill", "file": file, "nth": nth}


@pytest.mark.slow  # five real processes (see the module docstring)
def test_a_run_killed_in_its_last_epoch_is_finished_by_resume_and_resume_keeps_its_configuration(tmp_path):
    out = tmp_path / "run"
    args = [*TRAIN, "--out", str(out)]
    # Item 2: killed while writing the final epoch's `last` (its `best` and history.csv are already written).
    rc, err = run(args, tmp_path, fault=_kill("last.safetensors", 2), name="first")
    assert rc == -signal.SIGKILL, err[-3000:]
    assert read_checkpoint_info(out / "last.safetensors")["epoch"] == 1 and not is_record(out)
    config_before = (out / "config.json").read_bytes()

    # Item 12: a resume with other settings is refused, listing each difference, and rewrites nothing.
    rc, err = run([*args, "--resume", "--lr", "0.5", "--batch-size", "2"], tmp_path, name="changed")
    [line] = error_lines(err)
    assert rc == 2 and "cannot resume with a changed configuration" in line
    assert "batch_size is 2 now but 4 in the run" in line and "lr is 0.5 now but 0.002 in the run" in line
    assert (out / "config.json").read_bytes() == config_before

    # Killed again after the final `last`, while the record (scores.json, tables, masks) is being written.
    rc, err = run([*args, "--resume"], tmp_path, fault=_kill("record.json", 1), name="second")
    assert rc == -signal.SIGKILL, err[-3000:]
    assert read_checkpoint_info(out / "last.safetensors")["epoch"] == 2 and not is_record(out)

    rc, err = run([*args, "--resume"], tmp_path, name="third")  # finishes what the last epoch left undone
    assert rc == 0, err[-3000:]
    history = pd.read_csv(out / "history.csv")
    assert list(history["epoch"]) == [1, 2] and history["val_miou"].notna().all()
    best_epoch = int(history["epoch"][history["val_miou"].idxmax()])
    assert read_checkpoint_info(out / "best.safetensors")["epoch"] == best_epoch
    record = read_record(out)
    assert record.scores.miou == pytest.approx(history["val_miou"].iloc[-1], abs=1e-12)
    assert {"scores.json", "per_class.csv", "per_class.md", "confusion.csv", "per_image.csv"} <= {
        p.name for p in out.iterdir()
    }
    assert temporaries(out) == []

    # Item 12: only a larger budget is accepted, and it is recorded.
    rc, err = run([*args, "--resume", "--epochs", "3"], tmp_path, name="extended")
    assert rc == 0, err[-3000:]
    assert list(pd.read_csv(out / "history.csv")["epoch"]) == [1, 2, 3]
    [extension] = config_json(out)["budget_extensions"]
    assert (
        extension["at_step"] == 4
        and extension["from"]["epochs"] == 2
        and extension["to"] == {"epochs": 3, "max_steps": None, "steps": 6}
    )
    assert read_checkpoint_info(out / "last.safetensors")["epoch"] == 3 and read_record(
        out
    ).scores.miou == pytest.approx(pd.read_csv(out / "history.csv")["val_miou"].iloc[-1], abs=1e-12)


def _cases(folder: Path, cases: list[dict]) -> list[dict]:
    """Run the CLI once per case in one real process (see reliability_child.py); each case's rc and stderr."""
    spec = folder / "cases.json"
    spec.write_text(json.dumps(cases))
    proc = Proc([], folder, name="cases", env={"WB_CASES": str(spec)})
    assert proc.wait() == 0, proc.err[-3000:]
    return json.loads(proc.stdout.read_text().splitlines()[-1])


def _record_with_a_bad_colour(path: Path) -> Path:
    """An evaluation record whose record.json was edited by hand: class 0's colour is [300, 0, 0]."""
    masks = [np.array([[0, 1], [1, 1]]), np.array([[0, 0], [1, 0]])]
    write_record(
        path,
        source={"kind": "predictions", "dir": "x"},
        data={},
        scores=evaluate(masks, masks, 2),
        stems=["a", "b"],
        masks=masks,
        classes=Classes(("sky", "road"), ((0, 0, 0), (9, 9, 9)), 255),
    )
    meta = json.loads((path / "record.json").read_text())
    meta["classes"]["classes"][0]["color"] = [300, 0, 0]
    (path / "record.json").write_text(json.dumps(meta))
    return path


@pytest.mark.slow  # one real process running nine commands (eight with a GPU), three of which train an epoch
def test_every_failure_is_one_line_with_exit_code_2(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    bad_colours = _record_with_a_bad_colour(tmp_path / "bad_colours")
    out = [*TRAIN, "--epochs", "1", "--out"]
    cases = [  # (argv, fault, what the one line must say)
        ([*out, str(tmp_path / "c1"), "--device", "cuda:99"], None, "'cuda:99' asked for but"),
        ([*out, str(tmp_path / "c2"), "--device", "tpu"], None, "'tpu' is not a device; use cpu, cuda, cuda:N or auto"),
        ([*out, str(a_file)], None, f"{a_file} is a file, not a folder; give --out a folder"),
        (
            [*out, str(tmp_path / "ro")],
            {"action": "erofs", "file": "config.json"},
            "Read-only file system); choose another --out",
        ),
        (
            [*out, str(tmp_path / "full")],
            {"action": "enospc", "file": "last.safetensors"},
            f"no space left on the disk while writing {tmp_path / 'full'}",
        ),
        (
            [*out, str(tmp_path / "oom")],
            {"action": "oom", "file": "last.safetensors"},
            "out of GPU memory; lower --batch-size",
        ),
        (
            ["report", str(bad_colours)],
            None,
            "record.json: its classes are not valid (class 0 ('sky') has colour [300, 0, 0]",
        ),
        (
            ["compare", "--models", "unet", "nosuchnet", *TRAIN[3:], "--out", str(tmp_path / "cmp")],
            None,
            "unknown models ['nosuchnet']",
        ),
    ]
    if not torch.cuda.is_available():
        cases.append(([*out, str(tmp_path / "c3"), "--device", "cuda"], None, "CUDA is not available here"))
    results = _cases(tmp_path, [{"argv": argv, "fault": fault} for argv, fault, _ in cases])
    for (argv, fault, wanted), result in zip(cases, results):
        lines = error_lines(result["stderr"])
        assert result["rc"] == 2 and len(lines) == 1 and wanted in lines[0], (argv, fault, result["stderr"][-2000:])
        assert lines[0].startswith(f"workbench {argv[0]}: error: ")
    assert temporaries(tmp_path) == []
    assert (tmp_path / "full" / "config.json").is_file() and not (tmp_path / "full" / "last.safetensors").exists()
    assert not (tmp_path / "cmp" / "unet").exists()  # compare checks every name before training any model


@pytest.mark.slow  # a real training process (the command, 3 epochs instead of 6)
def test_a_diverging_run_stops_with_one_line_and_never_saves_non_finite_weights(tmp_path):
    out = tmp_path / "run"
    rc, err = run(
        [
            "train",
            "--model",
            "pspnet",
            "--image-size",
            "32",
            "--num-images",
            "32",
            "--val-images",
            "8",
            "--batch-size",
            "8",
            "--epochs",
            "3",
            "--optimizer",
            "sgd",
            "--lr",
            "1000",
            "--no-progress",
            "--out",
            str(out),
        ],
        tmp_path,
    )
    [line] = error_lines(err)
    assert rc == 2 and line.startswith("workbench train: error: Training diverged: the "), err[-3000:]
    for name in ("last", "best"):
        path = out / f"{name}.safetensors"
        if path.exists():
            assert all(bool(t.isfinite().all()) for t in load_file(str(path)).values() if t.is_floating_point()), name
