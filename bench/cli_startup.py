"""How fast the command line answers: `--help`, a command's help and `workbench report`, against bare imports.

Each row is a fresh interpreter (as a user types it), the rows taking turns, fastest of ``--repeats``: wall
seconds, CPU seconds (user + system, from ``os.wait4``) and peak RSS (``ru_maxrss`` of the child). Peers in the
same run: ``python -c pass`` (the interpreter alone) and ``python -c "import torch"`` (what a command line that
imports torch pays before doing anything). ``workbench report`` runs on a folder shaped like ``runs/demo``
(``report_speed.demo_shaped``: four records of 64 images of 64 x 64); it must not import torch at all. This
script imports nothing heavy itself, since Linux starts a child's peak RSS at the launching process's.

    python bench/cli_startup.py [--repeats 5]

Targets (issue "scoring at real scale"): ``--help`` under 0.5 s and 150 MB, ``report`` under 2 s, on the idle
machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = "import sys; from pathlib import Path; from report_speed import demo_shaped; demo_shaped(Path(sys.argv[1]))"


def run(command: list[str]) -> tuple[float, float, float]:
    """``(wall s, CPU s, peak RSS MB)`` of one fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"cli_startup: {' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = (
            Path(tmp) / "demo"
        )  # built in a child: Linux starts a child's peak RSS at its parent's, keep ours small
        subprocess.run([python, "-c", BUILD, str(folder)], check=True, cwd=Path(__file__).parent)
        rows = {
            "python -c pass (peer: the interpreter)": [python, "-c", "pass"],
            "python -c 'import torch' (peer)": [python, "-c", "import torch"],
            "workbench --help": [python, "-m", "workbench", "--help"],
            "workbench evaluate --help": [python, "-m", "workbench", "evaluate", "--help"],
            "workbench report (demo-shaped folder)": [
                python,
                "-m",
                "workbench",
                "report",
                str(folder),
                "--out",
                str(Path(tmp) / "report.html"),
            ],
        }
        best = {name: (float("inf"),) * 3 for name in rows}
        for _ in range(args.repeats):  # the rows take turns, so a busy moment hits them all
            for name, command in rows.items():
                best[name] = tuple(min(a, b) for a, b in zip(best[name], run(command)))
    torch_wall = best["python -c 'import torch' (peer)"][0]
    print(f"fastest of {args.repeats}, load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'row':<42} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'wall / import torch':>20}")
    for name, (wall, cpu, rss) in best.items():
        print(f"{name:<42} {wall:>7.2f} {cpu:>7.2f} {rss:>8.0f} {wall / torch_wall:>20.2f}")


if __name__ == "__main__":
    main()
