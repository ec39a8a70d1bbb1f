"""How long `workbench report` takes on a demo-sized comparison folder, and where the time goes.

Usage: ``python bench/report_speed.py [RUN_DIR]``. Without RUN_DIR a folder shaped like ``runs/demo`` is
written through the records API: four sources, the demo's 64 validation images of 64 x 64 with 7
classes, a three-epoch history each. The report reads records only, so what the predictions are does not
change its cost; each source is the target with a share of its pixels set to a random class. With
RUN_DIR (e.g. ``runs/demo`` after ``make demo``) that folder is timed instead.

Printed: the whole command in a fresh interpreter (imports included, as a user runs it); its peer in the
same run, a fresh interpreter that only imports torch (what the command cost when the command line imported
it; the report imports none of torch now: ``bench/cli_startup.py``); then the parts in this process:
reading the records, the bootstrap intervals and paired comparisons, and every section of the page.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data import SyntheticShapes
from workbench.metrics import evaluate
from workbench.records import read_comparison, write_comparison_order, write_record
from workbench.report import BootstrapSettings, read_review_run, review_sections
from workbench.report.summary import intervals, leads

SOURCES = {"fcn8s": 0.35, "unet": 0.2, "deeplabv3plus": 0.25, "pspnet": 0.3}  # share of wrong pixels
VAL = {"num_images": 64, "image_size": (64, 64), "seed": 1}  # the demo's validation split


def demo_shaped(folder: Path) -> Path:
    data = SyntheticShapes(**VAL)
    targets = [data[i][1].numpy() for i in range(len(data))]
    stems = [f"{i:05d}" for i in range(len(targets))]
    rng = np.random.default_rng(0)
    for name, share in SOURCES.items():
        preds = [
            np.where(rng.random(t.shape) < share, rng.integers(0, 7, t.shape), np.where(t == 255, 0, t))
            for t in targets
        ]
        write_record(
            folder / name,
            source={
                "kind": "model",
                "name": name,
                "encoder": "resnet18",
                "weights": "last.safetensors",
                "sha256": "0" * 64,
            },
            data={
                "root": None,
                "split": None,
                "dataset": "synthetic",
                "synthetic": {**VAL, "image_size": list(VAL["image_size"])},
            },
            scores=evaluate(preds, targets, 7),
            stems=stems,
            masks=preds,
            classes=data.classes,
        )
        epochs = np.arange(1, 4)
        pd.DataFrame(
            {
                "epoch": epochs,
                "train_loss": 1.5 / epochs,
                "val_loss": 1.6 / epochs,
                "val_miou": (1 - share) * epochs / 3,
            }
        ).to_csv(folder / name / "history.csv", index=False)
    write_comparison_order(folder, list(SOURCES))
    return folder


REPEATS = 3  # fresh interpreters vary with the machine's load: the fastest of three, alternating with the peer


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def fastest(*commands) -> list[float]:
    """The fastest of ``REPEATS`` runs of each command, the commands taking turns."""
    best = [float("inf")] * len(commands)
    for _ in range(REPEATS):
        for i, command in enumerate(commands):
            best[i] = min(
                best[i], timed(lambda command=command: subprocess.run(command, check=True, capture_output=True))[0]
            )
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else demo_shaped(Path(tmp) / "demo")
        command = [sys.executable, "-m", "workbench", "report", str(run_dir), "--out", str(Path(tmp) / "report.html")]
        whole, imports = fastest(command, [sys.executable, "-c", "import torch"])
        settings = BootstrapSettings()
        read, run = timed(lambda: read_review_run(run_dir))
        boot_s, boot = timed(lambda: intervals(run.records, settings))
        paired_s, _ = timed(lambda: leads(run.records, boot, settings, paired=True))
        page_s, _ = timed(lambda: review_sections(run, settings))
        records = read_comparison(run_dir)
        print(f"{run_dir}: {len(records)} records, {len(next(iter(records.values())).stems)} images each")
        print(f"{'part':<44} {'seconds':>8} {'share':>7}")
        rows = [
            (f"workbench report (fastest of {REPEATS})", whole),
            (f"  peer: import torch (fastest of {REPEATS})", imports),
            ("  read the records (sha256 checked)", read),
            ("  bootstrap intervals, 2000 resamples", boot_s),
            ("  paired comparisons, 4 headline scores", paired_s),
            ("  every section (bootstrap again, figures)", page_s),
        ]
        for label, seconds in rows:
            print(f"{label:<44} {seconds:8.2f} {seconds / whole:7.0%}")


if __name__ == "__main__":
    main()
