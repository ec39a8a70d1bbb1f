"""Comparison folders written through the records API: predictions of known quality on SyntheticShapes.

No model is trained: each "model" is the target with a share of its pixels replaced by a wrong class, so
the better source, the chance level and the expected scores are known in advance.
"""

import numpy as np
import pandas as pd

from workbench.data import Classes
from workbench.metrics import evaluate
from workbench.records import write_comparison_order, write_record  # noqa: F401  (conftest imports it from here)

EVIL_CLASS = "<script>alert(1)</script>"
EVIL_MODEL = "fcn<&>"  # a source (and so a folder) name that HTML must escape
CLASSES = Classes(
    names=(EVIL_CLASS, "a & b", "disc", "square", "triangle", "ring", "cross"),
    colors=((64, 64, 64), (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (70, 240, 240)),
)
SYNTHETIC = {"num_images": 12, "image_size": [32, 40], "seed": 5}


def corrupt(targets, share, seed, num_classes=7):
    """The targets with ``share`` of their pixels set to a random class (void pixels too: a prediction is a class)."""
    rng = np.random.default_rng(seed)
    preds = []
    for target in targets:
        pred = np.where(target == 255, 0, target)
        flip = rng.random(target.shape) < share
        preds.append(np.where(flip, rng.integers(0, num_classes, target.shape), pred))
    return preds


def write_source(
    folder, name, preds, targets, *, source, history=None, data=None, distances=False, errors=False, tolerances=False
):
    stems = [f"{i:05d}" for i in range(len(targets))]
    scores = evaluate(preds, targets, CLASSES.num_classes, distances=distances, errors=errors, tolerances=tolerances)
    data = data or {"root": None, "split": None, "dataset": "synthetic", "synthetic": dict(SYNTHETIC)}
    record = write_record(
        folder / name, source=source, data=data, scores=scores, stems=stems, masks=preds, classes=CLASSES
    )
    if history is not None:
        history.to_csv(folder / name / "history.csv", index=False)
    return record


def history(final_miou):
    epochs = np.arange(1, 5)
    return pd.DataFrame(
        {
            "epoch": epochs,
            "step": epochs * 3,
            "train_loss": 2.0 / epochs,
            "val_loss": 2.2 / epochs,
            "val_miou": final_miou * epochs / 4,
            "val_pixel_accuracy": 0.5 + final_miou * epochs / 10,
        }
    )
