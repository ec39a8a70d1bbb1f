"""torchrun with two CPU processes (gloo) scores exactly like one process on the same weights and data.

Validation during training is sharded over the processes; the final one, which writes the run folder's
record, is done by the main process alone over the whole set, so the record lists every image in order.
"""

import json
import math
import os
import subprocess
import sys

import pytest

from workbench.data import create_dataset
from workbench.engine import load_checkpoint, score_model
from workbench.models import create_model
from workbench.records import read_record


def _same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return (a is None and b is None) or a == b or (isinstance(a, float) and math.isnan(a) and b is None)


@pytest.mark.slow
def test_two_process_training_scores_equal_one_process_evaluation(tmp_path):
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "workbench",
        "train",
        "--model",
        "fcn32s",
        "--num-images",
        "8",
        "--val-images",
        "6",
        "--image-size",
        "32",
        "--epochs",
        "1",
        "--batch-size",
        "2",
        "--out",
        str(out),
        "--no-progress",
        "--device",
        "cpu",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    config = json.loads((out / "config.json").read_text())
    assert config["runtime"]["world_size"] == 2
    model = create_model("fcn32s", 7)
    load_checkpoint(out / "last.safetensors", model)
    val = create_dataset("synthetic", "val", num_images=6, image_size=(32, 32))  # as the CLI builds it
    alone = score_model(model, val, tmp_path / "alone")
    written = json.loads((out / "scores.json").read_text())
    scores = alone.scores.as_dict()
    assert written.keys() == scores.keys()
    for key, value in scores.items():
        value = value.tolist() if hasattr(value, "tolist") else value
        assert _same(value, written[key]), key
    record = read_record(out)
    assert record.stems == alone.stems and record.source["sha256"] is not None
    for stem in record.stems:
        assert (record.mask(stem) == alone.mask(stem)).all()
