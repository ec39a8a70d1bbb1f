"""`workbench evaluate --preds` on Cityscapes-sized folders of 50 and 200 images, against peers in the same run.

The data: N synthetic 2048 x 1024 index masks of 19 classes (the Cityscapes names and colours) in the folder
layout (``data/images/val``, ``data/masks/val``, ``data/classes.json``) and a folder of predictions
(``preds/<stem>.png``), drawn from ``--seed`` alone and kept in ``--work`` for the next run. Targets: blocky
regions with wavy edges (a coarse random label grid, finer in some cells, looked up through a sinusoidal
warp), thin poles and wires 1-4 px wide, and about 10% void (a bottom strip and a few blobs). Predictions:
the target without its void and without one pole (a missed thin object), shifted by a few pixels (two
different shifts left and right of a random column), one class grown by 3 px and a few blobs of a wrong
class. The images are the targets coloured with the palette (cheap PNGs; evaluation reads only the masks,
but the folder reader pairs every mask with its image).

Each row runs in its own fresh interpreter (imports and start-up included, as a user runs it), so its
peak memory is its own; the rows take turns, ``--repeats`` times, and the fastest run of each is shown:

- ``workbench evaluate --workers 1`` and ``--workers <usable cores>`` (``python -m workbench evaluate
  --preds P --data D --split val --out O``): every score (region, Boundary IoU, BF, per-image statistics)
  and the record with its masks.
- torchmetrics ``MulticlassJaccardIndex(19, ignore_index=255, average=None)``, updated image by image with
  the PNGs read by PIL: region scores only.
- MMSegmentation's ``intersect_and_union`` in numpy (bincounts per image, summed): region scores only.
- The per-image scipy reference of the tests (``tests/metrics/reference.py``: band by iterated erosion,
  BF by Euclidean distance transform) for Boundary IoU and BF, on the first ``--reference-images`` images
  (it takes seconds per image); its agreement is checked against the record restricted to those images
  (the record's per-image statistics rescore any subset exactly).
- ``python -c 'import workbench.cli'``: the start-up floor every workbench row pays (torch's import alone
  holds several hundred MB), to tell the evaluation's own time and memory from it.

Columns: megapixels/s by wall clock and by CPU time (user + system of the row's process tree, from
``os.wait4``), peak RSS (``ru_maxrss``: the largest single process of the tree; Linux starts a child's
from the peak of the process that launched it, this script's, which stays near 40 MB because it imports
only numpy and PIL and draws the data in worker processes) and peak PSS of the whole process tree (sampled
every 0.1 s from ``/proc/<pid>/smaps_rollup``, so worker processes count once each), and the agreement
with the record written by the all-workers row (largest absolute difference of the per-class IoU and
mIoU, or of the per-class and mean Boundary IoU and BF).

    python bench/eval_scale.py [--sizes 50 200] [--repeats 1] [--work DIR] [--seed 0]
        [--height 1024] [--width 2048] [--reference-images 10]

A row that fails (e.g. a ``workbench evaluate`` without ``--workers``) stops the script with its error.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.data.classes import CLASSES_FILE, Classes

ROOT = Path(__file__).resolve().parents[1]
NUM_CLASSES, VOID = 19, 255
THIN_CLASSES = (5, 6, 7)  # pole, traffic light, traffic sign in the Cityscapes train ids: thin objects only
REGION_CLASSES = np.array([c for c in range(NUM_CLASSES) if c not in THIN_CLASSES], dtype=np.uint8)
CITYSCAPES_SET = (500, 1024, 2048)  # the Cityscapes val split: images, height, width
GENERATOR_VERSION = 1  # part of the folder name: bump it when the drawing changes
PALETTE_FILE = ROOT / "data" / "palettes" / "cityscapes.json"
CORES = len(os.sched_getaffinity(0))
RSS_LIMIT = 1.5e9  # bytes: the target for the peak memory of an evaluation
RSS_GROWTH = 0.15  # the target: peak memory at the largest size within 15% of the smallest


# ----------------------------------------------------------------------------------------------------------------
# Synthetic data


@dataclass
class Scene:
    """One drawn image: RGB image, target (void 255), prediction, and the target's pixels of the missed pole."""

    image: np.ndarray
    target: np.ndarray
    pred: np.ndarray
    missed: np.ndarray


