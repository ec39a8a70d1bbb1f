"""``SegmentationEvaluator.all_reduce`` gathers every rank's per-image statistics (two gloo processes)."""

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from workbench.metrics import SCORE_KEYS, ImageStats, Scores, SegmentationEvaluator, evaluate

NUM_CLASSES, VOID = 4, 255


def images(seed):
    rng = np.random.default_rng(seed)
    targets = np.kron(rng.integers(0, NUM_CLASSES, (4, 5, 6)), np.ones((5, 5), dtype=np.int64))
    targets[:, :3] = VOID
    preds = np.roll(targets, 2, axis=2)
    preds[preds == VOID] = 1
    return preds, targets


SHARDS = {0: [0, 1, 2], 1: [3]}  # unequal shards: the gather pads and trims


def rank_main(rank, init_file, out):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
    preds, targets = images(0)
    evaluator = SegmentationEvaluator(NUM_CLASSES, VOID, distances=True)
    evaluator.update(preds[SHARDS[rank]], targets[SHARDS[rank]])
    evaluator.all_reduce()
    np.savez(f"{out}/rank{rank}.npz", **evaluator.image_stats().to_arrays())
    dist.destroy_process_group()


@pytest.mark.slow  # two spawned processes, each importing torch: about 10 s on the shared CPU
def test_all_reduce_gathers_per_image_statistics_in_rank_order(tmp_path):
    mp.spawn(rank_main, args=(str(tmp_path / "init"), str(tmp_path)), nprocs=2, join=True)
    preds, targets = images(0)
    want = evaluate(preds, targets, NUM_CLASSES, VOID, distances=True)
    for rank in (0, 1):
        with np.load(tmp_path / f"rank{rank}.npz") as arrays:
            got = ImageStats.from_arrays(dict(arrays), ignore_index=VOID)
        for name, array in want.image_stats.to_arrays().items():
            np.testing.assert_array_equal(got.to_arrays()[name], array, err_msg=name)
        scores = Scores.from_image_stats(got).as_dict()
        for key in (*SCORE_KEYS, "class_hd95", "hd95"):
            np.testing.assert_allclose(scores[key], want.as_dict()[key], rtol=0, atol=1e-12, err_msg=key)


def test_all_reduce_without_a_process_group_keeps_the_statistics():
    preds, targets = images(1)
    evaluator = SegmentationEvaluator(NUM_CLASSES, VOID)
    evaluator.update(torch.as_tensor(preds), torch.as_tensor(targets))
    before = evaluator.image_stats().to_arrays()
    evaluator.all_reduce()
    for name, array in evaluator.image_stats().to_arrays().items():
        np.testing.assert_array_equal(array, before[name])
