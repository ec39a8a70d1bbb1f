"""The command line starts at once: help and ``workbench report`` import no torch (STYLE 18).

Each command runs in a fresh interpreter, which then lists the heavy packages it imported.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.engine.test_scoring_at_scale import make_data
from workbench.cli import build_parser, main
from workbench.data import ShapeScenes, data_stems, describe_data
from workbench.metrics import evaluate
from workbench.records import write_comparison_order, write_record

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "torchvision", "segmentation_models_pytorch")
RUN_AND_LIST_HEAVY = (
    "import runpy, sys\n"
    "sys.argv = ['workbench', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('workbench', run_name='__main__')\n"
    "except SystemExit as done:\n"
    "    code = done.code\n"
    f"print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))\n"
    "sys.exit(code)\n"
)


def heavy_imports(*args: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after ``python -m workbench ARGS`` (which must succeed)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_HEAVY, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("HEAVY "))
    return sorted({name.split(".")[0] for name in ast.literal_eval(line[len("HEAVY ") :])})


@pytest.mark.parametrize(
    "command",
    [[], ["train"], ["compare"], ["evaluate"], ["report"], ["predict"]],
    ids=["workbench", "train", "compare", "evaluate", "report", "predict"],
)
def test_help_imports_no_torch(command):
    assert heavy_imports(*command, "--help") == []


def test_every_command_is_checked():
    commands = build_parser()._subparsers._group_actions[0].choices
    assert sorted(commands) == ["compare", "evaluate", "predict", "report", "train"]


def synthetic_comparison(folder):
    """Two sources of known quality on six generated scenes, written through the records API: the records name
    the ``SyntheticShapes`` parameters, so the report draws the scenes again (as numpy, without torch)."""
    rng = np.random.default_rng(0)
    scenes = ShapeScenes(num_images=6, image_size=(16, 20), seed=1)
    targets = [scenes.read_sample(i)[1] for i in range(len(scenes))]
    for name, share in (("good", 0.1), ("worse", 0.5)):
        preds = [
            np.where(rng.random(t.shape) < share, rng.integers(0, 7, t.shape), np.where(t == 255, 0, t))
            for t in targets
        ]
        write_record(
            folder / name,
            source={"kind": "predictions", "dir": name},
            data=describe_data(scenes),
            scores=evaluate(preds, targets, 7),
            stems=data_stems(scenes),
            masks=preds,
            classes=scenes.classes,
        )
    write_comparison_order(folder, ["good", "worse"])
    return folder


def folder_comparison(folder):
    """Two prediction folders scored on a small images/ + masks/ dataset by ``workbench evaluate --preds``."""
    make_data(folder / "data", 6, size=(16, 24))
    assert (
        main(
            [
                "evaluate",
                "--preds",
                f"good={folder / 'data' / 'preds-a'}",
                "--preds",
                f"worse={folder / 'data' / 'preds-b'}",
                "--data",
                str(folder / "data"),
                "--workers",
                "1",
                "--out",
                str(folder / "run"),
            ]
        )
        == 0
    )
    return folder / "run"


def gone_comparison(folder):
    """The records of a folder dataset that is not on this machine: the gallery shows the predictions alone."""
    run = folder_comparison(folder)
    (folder / "data").rename(folder / "moved")
    return run


@pytest.mark.parametrize("one_record", [False, True], ids=["comparison", "record"])
@pytest.mark.parametrize("make", [synthetic_comparison, folder_comparison], ids=["synthetic", "folder"])
def test_report_imports_no_torch(tmp_path, make, one_record):
    """The photographs and targets of the gallery are read as numpy: the report imports no torch at all."""
    run = make(tmp_path)
    target = run / "good" if one_record else run
    assert heavy_imports("report", str(target), "--resamples", "50") == []
    page = (target / "report.html").read_text(encoding="utf-8")
    assert "good" in page and "<th>photograph</th>" in page and "Photographs and targets left out" not in page


def test_report_without_the_data_says_so_and_imports_no_torch(tmp_path):
    run = gone_comparison(tmp_path)
    assert heavy_imports("report", str(run), "--resamples", "50") == []
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "Photographs and targets left out" in page and "<th>photograph</th>" not in page


def test_the_check_sees_torch():
    """A command that does load a model shows up: the check is not blind."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = RUN_AND_LIST_HEAVY.replace("runpy.run_module('workbench', run_name='__main__')", "import torch")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert "'torch'" in done.stdout
