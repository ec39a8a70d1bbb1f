"""Error breakdown (Bernhard et al., WACV 2024): boundary, extent and segment errors, hand-drawn and invariant.

Images of 400 x 400 pixels have a boundary width w = round(0.01 x 565.7) = 6 pixels.
"""

import math

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage

from workbench.metrics import ImageStats, SegmentationEvaluator, evaluate
from workbench.metrics.catalog import ERROR_KINDS
from workbench.metrics.error_kinds import ErrorKind, disc_dilate_bits, disc_rows, error_width, pixel_error_kinds

SIZE = 400


def square(top, left, side, value=1, base=None):
    mask = np.zeros((SIZE, SIZE), dtype=np.int64) if base is None else base.copy()
    mask[top : top + side, left : left + side] = value
    return mask


def class_one(pred, target, **kw):
    row = evaluate(pred, target, 2, errors=True, **kw).error_breakdown().loc["class 1"]
    return row


def test_width_follows_the_authors_rounding():
    assert error_width(SIZE, SIZE) == 6
    assert error_width(1024, 2048) == 23
    assert error_width(30, 30) == 0  # no minimum: tiny images have no boundary errors


def test_disc_is_round_distance_at_most_w():
    for radius in (1, 2, 6, 23):
        want = {
            (dy, dx)
            for dy in range(-radius, radius + 1)
            for dx in range(-radius, radius + 1)
            if round(math.hypot(dy, dx)) <= radius
        }
        got = {(dy, dx) for dy, half in disc_rows(radius) for dx in range(-half, half + 1)}
        assert got == want


def test_bit_dilation_matches_scipy_per_class():
    rng = np.random.default_rng(0)
    bits = torch.from_numpy(rng.integers(0, 8, (2, 37, 53)) * (rng.random((2, 37, 53)) < 0.03))
    for radius in (1, 4):
        half = dict(disc_rows(radius))
        disc = np.array(
            [[abs(dx) <= half[dy] for dx in range(-radius, radius + 1)] for dy in range(-radius, radius + 1)]
        )
        out = disc_dilate_bits(bits, radius).numpy()
        for bit in (1, 2, 4):
            for plane in range(2):
                want = ndimage.binary_dilation(bits[plane].numpy() & bit > 0, structure=disc)
                np.testing.assert_array_equal(out[plane] & bit > 0, want)


def test_shifted_object_gives_boundary_errors_only():
    target = square(100, 100, 150)
    row = class_one(np.roll(target, 3, axis=1), target)
    assert row.boundary_fp > 0 and row.boundary_fn > 0
    assert row.extent_fp == row.extent_fn == row.segment_fp == row.segment_fn == 0
    assert row.iou == pytest.approx(147 / 153)


def test_far_false_blob_is_a_segment_false_positive():
    target = square(50, 50, 100)
    pred = square(300, 300, 40, base=target)
    row = class_one(pred, target)
    assert row.segment_fp == pytest.approx(1600 / (10000 + 1600))
    assert row.boundary_fp == row.extent_fp == row.boundary_fn == row.extent_fn == row.segment_fn == 0


def test_missed_object_is_a_segment_false_negative():
    target = square(300, 300, 40, base=square(50, 50, 100))
    row = class_one(square(50, 50, 100), target)
    assert row.segment_fn == pytest.approx(1600 / 11600)
    assert row.iou + row.segment_fn == pytest.approx(1)


def test_object_grown_far_beyond_the_width_is_an_extent_false_positive():
    target = square(150, 150, 100)
    pred = square(130, 130, 140)  # 20 px on every side: more than 2 w, so no pixel is near both TP and TN
    row = class_one(pred, target)
    assert row.extent_fp == pytest.approx((140**2 - 100**2) / 140**2)
    assert row.boundary_fp == row.segment_fp == 0
    shrunk = class_one(target, pred)  # the other way round: extent false negatives
    assert shrunk.extent_fn == pytest.approx(row.extent_fp)


def test_boundary_group_must_touch_tp_and_tn():
    target = square(150, 150, 100)
    rim = class_one(square(146, 146, 108), target)  # a 4 px rim: near TP and TN, touching both
    assert rim.boundary_fp == pytest.approx((108**2 - 100**2) / 108**2)
    pred = target.copy()
    pred[180:190, 252:256] = 1  # within w of the object, but 2 px of background away: touches no TP
    row = class_one(pred, target)
    assert row.boundary_fp == 0
    assert row.segment_fp == pytest.approx(40 / 10040)


def test_void_is_not_counted_but_shapes_components_as_the_authors_do():
    target = square(100, 100, 100)
    target[:, 200:210] = 255
    pred = square(150, 150, 100)
    pred[150:250, 200:260] = 1  # beyond the void column, joined to the TP part only through void pixels
    fp_kind, _ = pixel_error_kinds(pred, target, 2)
    right = fp_kind[150:250, 230:260]
    assert (right == ErrorKind.EXTENT).all()  # connected through void to the TP part: extent, not segment
    assert (fp_kind[target == 255] == ErrorKind.NONE).all()


