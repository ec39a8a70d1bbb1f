"""Accepted input forms, refused inputs and their messages, and the evaluator's life cycle."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from workbench.metrics import SCORE_KEYS, SegmentationEvaluator, evaluate, per_image_scores, trimap_miou


def maps(seed=0, shape=(2, 9, 13), num_classes=3):
    rng = np.random.default_rng(seed)
    return rng.integers(0, num_classes, shape), rng.integers(0, num_classes, shape)


def test_numpy_torch_dtypes_and_layouts_agree():
    preds, targets = maps()
    want = evaluate(preds, targets, 3).as_dict()
    forms = [
        (torch.as_tensor(preds), torch.as_tensor(targets)),
        (preds.astype(np.uint8), targets.astype(np.uint8)),
        (torch.as_tensor(preds).int(), torch.as_tensor(targets).short()),
        (list(preds), [torch.as_tensor(t) for t in targets]),
    ]
    for p, t in forms:
        got = evaluate(p, t, 3).as_dict()
        for key in SCORE_KEYS:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    single = evaluate(preds[0], targets[0], 3)
    assert single.num_images == 1
    assert single.miou == evaluate(preds[:1], targets[:1], 3).miou


def test_as_dict_has_exactly_the_design_keys_and_types():
    scores = evaluate(*maps(), 3).as_dict()
    assert list(scores) == list(SCORE_KEYS)
    for key, value in scores.items():
        if key.startswith(("class_", "accuracy", "iou", "dice")):
            assert isinstance(value, np.ndarray) and value.dtype == np.float64 and value.shape == (3,), key
        else:
            assert isinstance(value, float), key


def test_logits_are_refused_with_a_hint():
    logits = torch.randn(2, 3, 9, 13)
    with pytest.raises(ValueError, match=r"argmax\(1\)"):
        evaluate(logits, torch.zeros(2, 9, 13, dtype=torch.long), 3)
    with pytest.raises(ValueError, match="integer class maps"):
        evaluate(np.zeros((9, 13)), np.zeros((9, 13), dtype=int), 3)


def test_prediction_outside_the_classes_names_value_and_count():
    preds, targets = maps()
    preds[0, :2, :3] = 7
    with pytest.raises(ValueError, match=r"preds: 6 pixels .* 0\.\.2 \(seen: 7\)"):
        evaluate(preds, targets, 3)
    with pytest.raises(ValueError, match="seen: -1"):
        evaluate(-np.ones((4, 4), dtype=int), np.zeros((4, 4), dtype=int), 3)


def test_target_neither_class_nor_ignore_is_refused():
    preds, targets = maps()
    targets[1, 0, :4] = 254
    targets[1, 1, 0] = 255  # void is fine
    with pytest.raises(ValueError, match=r"targets: 4 pixels .* ignore_index 255 \(seen: 254\)"):
        evaluate(preds, targets, 3)
    targets[1, 0, :4] = -5
    with pytest.raises(ValueError, match="seen: -5"):
        evaluate(preds, targets, 3)


def test_shape_and_count_mismatches_are_refused():
    preds, targets = maps()
    with pytest.raises(ValueError, match=r"preds\[1\] has shape \(9, 13\) but targets\[1\] has \(9, 12\)"):
        evaluate(list(preds), [targets[0], targets[1][:, :12]], 3)
    with pytest.raises(ValueError, match="2 prediction maps but 1 target maps"):
        evaluate(list(preds), [targets[0]], 3)
    with pytest.raises(ValueError, match="no images"):
        evaluate([], [], 3)
    with pytest.raises(ValueError, match=r"\(N, H, W\) or \(H, W\)"):
        evaluate(preds[None], targets[None], 3)


def test_bad_num_classes_or_ignore_index():
    with pytest.raises(ValueError, match="ignore_index 1 is also a class id"):
        SegmentationEvaluator(3, ignore_index=1)
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        SegmentationEvaluator(0)


def test_undefined_scores_are_nan_without_warnings():
    targets = np.full((2, 6, 6), 255)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = evaluate(np.zeros((2, 6, 6), dtype=int), targets, 3)
        rows = per_image_scores(np.zeros((2, 6, 6), dtype=int), targets, 3)
        empty = SegmentationEvaluator(3).compute()
    for value in scores.as_dict().values():
        assert np.all(np.isnan(value))
    assert rows.isna().all().all() and empty.num_images == 0 and np.isnan(empty.miou)


def test_boundary_false_keeps_region_scores_and_leaves_boundary_nan():
    preds, targets = maps()
    full, fast = evaluate(preds, targets, 3).as_dict(), evaluate(preds, targets, 3, boundary=False).as_dict()
    for key in ("pixel_accuracy", "iou", "miou", "fwiou", "dice", "accuracy"):
        np.testing.assert_array_equal(fast[key], full[key])
    assert np.all(np.isnan(fast["class_boundary_iou"])) and np.isnan(fast["boundary_f1"])


def test_all_reduce_is_a_no_op_without_distributed():
    evaluator = SegmentationEvaluator(3)
    evaluator.update(*maps())
    before = evaluator.compute().as_dict()
    evaluator.all_reduce()
    after = evaluator.compute().as_dict()
    for key in SCORE_KEYS:
        np.testing.assert_array_equal(after[key], before[key])


def test_per_image_false_refuses_the_table_and_keeps_the_same_statistics():
    """As documented: ``per_image=False`` only refuses ``per_image()``; every score needs the statistics."""
    kept, refused = SegmentationEvaluator(3), SegmentationEvaluator(3, per_image=False)
    for evaluator in (kept, refused):
        evaluator.update(*maps())
    with pytest.raises(RuntimeError, match="per_image=True"):
        refused.per_image()
    stats = refused.compute().image_stats
    assert len(stats) == len(kept.image_stats()) > 0
    pd.testing.assert_frame_equal(stats.per_image(), kept.per_image())


def test_device_defaults_to_the_first_batch_and_follows_the_argument():
    evaluator = SegmentationEvaluator(3)
    evaluator.update(*maps())
    assert evaluator.device.type == "cpu"
    assert SegmentationEvaluator(3, device="meta").device.type == "meta"


@pytest.mark.gpu
def test_cuda_batches_give_the_cpu_scores():
    preds, targets = maps(shape=(3, 90, 120), num_classes=5)
    targets[:, :5] = 255
    evaluator = SegmentationEvaluator(5, distances=True)
    evaluator.update(torch.as_tensor(preds).cuda(), torch.as_tensor(targets).cuda())
    assert evaluator.device.type == "cuda"
    cpu = evaluate(preds, targets, 5, distances=True).as_dict()
    for key in (*SCORE_KEYS, "class_hd95", "hd95"):
        np.testing.assert_allclose(evaluator.compute().as_dict()[key], cpu[key], rtol=0, atol=1e-12, err_msg=key)


def test_trimap_widths_must_be_positive_integers():
    preds, targets = maps()
    with pytest.raises(ValueError, match="widths must be integers >= 1"):
        trimap_miou(preds, targets, 3, widths=[0, 2])
    assert list(trimap_miou(preds, targets, 3, widths=range(1, 3)).index) == [1, 2]


def test_tens_of_thousands_of_classes_are_refused_before_allocating():
    preds = torch.zeros((1, 8, 8), dtype=torch.int64)
    with pytest.raises(ValueError, match=r"num_classes 70000 is more than the metrics support \(1024.*157 GB"):
        evaluate(preds, preds, 70000, ignore_index=-1)
    with pytest.raises(ValueError, match="num_classes 70000"):
        SegmentationEvaluator(70000, ignore_index=-1)
    with pytest.raises(ValueError, match="num_classes 1025"):
        trimap_miou(preds, preds, 1025, widths=[1], ignore_index=-1)