def palette() -> np.ndarray:
    spec = json.loads(PALETTE_FILE.read_text())
    return np.array([c["color"] for c in spec["classes"]], dtype=np.uint8)


def blocks(rng, height: int, width: int) -> np.ndarray:
    """Blocky regions: a coarse random label grid (finer in a third of its cells) read through a wavy warp."""
    cell = max(4, height // 8)
    rows, cols = height // cell + 2, width // cell + 2
    coarse = rng.choice(REGION_CLASSES, (rows, cols))
    fine = rng.choice(REGION_CLASSES, (rows * 4, cols * 4))
    use_fine = rng.random((rows, cols)) < 0.3
    phase = rng.uniform(0, 2 * np.pi, 2)
    y, x = np.arange(height, dtype=np.float32)[:, None], np.arange(width, dtype=np.float32)[None, :]
    yy = y + cell / 4 * np.sin(2 * np.pi * x / (3 * cell) + phase[0]) + cell / 4
    xx = x + cell / 4 * np.sin(2 * np.pi * y / (3 * cell) + phase[1]) + cell / 4
    r, c = (yy // cell).astype(np.int32), (xx // cell).astype(np.int32)
    r4, c4 = (yy // (cell / 4)).astype(np.int32), (xx // (cell / 4)).astype(np.int32)
    return np.where(use_fine[r, c], fine[r4, c4], coarse[r, c])


def thin_strokes(rng, height: int, width: int, count: int = 12) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """``(rows, cols, class)`` of ``count`` thin objects 1-4 px wide: two vertical poles in three, then a wire
    at a random angle. The first is a pole in the upper 85% of the image (away from the void strip)."""
    strokes = []
    for k in range(count):
        thickness, cls = int(rng.integers(1, 5)), THIN_CLASSES[k % 3]
        if k % 3 != 2:  # a pole
            top = int(rng.integers(0, height // 2))
            bottom = int(rng.integers(top + max(2, height // 8), int(height * 0.85) + 1))
            left = int(rng.integers(0, width - thickness))
            rows, cols = np.mgrid[top:bottom, left : left + thickness]
        else:  # a wire
            y0, y1 = rng.integers(0, height, 2)
            x0, x1 = rng.integers(0, width, 2)
            n = int(max(abs(y1 - y0), abs(x1 - x0))) + 1
            ys, xs = np.linspace(y0, y1, n).round().astype(np.int64), np.linspace(x0, x1, n).round().astype(np.int64)
            along_x = abs(x1 - x0) >= abs(y1 - y0)  # thicken across the line
            offsets = np.arange(thickness)[:, None]
            rows = np.clip(ys + offsets * along_x, 0, height - 1)
            cols = np.clip(xs + offsets * (not along_x), 0, width - 1)
        strokes.append((rows.ravel(), cols.ravel(), cls))
    return strokes


def ellipse(rng, height: int, width: int, ry: float, rx: float, rows_up_to: int | None = None):
    """``(rows, cols)`` of a filled ellipse of radii ``ry``, ``rx`` at a random centre."""
    cy, cx = rng.uniform(0, rows_up_to or height), rng.uniform(0, width)
    top, bottom = max(0, int(cy - ry)), min(height, int(cy + ry) + 1)
    left, right = max(0, int(cx - rx)), min(width, int(cx + rx) + 1)
    rows, cols = np.mgrid[top:bottom, left:right]
    inside = ((rows - cy) / max(ry, 0.5)) ** 2 + ((cols - cx) / max(rx, 0.5)) ** 2 <= 1
    return rows[inside], cols[inside]


def void_mask(rng, height: int, width: int, share: float = 0.10) -> np.ndarray:
    """A bottom strip (6% of the rows, like Cityscapes' ego vehicle) plus blobs until ``share`` is void."""
    void = np.zeros((height, width), dtype=bool)
    void[height - max(1, round(0.06 * height)) :] = True
    for _ in range(100):
        if void.mean() >= share:
            break
        void[ellipse(rng, height, width, height * rng.uniform(0.03, 0.08), width * rng.uniform(0.02, 0.05))] = True
    return void


def predict(rng, labels: np.ndarray) -> np.ndarray:
    """A plausible prediction of ``labels``: two shifts of a few pixels, one class grown by 3 px, wrong blobs."""
    height, width = labels.shape
    shifts = rng.integers(1, 4, (2, 2)) * rng.choice([-1, 1], (2, 2))
    split = int(rng.integers(width // 4, 3 * width // 4 + 1))
    pred = np.roll(labels, tuple(shifts[0]), axis=(0, 1))
    pred[:, split:] = np.roll(labels, tuple(shifts[1]), axis=(0, 1))[:, split:]
    grown_class = rng.integers(0, NUM_CLASSES)
    grown = pred == grown_class
    grown = grown | np.roll(grown, 3, 0) | np.roll(grown, -3, 0) | np.roll(grown, 3, 1) | np.roll(grown, -3, 1)
    pred[grown] = grown_class
    for _ in range(int(rng.integers(3, 6))):
        blob = ellipse(rng, height, width, height * rng.uniform(0.02, 0.08), width * rng.uniform(0.01, 0.05))
        pred[blob] = rng.integers(0, NUM_CLASSES)
    return pred


def draw_scene(index: int, seed: int, height: int, width: int, *, miss_pole: bool = True) -> Scene:
    """Image ``index`` of the set drawn from ``seed``: the same whatever else is drawn, in any order.

    With ``miss_pole=False`` the prediction has the pole it otherwise misses (the rest is the same).
    """
    rng = np.random.default_rng([seed, index])
    labels = blocks(rng, height, width)
    strokes = thin_strokes(rng, height, width)
    for rows, cols, cls in strokes[int(miss_pole) :]:
        labels[rows, cols] = cls
    pred = predict(rng, labels)  # the random draws do not depend on the labels
    rows, cols, cls = strokes[0]
    labels[rows, cols] = cls
    missed = np.zeros((height, width), dtype=bool)
    missed[rows, cols] = True
    image = palette()[labels]
    target = np.where(void_mask(rng, height, width), np.uint8(VOID), labels)
    return Scene(image=image, target=target, pred=pred, missed=missed & (target != VOID))


def stem(index: int) -> str:
    return f"scene_{index:05d}"


def save_png(array: np.ndarray, path: Path) -> None:
    """Write atomically (a hidden temporary file, then a rename), so an interrupted run leaves no half file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    Image.fromarray(array).save(temporary, format="PNG", compress_level=1)
    os.replace(temporary, path)


def _write_scene(job) -> None:
    pool, index, seed, height, width = job
    scene = draw_scene(index, seed, height, width)
    save_png(scene.image, pool / "images" / f"{stem(index)}.png")
    save_png(scene.pred, pool / "preds" / f"{stem(index)}.png")
    save_png(scene.target, pool / "masks" / f"{stem(index)}.png")  # last: its presence means all three exist


def generate(work: Path, sizes, height: int, width: int, seed: int, *, processes: int = CORES) -> dict:
    """The folder of each size (``n<N>/data`` and ``n<N>/preds``), drawing only the images not on disk yet.

    Image i is the same in every size: a pool of ``max(sizes)`` scenes is drawn once and each size's folder
    holds hard links to its first N files. ``processes``: worker processes that draw (0: this process; the
    benchmark draws in workers so that its own peak memory, which every row's ``ru_maxrss`` starts from,
    stays small). Returns ``{N: folder}`` and prints what was drawn.
    """
    base = work / f"{width}x{height}-seed{seed}-v{GENERATOR_VERSION}"
    pool = base / "pool"
    for name in ("images", "masks", "preds"):
        (pool / name).mkdir(parents=True, exist_ok=True)
    todo = [i for i in range(max(sizes)) if not (pool / "masks" / f"{stem(i)}.png").exists()]
    started = time.perf_counter()
    jobs = [(pool, i, seed, height, width) for i in todo]
    if jobs and processes > 0:
        with multiprocessing.get_context("fork").Pool(min(processes, len(jobs))) as workers:
            for _ in workers.imap_unordered(_write_scene, jobs):
                pass
    else:
        for job in jobs:
            _write_scene(job)
    if todo:
        print(
            f"drew {len(todo)} scenes of {width} x {height} into {pool} in {time.perf_counter() - started:.1f} s "
            f"({min(processes, len(todo)) or 'no worker'} processes)"
        )
    return {n: _size_folder(base, pool, n) for n in sizes}


def _size_folder(base: Path, pool: Path, count: int) -> Path:
    folder = base / f"n{count}"
    if (folder / "complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    places = {
        "images": folder / "data" / "images" / "val",
        "masks": folder / "data" / "masks" / "val",
        "preds": folder / "preds",
    }
    for kind, place in places.items():
        place.mkdir(parents=True)
        for i in range(count):
            source = pool / kind / f"{stem(i)}.png"
            try:
                os.link(source, place / source.name)
            except OSError:  # a file system without hard links
                shutil.copyfile(source, place / source.name)
    classes = Classes.from_json(PALETTE_FILE)  # the Cityscapes names and colours, void VOID
    classes.to_json(folder / "data" / CLASSES_FILE, name=f"synthetic, {NUM_CLASSES} classes with the Cityscapes names")
    (folder / "complete").write_text("")
    return folder


# ----------------------------------------------------------------------------------------------------------------
# Peers, each run in a fresh interpreter by `--row NAME` (the PNGs read inside the timed process)


def read_pairs(data: Path, preds: Path, limit: int | None = None):
    """``(stem, pred, target)`` uint8 arrays, by sorted stem, read with PIL."""
    for path in sorted((data / "masks" / "val").glob("*.png"))[:limit]:
        yield path.stem, np.array(Image.open(preds / path.name)), np.array(Image.open(path))


def intersect_and_union(pred: np.ndarray, label: np.ndarray, num_classes: int, ignore_index: int):
    """MMSegmentation's ``intersect_and_union`` (mmseg/evaluation/metrics/iou_metric.py) in numpy: per class
    intersection, union, predicted and labelled area of one image, void labels left out."""
    keep = label != ignore_index
    pred, label = pred[keep], label[keep]
    area_intersect = np.bincount(pred[pred == label], minlength=num_classes)
    area_pred = np.bincount(pred, minlength=num_classes)
    area_label = np.bincount(label, minlength=num_classes)
    return area_intersect, area_pred + area_label - area_intersect, area_pred, area_label


def numpy_peer(data: Path, preds: Path, limit=None) -> dict:
    total_intersect, total_union = np.zeros(NUM_CLASSES, np.int64), np.zeros(NUM_CLASSES, np.int64)
    stems = []
    for name, pred, target in read_pairs(data, preds, limit):
        intersect, union, _, _ = intersect_and_union(pred, target, NUM_CLASSES, VOID)
        total_intersect += intersect
        total_union += union
        stems.append(name)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = total_intersect / total_union
    return {"stems": stems, "iou": iou.tolist()}


def torchmetrics_peer(data: Path, preds: Path, limit=None) -> dict:
    import torch
    from torchmetrics.classification import MulticlassJaccardIndex

    metric = MulticlassJaccardIndex(num_classes=NUM_CLASSES, ignore_index=VOID, average=None)
    stems = []
    for name, pred, target in read_pairs(data, preds, limit):
        metric.update(torch.from_numpy(pred).long(), torch.from_numpy(target).long())
        stems.append(name)
    return {"stems": stems, "iou": metric.compute().tolist()}


def metrics_reference():
    """``tests/metrics/reference.py``, the plain per-image implementation the tests trust, loaded by path under
    the name its conftest gives it (other test folders have a ``reference.py`` of their own)."""
    if "metrics_reference" not in sys.modules:
        spec = importlib.util.spec_from_file_location("metrics_reference", ROOT / "tests" / "metrics" / "reference.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["metrics_reference"] = module
        spec.loader.exec_module(module)
    return sys.modules["metrics_reference"]


def scipy_peer(data: Path, preds: Path, limit=None) -> dict:
    reference = metrics_reference()
    inter, union, bf, stems = np.zeros(NUM_CLASSES, np.int64), np.zeros(NUM_CLASSES, np.int64), [], []
    for name, pred, target in read_pairs(data, preds, limit):
        i, u = reference.boundary_iou_image(pred, target, NUM_CLASSES, VOID)
        inter, union = inter + i, union + u
        bf.append(reference.bf_image(pred, target, NUM_CLASSES, VOID))
        stems.append(name)
    bf = np.array(bf)
    class_biou = np.array([reference.divide(inter[c], union[c]) for c in range(NUM_CLASSES)])
    return reference.quiet(
        lambda: {
            "stems": stems,
            "class_boundary_iou": class_biou.tolist(),
            "boundary_miou": reference.mean_defined(class_biou),
            "class_boundary_f1": [reference.mean_defined(bf[:, c]) for c in range(NUM_CLASSES)],
            "boundary_f1": reference.mean_defined([reference.mean_defined(row) for row in bf]),
        }
    )


PEERS = {"torchmetrics": torchmetrics_peer, "numpy": numpy_peer, "scipy": scipy_peer}


# ----------------------------------------------------------------------------------------------------------------
# Running the rows


@dataclass
class Row:
    key: str
    label: str
    scores: str  # what it computes
    command: list
    output: Path | None  # the record folder (workbench) or the JSON file of the scores (peers)


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss: int  # bytes, largest single process (ru_maxrss)
    tree_pss: int | None  # bytes, sampled peak of the process tree's PSS; None where /proc cannot tell


def rows_for(folder: Path, out: Path, reference_images: int) -> list[Row]:
    data, preds = folder / "data", folder / "preds"
    evaluate = [
        sys.executable,
        "-m",
        "workbench",
        "evaluate",
        "--preds",
        str(preds),
        "--data",
        str(data),
        "--split",
        "val",
    ]

    def workbench(key, workers):
        return Row(
            key,
            f"workbench evaluate --workers {workers}",
            "all",
            evaluate + ["--out", str(out / key), "--workers", str(workers)],
            out / key,
        )

    def peer(name, label, scores):
        result = out / f"{name}.json"
        return Row(
            name,
            label,
            scores,
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--row",
                name,
                "--data",
                str(data),
                "--preds",
                str(preds),
                "--result",
                str(result),
                "--reference-images",
                str(reference_images),
            ],
            result,
        )

    return [
        workbench("wb1", 1),
        workbench("wball", CORES),
        peer("torchmetrics", "torchmetrics MulticlassJaccardIndex", "region"),
        peer("numpy", "numpy intersect_and_union (MMSegmentation)", "region"),
        peer("scipy", "scipy reference (tests/metrics/reference.py)", "boundary"),
        Row(
            "startup",
            "python -c 'import workbench.cli' (the start-up floor)",
            "none",
            [sys.executable, "-c", "import workbench.cli"],
            None,
        ),
    ]


def _group_pss(group: int) -> int | None:
    """Sum of the PSS (bytes) of the processes in process group ``group``; None where /proc lacks it."""
    total, found = 0, False
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[2]) != group:  # fields after "(comm)": state ppid pgrp
                    continue
            with open(f"/proc/{entry.name}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total, found = total + int(line.split()[1]) * 1024, True
                        break
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not ours to read
            continue
    return total if found else None


def run_command(command: list, label: str) -> Run:
    """Run ``command`` in a fresh process group; its wall time, CPU time, ``ru_maxrss`` and sampled tree PSS.

    Stops the script with the command's own error output when it fails.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    peak, done = [None], threading.Event()

    def sample(pid):
        while not done.wait(0.1):
            pss = _group_pss(pid)
            if pss is not None and (peak[0] is None or pss > peak[0]):
                peak[0] = pss

    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=env, start_new_session=True
        )
        sampler = threading.Thread(target=sample, args=(process.pid,), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child and the children it waited for
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            text = output.read().decode(errors="replace").strip()
            sys.exit(
                f"eval_scale: the row '{label}' failed (exit {process.returncode}):\n  {' '.join(command)}\n"
                f"{text[-3000:]}"
            )
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss=usage.ru_maxrss * 1024, tree_pss=peak[0])


# ----------------------------------------------------------------------------------------------------------------
# Agreement and the tables


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in np.atleast_1d(values)], dtype=float)


def largest_difference(got: dict, want: dict, keys) -> float:
    """Largest |got - want| over ``keys`` (scalars or per-class lists); NaN must match NaN."""
    worst = 0.0
    for key in keys:
        a, b = _floats(got[key]), _floats(want[key])
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            return math.inf
        worst = max(worst, float(np.nanmax(np.abs(a - b), initial=0.0)))
    return worst


def agreement(row: Row, record_folder: Path) -> str:
    """The row's scores against those of the record in ``record_folder``, as text."""
    record_scores = json.loads((record_folder / "scores.json").read_text())
    if row.output is None:
        return ""
    if row.output == record_folder:
        return "the record compared against"
    if row.key.startswith("wb"):
        mine = json.loads((row.output / "scores.json").read_text())
        return f"all scores: {largest_difference(mine, record_scores, record_scores):.1e}"
    result = json.loads(row.output.read_text())
    if row.key == "scipy":
        from workbench.metrics import Scores
        from workbench.records import read_record

        record = read_record(record_folder)
        indices = [record.stems.index(s) for s in result["stems"]]
        want = Scores.from_image_stats(record.scores.image_stats.subset(indices)).as_dict()
        keys = ("class_boundary_iou", "boundary_miou", "class_boundary_f1", "boundary_f1")
        return f"Boundary IoU, BF ({len(indices)} images): {largest_difference(result, want, keys):.1e}"
    defined = ~np.isnan(_floats(record_scores["iou"]))
    iou = _floats(result["iou"])
    got = {"iou": np.where(defined, iou, np.nan), "miou": float(np.mean(iou[defined]))}
    return f"IoU, mIoU: {largest_difference(got, record_scores, ('iou', 'miou')):.1e}"


def faster(previous: Run | None, run: Run) -> Run:
    """The faster run's times with the largest memory figures of both."""
    if previous is None:
        return run
    quick = run if run.wall < previous.wall else previous
    pss = [p for p in (run.tree_pss, previous.tree_pss) if p is not None]
    return Run(quick.wall, quick.cpu, max(run.max_rss, previous.max_rss), max(pss) if pss else None)


def peak_memory(run: Run) -> int:
    """The memory figure the targets use: the larger of ``ru_maxrss`` and the tree's sampled PSS."""
    return max(run.max_rss, run.tree_pss or 0)


def megabytes(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 1e6:.0f}"


def print_size(count: int, height: int, width: int, rows: list[Row], runs: dict, agreements: dict) -> None:
    megapixels = count * height * width / 1e6
    print(f"\n## {count} images of {width} x {height} ({megapixels:.3g} megapixels)\n")
    print(
        "| row | scores | wall s | Mpx/s wall | Mpx/s CPU | wall vs all-workers workbench | peak RSS MB | "
        "peak PSS of the tree MB | largest difference from the record |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    ours = runs[count, "wball"].wall
    for row in rows:
        run = runs[count, row.key]
        speed = ["", "", ""]
        if row.output is not None:  # the start-up floor scores nothing
            pixels = megapixels
            if row.key == "scipy":  # only the first --reference-images
                pixels = len(json.loads(row.output.read_text())["stems"]) * height * width / 1e6
            ratio = run.wall / (pixels / megapixels) / ours  # per pixel: the reference scores only some images
            speed = [f"{pixels / run.wall:.3g}", f"{pixels / run.cpu:.3g}", f"{ratio:.2f}x"]
        print(
            f"| {row.label} | {row.scores} | {run.wall:.1f} | {' | '.join(speed)} | {megabytes(run.max_rss)} | "
            f"{megabytes(run.tree_pss)} | {agreements[row.key]} |"
        )


def targets(sizes, height: int, width: int, runs: dict) -> list[tuple[str, str, bool | None]]:
    """``(target, measured, met)`` rows; ``met`` None where the sizes run cannot decide it."""
    small, large = min(sizes), max(sizes)
    checks = []
    for key, label in (("wb1", "--workers 1"), ("wball", f"--workers {CORES}")):
        low, high = peak_memory(runs[small, key]), peak_memory(runs[large, key])
        growth = high / low - 1
        checks.append(
            (
                f"peak memory at N={large} within 15% of N={small} ({label})",
                f"{high / 1e6:.0f} MB vs {low / 1e6:.0f} MB ({growth:+.0%})",
                None if small == large else growth <= RSS_GROWTH,
            )
        )
        checks.append((f"peak memory at N={large} under 1.5 GB ({label})", f"{high / 1e6:.0f} MB", high < RSS_LIMIT))
    for count in sizes:
        ours, peer = runs[count, "wball"].wall, runs[count, "torchmetrics"].wall
        checks.append(
            (
                f"all scores with {CORES} workers faster than torchmetrics' region scores alone, N={count}",
                f"{ours:.1f} s vs {peer:.1f} s",
                ours < peer,
            )
        )
    images, set_height, set_width = CITYSCAPES_SET
    goal = images * set_height * set_width / 1e6
    (x0, y0), (x1, y1) = [(n * height * width / 1e6, runs[n, "wball"].wall) for n in (small, large)]
    if x0 < x1 and y1 > y0:  # a line through both sizes: the start-up is paid once
        seconds, how = y0 + (y1 - y0) * (goal - x0) / (x1 - x0), f"line through N={small} and N={large}"
    else:  # one size, or times too noisy to tell a slope: in proportion (start-up scaled too, an upper bound)
        seconds, how = y1 * goal / x1, f"in proportion to N={large}"
    checks.append(
        (
            f"{images} images of {set_width} x {set_height} in under 60 s ({CORES} workers, extrapolated)",
            f"{seconds:.0f} s ({how})",
            seconds < 60,
        )
    )
    return checks


def print_targets(checks) -> None:
    print("\n## Targets\n")
    print("| target | measured | met |")
    print("|---|---|---|")
    for target, measured, met in checks:
        print(f"| {target} | {measured} | {'n/a (one size)' if met is None else 'yes' if met else 'no'} |")


# ----------------------------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200], help="images per evaluation")
    parser.add_argument("--repeats", type=int, default=1, help="runs of every row, taking turns (fastest shown)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "workbench-eval-scale",
        help="folder of the generated data and the records (reused when present)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--height", type=int, default=1024, help="mask height")
    parser.add_argument("--width", type=int, default=2048, help="mask width")
    parser.add_argument("--reference-images", type=int, default=10, help="images the slow scipy reference scores")
    parser.add_argument(
        "--row",
        choices=sorted(PEERS),
        default=None,
        help="(what each peer subprocess runs) score --data/--preds with one peer into --result",
    )
    parser.add_argument("--data", type=Path, help="with --row: the dataset folder")
    parser.add_argument("--preds", type=Path, help="with --row: the predictions folder")
    parser.add_argument("--result", type=Path, help="with --row: the JSON file of its scores")
    args = parser.parse_args(argv)
    if args.row and not (args.data and args.preds and args.result):
        parser.error("--row needs --data, --preds and --result")
    if min(args.sizes) < 1 or args.repeats < 1 or args.reference_images < 1:
        parser.error("--sizes, --repeats and --reference-images must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.row:
        limit = args.reference_images if args.row == "scipy" else None
        args.result.write_text(json.dumps(PEERS[args.row](args.data, args.preds, limit)))
        return 0
    sizes = sorted(set(args.sizes))
    folders = generate(args.work, sizes, args.height, args.width, args.seed)
    rows = {count: rows_for(folder, folder / "out", args.reference_images) for count, folder in folders.items()}
    best: dict = {}
    for _ in range(args.repeats):
        for count in sizes:
            (folders[count] / "out").mkdir(exist_ok=True)
            for row in rows[count]:
                best[count, row.key] = faster(best.get((count, row.key)), run_command(row.command, row.label))
    launcher = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # before reading any record
    print(
        f"# workbench evaluate at scale, {datetime.date.today()}: {args.width} x {args.height} masks, "
        f"{NUM_CLASSES} classes, ~10% void; {CORES} usable cores; each row a fresh interpreter (start-up "
        f"included), fastest of {args.repeats}. Data in {args.work}. Peak RSS of this launcher, the floor of "
        f"every row's: {launcher / 1e6:.0f} MB."
    )
    for count in sizes:
        agreements = {row.key: agreement(row, folders[count] / "out" / "wball") for row in rows[count]}
        print_size(count, args.height, args.width, rows[count], best, agreements)
    print_targets(targets(sizes, args.height, args.width, best))
    print("\nPeak memory for the targets: the larger of ru_maxrss and the sampled PSS of the process tree.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