def breakdown_matches_confusion(scores):
    stats = scores.image_stats
    fp = sum(stats.counts[k] for k in ERROR_KINDS if k.endswith("fp"))
    fn = sum(stats.counts[k] for k in ERROR_KINDS if k.endswith("fn"))
    np.testing.assert_array_equal(fp, stats.fp)
    np.testing.assert_array_equal(fn, stats.fn)
    table = scores.error_breakdown()
    defined = table.notna().all(axis=1)
    np.testing.assert_allclose(table[defined].sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(table.loc[table.index[:-1], "iou"], scores.iou, equal_nan=True)
    return table


def test_rows_sum_to_one_on_random_masks_with_void():
    rng = np.random.default_rng(3)
    low = rng.integers(0, 5, (3, 12, 15))
    target = np.kron(low, np.ones((1, 16, 16), dtype=np.int64))
    pred = np.roll(target, (2, -3), axis=(1, 2))
    pred[rng.random(pred.shape) < 0.05] = 4
    target[rng.random(target.shape) < 0.1] = 255
    table = breakdown_matches_confusion(evaluate(pred, target, 6, errors=True))
    assert table.loc["class 5"].isna().all()  # in neither map
    assert list(table.columns) == ["iou", *ERROR_KINDS]
    assert table.index[-1] == "mean"


def test_camvid_shifted_targets_with_a_blob(camvid_root):
    paths = sorted((camvid_root / "masks" / "val").glob("*.png"))[:3]
    targets = np.stack([np.array(Image.open(p)) for p in paths]).astype(np.int64)
    preds = np.roll(targets, (3, -4), axis=(1, 2))
    preds[:, 40:90, 60:160] = 8  # a far-away false blob
    preds[preds == 255] = 0
    table = breakdown_matches_confusion(evaluate(preds, targets, 11, errors=True))
    assert (table[["boundary_fp", "boundary_fn"]].loc["mean"] > 0).all()
    assert table.loc["class 8", "segment_fp"] > 0


def test_opt_in_streaming_and_records():
    rng = np.random.default_rng(5)
    target = np.kron(rng.integers(0, 3, (4, 8, 8)), np.ones((1, 12, 12), dtype=np.int64))
    pred = np.roll(target, 2, axis=2)
    plain = evaluate(pred, target, 3)
    with pytest.raises(ValueError, match="errors=True"):
        plain.error_breakdown()
    once = evaluate(pred, target, 3, errors=True)
    assert once.as_dict().keys() == plain.as_dict().keys()
    streamed = SegmentationEvaluator(3, errors=True)
    for i in range(4):
        streamed.update(pred[i : i + 1], target[i : i + 1])
    np.testing.assert_array_equal(streamed.compute().error_breakdown(), once.error_breakdown())
    arrays = once.image_stats.to_arrays()
    assert set(ERROR_KINDS) <= set(arrays)
    back = ImageStats.from_arrays(arrays, ignore_index=255)
    for kind in ERROR_KINDS:
        np.testing.assert_array_equal(back.counts[kind], once.image_stats.counts[kind])
    assert once.image_stats.counts["extent_fp"].sum() > 0
    assert SegmentationEvaluator(3, errors=True).compute().image_stats.counts["boundary_fp"].shape == (0, 3)


def test_agrees_with_the_authors_evaluator():
    """Runs only where ``beyond_iou`` (mxbh/beyond-iou, not shipped) and OpenCV are importable."""
    pytest.importorskip("cv2")
    evaluator_module = pytest.importorskip("beyond_iou.evaluator")
    rng = np.random.default_rng(11)
    for _ in range(5):
        target = np.kron(rng.integers(0, 4, (10, 14)), np.ones((16, 16), dtype=np.int64))
        pred = np.roll(target, tuple(rng.integers(-4, 5, 2)), (0, 1))
        pred[rng.random(pred.shape) < 0.02] = 3
        target[rng.random(target.shape) < 0.05] = 255
        evaluator = evaluator_module.Evaluator(class_names=list("abcd"), ignore_index=255)
        codes = evaluator.evaluate_sample(pred, target)["main_results"]
        fp_kind, fn_kind = pixel_error_kinds(pred, target, 4)
        valid = target != 255
        for side, kinds, labels in (("FP", fp_kind, pred), ("FN", fn_kind, target)):
            for kind in (ErrorKind.BOUNDARY, ErrorKind.EXTENT, ErrorKind.SEGMENT):
                ours = np.bincount(labels[(kinds == kind) & valid], minlength=4)
                theirs = (codes == evaluator_module.ERROR_CODES[f"{side}_{kind.name.lower()}"]).sum(axis=(1, 2))
                np.testing.assert_array_equal(ours, theirs)
