"""``Scores.conventions()``: each row equals the tool it names, run on the same data."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

torchmetrics = pytest.importorskip("torchmetrics", reason="torchmetrics is a dev extra")
smp = pytest.importorskip("segmentation_models_pytorch")
from torchmetrics.classification import MulticlassAccuracy  # noqa: E402
from torchmetrics.segmentation import MeanIoU  # noqa: E402

from workbench.metrics import evaluate  # noqa: E402

NUM_CLASSES, VOID = 6, 255


def batches(seed=0):
    """Two batches: void pixels, a small class in some images only, class 4 only predicted, class 5 nowhere,
    so that every convention gives a different number."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(2):
        targets = np.kron(rng.integers(0, 3, (3, 4, 5)), np.ones((6, 6), dtype=np.int64))
        targets[0, 2:5, 2:5] = 3  # a small object in one image of the batch
        preds = targets.copy()
        wrong = rng.random(preds.shape) < 0.2
        preds[wrong] = rng.integers(0, 3, wrong.sum())
        preds[0, -6:, -6:] = 4  # classes 3 and 4 only in some images: images differ in their class count
        targets[:, :2] = VOID
        out.append((torch.as_tensor(preds), torch.as_tensor(targets)))
    return out


@pytest.fixture(scope="module")
def table():
    preds, targets = (torch.cat(parts) for parts in zip(*batches()))
    return evaluate(preds, targets, NUM_CLASSES).conventions()


def value(table, tool_prefix):
    (row,) = [v for tool, v in zip(table["tool"], table["value"]) if tool.startswith(tool_prefix)]
    return row


def one_hot_without_void(labels):
    """torchmetrics ``MeanIoU`` has no ignore_index: void pixels become all-zero one-hot vectors."""
    hot = F.one_hot(labels.clamp(max=NUM_CLASSES - 1), NUM_CLASSES).movedim(-1, 1)
    return hot * (labels != VOID).unsqueeze(1)


def test_torchmetrics_mean_iou(table):
    metric = MeanIoU(num_classes=NUM_CLASSES, per_class=False, input_format="one-hot")
    for preds, targets in batches():
        keep = targets != VOID
        metric.update(one_hot_without_void(torch.where(keep, preds, VOID)), one_hot_without_void(targets))
    assert value(table, "torchmetrics MeanIoU") == pytest.approx(float(metric.compute()), abs=1e-6)  # float32


def test_smp_macro_iou_counts_absent_classes_as_one(table):
    preds, targets = (torch.cat(parts) for parts in zip(*batches()))
    tp, fp, fn, tn = smp.metrics.get_stats(
        preds, targets, mode="multiclass", num_classes=NUM_CLASSES, ignore_index=VOID
    )
    theirs = smp.metrics.iou_score(tp.double(), fp.double(), fn.double(), tn.double(), reduction="macro")  # float64
    assert value(table, "segmentation-models-pytorch") == pytest.approx(float(theirs), abs=1e-12)


def test_torchmetrics_macro_accuracy(table):
    metric = MulticlassAccuracy(NUM_CLASSES, average="macro", ignore_index=VOID)
    for preds, targets in batches():
        metric.update(preds, targets)
    assert value(table, "torchmetrics MulticlassAccuracy") == pytest.approx(float(metric.compute()), abs=1e-6)


def test_dataset_miou_row_is_mmsegmentation_iou_metric(table):
    """MMSegmentation is not in the venv: its ``IoUMetric`` written out (per-image ``intersect_and_union``
    histograms summed over the dataset, then ``total_area_intersect / total_area_union``, nanmean)."""
    area = {name: np.zeros(NUM_CLASSES) for name in ("intersect", "pred", "label")}
    for preds, targets in batches():
        for pred, label in zip(preds.numpy(), targets.numpy()):
            keep = label != VOID
            pred, label = pred[keep], label[keep]
            area["intersect"] += np.histogram(pred[pred == label], bins=NUM_CLASSES, range=(0, NUM_CLASSES))[0]
            area["pred"] += np.histogram(pred, bins=NUM_CLASSES, range=(0, NUM_CLASSES))[0]
            area["label"] += np.histogram(label, bins=NUM_CLASSES, range=(0, NUM_CLASSES))[0]
    with np.errstate(invalid="ignore"):
        iou = area["intersect"] / (area["pred"] + area["label"] - area["intersect"])
    assert value(table, "workbench miou") == pytest.approx(np.nanmean(iou), abs=1e-12)


def test_rows_differ_and_state_the_difference(table):
    assert table.index.name == "convention"
    assert list(table.columns) == ["tool", "value", "workbench_key", "workbench_value", "difference"]
    np.testing.assert_allclose(table["difference"], table["value"] - table["workbench_value"], atol=0)
    assert table["value"].nunique() == len(table)  # this data separates every convention


def test_mean_iou_pools_image_class_pairs_not_image_means():
    """torchmetrics ``MeanIoU`` is not the mean over images of per-image mIoU when images differ in their
    number of classes; this data tells the two apart, and the row follows torchmetrics."""
    preds, targets = (torch.cat(parts) for parts in zip(*batches()))
    scores = evaluate(preds, targets, NUM_CLASSES)
    image_means = scores.image_stats.per_image()["miou"].mean()
    assert abs(value(scores.conventions(), "torchmetrics MeanIoU") - image_means) > 1e-3
