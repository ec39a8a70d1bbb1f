"""Region scores against torchmetrics, where it computes the same thing."""

import numpy as np
import pytest
import torch

torchmetrics = pytest.importorskip("torchmetrics", reason="torchmetrics is a dev extra")
from torchmetrics.classification import (  # noqa: E402
    MulticlassAccuracy,
    MulticlassConfusionMatrix,
    MulticlassJaccardIndex,
)

from workbench.metrics import SegmentationEvaluator  # noqa: E402

NUM_CLASSES, VOID = 6, 255


def batches(seed=0):
    """Three batches with void pixels; class 4 is only ever predicted, class 5 appears nowhere."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(3):
        targets = torch.as_tensor(rng.integers(0, 4, (2, 24, 32)))
        targets[:, :3] = VOID
        preds = targets.clone()
        wrong = torch.as_tensor(rng.random(preds.shape) < 0.3)
        preds[wrong] = torch.as_tensor(rng.integers(0, 5, int(wrong.sum())))
        preds[preds == VOID] = 0
        out.append((preds, targets))
    return out


def run_both(metric):
    ours = SegmentationEvaluator(NUM_CLASSES, VOID)
    for preds, targets in batches():
        ours.update(preds, targets)
        metric.update(preds, targets)
    return ours.compute(), metric.compute().double().numpy()


def test_confusion_matrix_equals_torchmetrics():
    scores, theirs = run_both(MulticlassConfusionMatrix(NUM_CLASSES, ignore_index=VOID))
    np.testing.assert_array_equal(scores.confusion, theirs)


def test_per_class_iou_and_miou_equal_torchmetrics():
    """torchmetrics returns 0 (``zero_division=0``) for a class with an empty union, where we return NaN
    (undefined); its macro average gives such classes weight 0, so it equals our mean over defined classes."""
    scores, per_class = run_both(MulticlassJaccardIndex(NUM_CLASSES, average=None, ignore_index=VOID))
    defined = ~np.isnan(scores.iou)
    assert not defined[5] and defined[4]  # absent class undefined; predicted-only class has IoU 0
    np.testing.assert_allclose(scores.iou[defined], per_class[defined], rtol=0, atol=1e-6)  # torchmetrics: float32
    assert np.all(per_class[~defined] == 0)
    _, macro = run_both(MulticlassJaccardIndex(NUM_CLASSES, average="macro", ignore_index=VOID))
    assert scores.miou == pytest.approx(float(macro), abs=1e-6)


def test_accuracy_equals_torchmetrics_where_defined():
    """Per-class accuracy (recall) agrees where the class has target pixels; torchmetrics gives 0 elsewhere.

    The macro averages differ on purpose: torchmetrics keeps a class with no target pixels but some
    predictions (here class 4) in the mean with accuracy 0, since it drops only classes with tp + fp + fn = 0;
    DESIGN.md leaves such a class out (its accuracy is undefined). Micro accuracy is pixel accuracy.
    """
    scores, per_class = run_both(MulticlassAccuracy(NUM_CLASSES, average=None, ignore_index=VOID))
    defined = ~np.isnan(scores.accuracy)
    assert list(np.flatnonzero(~defined)) == [4, 5]
    np.testing.assert_allclose(scores.accuracy[defined], per_class[defined], rtol=0, atol=1e-6)
    _, macro = run_both(MulticlassAccuracy(NUM_CLASSES, average="macro", ignore_index=VOID))
    their_mean = np.nan_to_num(scores.accuracy[:5]).mean()  # classes 0..4, class 4 counted as 0; 5 dropped
    assert float(macro) == pytest.approx(their_mean, abs=1e-6)
    assert float(macro) < scores.mean_accuracy
    _, micro = run_both(MulticlassAccuracy(NUM_CLASSES, average="micro", ignore_index=VOID))
    assert scores.pixel_accuracy == pytest.approx(float(micro), abs=1e-6)
