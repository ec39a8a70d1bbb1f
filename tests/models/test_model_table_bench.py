"""bench/model_table.py: the README's model table is produced by code that runs and counts correctly."""

import importlib.util
from pathlib import Path

import pytest
from torch import nn

from workbench.models import list_models

BENCH = Path(__file__).resolve().parents[2] / "bench" / "model_table.py"


@pytest.fixture(scope="module")
def model_table():
    spec = importlib.util.spec_from_file_location("model_table", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gflops_counts_a_multiply_add_as_two(model_table):
    conv = nn.Conv2d(3, 4, kernel_size=3, padding=1, bias=False)
    # 3 * 9 multiply-adds per output value, 4 * 8 * 8 output values, 2 FLOPs each
    assert model_table.gflops(conv, 8) * 1e9 == pytest.approx(2 * 27 * 4 * 8 * 8)


@pytest.mark.slow  # builds every model and four ResNet-50 peers: about 5 s here
def test_table_has_one_row_per_model(model_table, capsys):
    model_table.main(["--size", "64", "--num-classes", "5"])
    out = capsys.readouterr().out

    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list_models()
    assert all(row.count(" | ") == 7 for row in rows)  # eight columns
    assert "resnet18` classifier at 224 x 224 (He et al.: 1.8 G multiply-adds) | 11.69 | 3.63 |" in out
