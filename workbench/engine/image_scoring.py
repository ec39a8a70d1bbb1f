"""Score prediction files image by image: in this process, in a pool of worker processes, and over torchrun ranks.

One image is one job (``score_image``): read its target and its prediction file, compute its per-image
statistics, encode the prediction as the record's PNG and digest the target. The same function runs
whatever the number of processes, so the statistics are bit-identical with 1 or N workers and 1 or N ranks.

Images go in rounds of ``ROUND`` per process: under torchrun, rank k takes the k-th block of each round, and
the round's results are gathered in rank order (image order) before the next round starts, so the record's
writer on rank 0 receives every image in order and memory holds one round, never the whole set.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from workbench.data.classes import Classes
from workbench.data.data_info import data_target
from workbench.engine import distributed
from workbench.metrics import ImageStats, evaluate
from workbench.metrics.evaluator import empty_stats
from workbench.metrics.gather import all_gather_stats
from workbench.progress_bar import tqdm
from workbench.records import encode_mask, label_digest, mask_bit_depth, read_prediction

ROUND = 8  # images per process per round: enough to keep a pool busy, few enough to bound memory


@dataclass(frozen=True)
class ImageTask:
    """What every job needs: the target data, the prediction file of each image (in order), the classes, and
    whether to score HD95, count the error breakdown and the tolerance ladder too."""

    dataset: object
    files: Sequence[Path]
    classes: Classes
    distances: bool = False
    errors: bool = False
    tolerances: bool = False


@dataclass(frozen=True)
class ImageResult:
    """One image scored: its statistics, its prediction as the record's PNG bytes, its target's digest."""

    stats: ImageStats
    png: bytes
    target: str


def score_image(task: ImageTask, index: int) -> ImageResult:
    """Read, check and score image ``index`` (errors name the file)."""
    target = data_target(task.dataset, index)
    pred = read_prediction(task.files[index], task.classes, target.shape)
    stats = evaluate(
        pred,
        target,
        task.classes.num_classes,
        task.classes.ignore_index,
        distances=task.distances,
        errors=task.errors,
        tolerances=task.tolerances,
    ).image_stats
    return ImageResult(stats, encode_mask(pred, mask_bit_depth(task.classes.num_classes)), label_digest(target))


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity where the platform tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class ScoredRound:
    """The images of one round, in image order: their statistics, PNG bytes and target digests."""

    stats: ImageStats
    pngs: list[bytes]
    targets: list[str]


def score_images(task: ImageTask, *, workers: int = 1, progress: bool = False) -> Iterator[ScoredRound]:
    """Score every image of ``task``, round after round, in image order.

    Under torchrun every rank receives every round (all ranks' images), so all stop together when one fails.

    Args:
        task: the data, prediction files and classes.
        workers: processes per rank scoring images (1: this process alone).
        progress: a bar over the images (rank 0).

    Raises:
        ValueError: the first problem any process met (a bad file, a size mismatch), naming the file.
    """
    dist = distributed.current()
    total = len(task.files)
    per_round = ROUND * max(workers, 1)
    with (
        _Pool(task, workers) as pool,
        tqdm(total=total, desc="score", unit="img", leave=False, disable=not (progress and dist.is_main)) as bar,
    ):
        for start in range(0, total, per_round * dist.world_size):
            first = start + dist.rank * per_round
            mine, problem = [], ""
            try:
                mine = pool.map(range(first, min(first + per_round, total)))
            except (ValueError, OSError) as err:  # told to every rank below, so that none waits forever
                problem = str(err) or type(err).__name__
            scored = _gather(mine, problem, task)
            bar.update(len(scored.pngs))
            yield scored


def _gather(mine: list[ImageResult], problem: str, task: ImageTask) -> ScoredRound:
    """The round of every rank, in rank order; raises the first rank's problem on every rank."""
    items = [problem.encode("utf-8")]
    for result in mine:
        items += [result.png, result.target.encode("ascii")]
    gathered = distributed.all_gather_bytes(items)
    problems = [part[0].decode("utf-8") for part in gathered if part[0]]
    if problems:
        raise ValueError(problems[0])
    stats = (
        ImageStats.concat([r.stats for r in mine])
        if mine
        else empty_stats(
            task.classes.num_classes,
            task.classes.ignore_index,
            distances=task.distances,
            errors=task.errors,
            tolerances=task.tolerances,
        )
    )
    stats = all_gather_stats(stats, distributed.collective_device())
    return ScoredRound(
        stats,
        [png for part in gathered for png in part[1::2]],
        [digest.decode("ascii") for part in gathered for digest in part[2::2]],
    )


class _Pool:
    """``map`` over image indices, in this process (``workers <= 1``) or in a pool of spawned processes.

    A ``ProcessPoolExecutor``, not ``multiprocessing.Pool``: a worker that dies (killed, out of memory)
    raises ``BrokenProcessPool`` here instead of leaving the map waiting forever.
    """

    def __init__(self, task: ImageTask, workers: int):
        self.task, self.pool = task, None
        if workers > 1:  # spawn, not fork: safe after torch started threads, and the same on every platform
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"), initializer=_set_task, initargs=(task,)
            )

    def map(self, indices: range) -> list[ImageResult]:
        if self.pool is None:
            return [score_image(self.task, i) for i in indices]
        try:
            return list(self.pool.map(_score_in_worker, indices))
        except BrokenProcessPool as err:
            raise OSError(
                f"a process scoring images stopped ({err}); it may have run out of memory: try fewer --workers"
            ) from err

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


_TASK: ImageTask | None = None  # the task of a worker process, set once by the pool's initializer


def _set_task(task: ImageTask) -> None:
    global _TASK
    _TASK = task


def _score_in_worker(index: int) -> ImageResult:
    return score_image(_TASK, index)
