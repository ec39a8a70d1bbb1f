"""Fixtures: comparison folders written through the records API (helpers in ``review_records.py``).

This folder goes on the path so that tests import the helpers as ``review_records`` (test folders are not
packages; the name is distinctive).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from review_records import EVIL_MODEL, SYNTHETIC, corrupt, history, write_comparison_order, write_source  # noqa: E402

from workbench.data import SyntheticShapes  # noqa: E402


@pytest.fixture(scope="session")
def targets():
    data = SyntheticShapes(**SYNTHETIC)
    return [data[i][1].numpy() for i in range(len(data))]


@pytest.fixture(scope="session")
def comparison(tmp_path_factory, targets):
    """Three sources on the same 12 images: a good one, a worse one, and one near chance (all pixels noise)."""
    folder = tmp_path_factory.mktemp("review") / "run & <1>"
    model = {"kind": "model", "name": "unet", "encoder": "resnet18", "weights": "last.safetensors", "sha256": "ab" * 32}
    write_source(folder, "unet", corrupt(targets, 0.1, 1), targets, source=model, history=history(0.8))
    write_source(
        folder, EVIL_MODEL, corrupt(targets, 0.4, 2), targets, source={**model, "name": "fcn8s"}, history=history(0.5)
    )
    write_source(folder, "noise", corrupt(targets, 1.0, 3), targets, source={"kind": "predictions", "dir": "/x/noise"})
    write_comparison_order(folder, ["unet", EVIL_MODEL, "noise"])
    return folder


@pytest.fixture(scope="session")
def predictions_only(tmp_path_factory, targets):
    """Two prediction folders scored by `workbench evaluate --preds`: no weights, no history."""
    folder = tmp_path_factory.mktemp("preds") / "preds"
    for name, share, seed in (("mmseg", 0.2, 4), ("detectron", 0.25, 5)):
        write_source(folder, name, corrupt(targets, share, seed), targets, source={"kind": "predictions", "dir": name})
    write_comparison_order(folder, ["mmseg", "detectron"])
    return folder
