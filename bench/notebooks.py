"""Notebook budgets: run every notebook with its defaults, as a student would, and time it.

Each notebook is executed headless with papermill and no parameters (so ``budget = "auto"`` picks the
device's budget), one after the other in one working folder, so that 05 and 07 read the run notebook 04
wrote. For each it prints the wall time, the CPU time of its kernel, the target time (issue 10 for 01-07,
issue 11 for the course chapters 08-13) and the key scores against the majority-class chance level (the
models of notebooks 03 and 04 must reach 3x chance; notebook 11's are reported). The
chance level of notebook 03 is computed here from the validation masks of the same budget, independently
of what the notebook prints.

This is a measurement, not a timed test: on a machine shared with other jobs, wall time also counts
waiting for a core; the load average is printed with each row. ``--busy N`` makes the machine busy on
purpose, as a student's laptop in a lab rarely is idle: N processes that spin on the CPU (one per core
doubles the load) run beside the notebooks for the whole run, and are stopped at its end.

    python bench/notebooks.py [--out DIR] [--only 03_fcn --only 04_train_and_compare] [--busy 2]
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.engine import choose_budget  # noqa: E402
from workbench.metrics import NEAR_CHANCE_FACTOR, chance_miou, class_pixel_counts  # noqa: E402

TARGET_S = {
    "01_segmentation_basics": 60,
    "02_transposed_convolution": 60,
    "03_fcn": 180,  # issue 10
    "04_train_and_compare": 480,
    "05_inspect_masks": 120,
    "06_style_transfer": 60,
    "07_review": 120,
}
TARGET_S.update(
    {
        name: 180
        for name in (  # the course chapters (issue 11): at most 3 minutes each
            "08_sliding_window_to_fcn",
            "09_receptive_field",
            "10_dilation_and_pyramid_pooling",
            "11_skip_fusion",
            "12_checkerboard_artifacts",
            "13_boundary_scores",
        )
    }
)
CHANCE_TARGET = 3.0  # the training notebooks' models must reach this multiple of the chance mIoU


@dataclass
class Result:
    notebook: str
    wall_s: float
    kernel_cpu_s: float
    load: float  # 1-minute load average at the end
    scores: str  # key scores against chance, or ""
    scores_ok: bool | None  # None: nothing to judge

    def row(self) -> str:
        target = TARGET_S[self.notebook]
        time_ok = "met" if self.wall_s <= target else "missed"
        score_ok = {None: "", True: "met", False: "missed"}[self.scores_ok]
        return (
            f"| {self.notebook} | {self.wall_s / 60:.1f} | {self.kernel_cpu_s / 60:.1f} | {self.load:.1f} | "
            f"{target / 60:g} | {time_ok} | {self.scores} | {score_ok} |"
        )


def fcn_scores(folder: Path) -> tuple[str, bool]:
    """Notebook 03: FCN-8s val mIoU (its run folder) against the chance level of the budget's val masks."""
    miou = json.loads((folder / "runs" / "notebook03" / "scores.json").read_text())["miou"]
    _, val = choose_budget("auto", min_size=96).create_splits("synthetic")  # the notebook's images
    chance = chance_miou(class_pixel_counts((mask for _, mask in val), val.classes.num_classes))["majority"]
    return f"fcn8s {miou:.3f} = {miou / chance:.1f}x chance ({chance:.3f})", miou >= CHANCE_TARGET * chance


def compare_scores(folder: Path, run: str = "notebook04") -> tuple[str, bool]:
    """Notebooks 04 and 11: every model's val mIoU against ``chance.json``'s majority-class level."""
    run = folder / "runs" / run
    table = pd.read_csv(run / "comparison.csv", comment="#").set_index("model")
    chance = json.loads((run / "chance.json").read_text())["miou"]["majority"]
    parts = [f"{name} {miou:.3f} = {miou / chance:.1f}x" for name, miou in table["miou"].items()]
    return ", ".join(parts) + f" (chance {chance:.3f})", bool((table["miou"] >= CHANCE_TARGET * chance).all())


def skip_fusion_scores(folder: Path) -> tuple[str, None]:
    """Notebook 11: FCN-32s/16s/8s against chance; reported, not judged (issue 11 sets no score target)."""
    return compare_scores(folder, "notebook11")[0], None


SCORES = {"03_fcn": fcn_scores, "04_train_and_compare": compare_scores, "11_skip_fusion": skip_fusion_scores}


def spin() -> None:
    """Keep one core busy until killed: the load a busy machine adds."""
    while True:
        pass


def run_notebook(name: str, folder: Path) -> Result:
    import papermill  # a dev extra; imported here so that --help works without it

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"),
        str(folder / f"{name}.ipynb"),
        kernel_name="python3",
        cwd=str(folder),
        progress_bar=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kernel has exited: its CPU time is counted
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    scores, ok = SCORES[name](folder) if name in SCORES else ("", None)
    return Result(name, wall, cpu, os.getloadavg()[0], scores, ok)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="working folder (default: a new temporary one); keeps the executed notebooks and the runs",
    )
    parser.add_argument("--only", action="append", choices=sorted(TARGET_S), help="run only these (repeatable)")
    parser.add_argument("--busy", type=int, default=0, help="CPU-spinning processes beside the run (default 0)")
    args = parser.parse_args(argv)
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.busy)]
    for spinner in spinners:
        spinner.start()
    try:
        return _run(args)
    finally:
        for spinner in spinners:
            spinner.kill()


def _run(args) -> int:
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-notebooks-"))
    folder.mkdir(parents=True, exist_ok=True)
    names = args.only or sorted(TARGET_S)
    budget = choose_budget("auto")
    print(
        f"{datetime.date.today()}, {os.cpu_count()} CPUs, {args.busy} CPU-spinning processes beside the run, "
        f"load average {os.getloadavg()[0]:.1f} at the start; "
        f"budget {budget.name!r}: {budget.describe()} Folder: {folder}"
    )
    print(
        f"Scores: validation mIoU against the majority-class chance level (target >= {CHANCE_TARGET:g}x; "
        f"flagged in the notebooks below {NEAR_CHANCE_FACTOR:g}x).\n"
    )
    print("| notebook | wall min | kernel CPU min | load | target min | time | key scores | scores |")
    print("|---|---:|---:|---:|---:|---|---|---|")
    results = []
    for name in names:
        results.append(run_notebook(name, folder))
        print(results[-1].row(), flush=True)
    missed = [r.notebook for r in results if r.wall_s > TARGET_S[r.notebook] or r.scores_ok is False]
    print(
        f"\nTotal {sum(r.wall_s for r in results) / 60:.1f} min. "
        + (f"Missed: {', '.join(missed)}." if missed else "Every target met.")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
