"""What writing an evaluation record costs, against writing the same PNGs with no durability at all.

A record of N predicted masks (2048 x 1024, 19 classes, blocky with noise, so the PNGs have a realistic
size) is written with ``write_record`` (run it with PYTHONPATH at an older checkout to compare); the peer encodes and
writes the same masks as plain PNG files with no fsync, the floor any writer pays. Wall and CPU seconds.

    python bench/record_write.py [--images 100] [--repeats 3] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from workbench.data import Classes
from workbench.metrics import evaluate
from workbench.records import encode_mask, write_record


def masks(count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        blocks = np.kron(rng.integers(0, 19, (16, 32)), np.ones((64, 64), dtype=np.uint8)).astype(np.uint8)
        noise = rng.random(blocks.shape) < 0.01
        out.append(np.where(noise, rng.integers(0, 19, blocks.shape), blocks).astype(np.uint8))
    return out


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="folder to write in (default: a temporary one)")
    args = parser.parse_args()
    classes = Classes([f"c{i}" for i in range(19)], [(i * 13, i * 7, 255 - i * 13) for i in range(19)])
    maps = masks(args.images)
    scores = evaluate(maps, maps, classes.num_classes, boundary=False)  # region scores only: fast, any version
    stems = [f"img{i:04d}" for i in range(len(maps))]
    work = Path(args.work or tempfile.mkdtemp(prefix="record-write-"))

    def record():
        write_record(
            work / "record",
            source={"kind": "predictions", "dir": "x"},
            data={},
            scores=scores,
            stems=stems,
            masks=maps,
            classes=classes,
        )

    def plain():
        folder = work / "plain"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for stem, mask in zip(stems, maps):
            (folder / f"{stem}.png").write_bytes(encode_mask(mask, 8))

    rows = {"write_record (the workbench imported)": record, "plain PNG writes, no fsync (floor)": plain}
    best = {name: (float("inf"), float("inf")) for name in rows}
    for _ in range(args.repeats):  # the rows take turns
        for name, fn in rows.items():
            wall, cpu = timed(fn)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    size = sum(p.stat().st_size for p in (work / "record" / "masks").iterdir()) / 2**20
    print(f"{len(maps)} masks of 2048 x 1024 ({size:.1f} MiB of PNG), best of {args.repeats}, in {work}")
    print(f"{'row':<48} {'wall s':>8} {'CPU s':>8} {'wall / floor':>13}")
    floor = best["plain PNG writes, no fsync (floor)"][0]
    for name, (wall, cpu) in best.items():
        print(f"{name:<48} {wall:>8.2f} {cpu:>8.2f} {wall / floor:>13.2f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
