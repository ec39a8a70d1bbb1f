"""torchrun with two CPU processes (gloo) scores exactly like one process on the same weights and data."""
import json
import math
import os
import subprocess
import sys

import pytest
from torch.utils.data import DataLoader, Subset

from workbench.data import create_dataset, pad_collate
from workbench.engine import evaluate, load_checkpoint
from workbench.models import create_model


def _same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return (a is None and b is None) or a == b or (isinstance(a, float) and math.isnan(a) and b is None)


@pytest.mark.slow
def test_two_process_training_scores_equal_one_process_evaluation(tmp_path):
    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "workbench", "train",
           "--model", "fcn32s", "--num-images", "8", "--val-images", "6", "--image-size", "32", "--epochs", "1",
           "--batch-size", "2", "--out", str(out), "--no-progress", "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    config = json.loads((out / "config.json").read_text())
    assert config["runtime"]["world_size"] == 2
    model = create_model("fcn32s", 7)
    load_checkpoint(out / "last.safetensors", model)
    # Rank r scored images r, r+2, r+4 in batches of 2; one process sees the same batches in one loader.
    val = create_dataset("synthetic", "val", num_images=6, image_size=(32, 32))  # as the CLI builds it
    order = Subset(val, [0, 2, 4, 1, 3, 5])
    batches = DataLoader(order, batch_sampler=[[0, 1], [2], [3, 4], [5]], collate_fn=pad_collate)
    scores = evaluate(model, batches, 7).as_dict()
    written = json.loads((out / "scores.json").read_text())
    assert written.keys() == scores.keys()
    for key, value in scores.items():
        value = value.tolist() if hasattr(value, "tolist") else value
        assert _same(value, written[key]), key
