"""``ImageStats``: any subset of images rescored from per-image statistics equals ``evaluate`` on that subset."""

import metrics_reference as reference
import numpy as np
import pytest
import torch

from workbench.metrics import PER_IMAGE_COLUMNS, SCORE_KEYS, ImageStats, Scores, SegmentationEvaluator, evaluate

VOID = 255


def scene(rng, shape, num_classes):
    """Blocky labels with void pixels, and a prediction that is shifted and partly wrong."""
    cell = int(rng.integers(3, 9))
    coarse = rng.integers(0, num_classes, (shape[0] // cell + 1, shape[1] // cell + 1))
    target = np.kron(coarse, np.ones((cell, cell), dtype=np.int64))[: shape[0], : shape[1]]
    pred = np.roll(target, (1, -2), axis=(0, 1))
    wrong = rng.random(shape) < 0.05
    pred[wrong] = rng.integers(0, num_classes, wrong.sum())
    target[rng.random(shape) < 0.08] = VOID
    return pred, target


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    shapes = [(24, 32), (17, 40), (24, 32), (9, 9), (30, 21), (24, 32), (17, 40), (12, 50)]
    pairs = [scene(rng, s, 5) for s in shapes]
    pairs[3][1][:] = VOID  # an all-void image: no confusion rows at all
    preds, targets = [p for p, _ in pairs], [t for _, t in pairs]
    return preds, targets, evaluate(preds, targets, 5)


def assert_same_scores(got, want, atol=1e-12):
    got_dict, want_dict = got.as_dict(), want.as_dict()
    for key in SCORE_KEYS:
        np.testing.assert_allclose(got_dict[key], want_dict[key], rtol=0, atol=atol, err_msg=key)
    np.testing.assert_array_equal(got.confusion, want.confusion)
    assert got.num_images == want.num_images and got.ignore_index == want.ignore_index


@pytest.mark.parametrize("seed", range(6))
def test_random_subsets_with_repeats_equal_evaluate(data, seed):
    preds, targets, scores = data
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, len(preds), int(rng.integers(1, 12)))  # repeats, as a bootstrap draws
    want = evaluate([preds[i] for i in indices], [targets[i] for i in indices], 5)
    got = scores.image_stats.subset(indices)
    assert len(got) == len(indices)
    assert_same_scores(Scores.from_image_stats(got), want)
    np.testing.assert_array_equal(got.tp, want.image_stats.tp)
    np.testing.assert_array_equal(got.fp, want.image_stats.fp)
    np.testing.assert_array_equal(got.fn, want.image_stats.fn)


def test_whole_set_and_reference(data):
    preds, targets, scores = data
    assert_same_scores(Scores.from_image_stats(scores.image_stats), scores, atol=0)
    want = reference.scores(preds, targets, 5)
    np.testing.assert_array_equal(scores.confusion, want["confusion"])


def test_tp_fp_fn_are_the_per_image_confusion_margins(data):
    preds, targets, scores = data
    stats = scores.image_stats
    assert stats.tp.shape == (len(preds), 5) and stats.tp.dtype == np.int64
    for i, (pred, target) in enumerate(zip(preds, targets)):
        cm = reference.confusion(pred, target, 5, VOID)
        np.testing.assert_array_equal(stats.tp[i], np.diag(cm))
        np.testing.assert_array_equal(stats.fp[i], cm.sum(0) - np.diag(cm))
        np.testing.assert_array_equal(stats.fn[i], cm.sum(1) - np.diag(cm))


def test_arrays_round_trip_plain_dtypes(data, tmp_path):
    stats = data[2].image_stats
    arrays = stats.to_arrays()
    assert all(a.dtype in (np.int64, np.float64) for a in arrays.values())
    np.savez(tmp_path / "stats.npz", **arrays)
    with np.load(tmp_path / "stats.npz", allow_pickle=False) as loaded:
        back = ImageStats.from_arrays(dict(loaded), ignore_index=VOID)
    assert_same_scores(Scores.from_image_stats(back), Scores.from_image_stats(stats), atol=0)
    for name, array in back.to_arrays().items():
        np.testing.assert_array_equal(array, arrays[name])


def test_from_arrays_names_the_problem(data):
    arrays = data[2].image_stats.to_arrays()
    with pytest.raises(ValueError, match=r"missing \['bf'\]"):
        ImageStats.from_arrays({k: v for k, v in arrays.items() if k != "bf"}, ignore_index=VOID)
    with pytest.raises(ValueError, match="share one"):
        ImageStats.from_arrays({**arrays, "bf": arrays["bf"][:-1]}, ignore_index=VOID)
    with pytest.raises(ValueError, match=r"must be \(K, 4\)"):
        ImageStats.from_arrays({**arrays, "confusion_rows": arrays["confusion_rows"][:, :3]}, ignore_index=VOID)
    bad = arrays["confusion_rows"].copy()
    bad[0, 2] = 5
    with pytest.raises(ValueError, match="column pred must lie in 0..4"):
        ImageStats.from_arrays({**arrays, "confusion_rows": bad}, ignore_index=VOID)
    with pytest.raises(ValueError, match="boundary_inter must be integer"):
        ImageStats.from_arrays({**arrays, "boundary_inter": arrays["boundary_inter"] + 0.5}, ignore_index=VOID)


def test_concat_equals_evaluating_together(data):
    preds, targets, scores = data
    parts = [evaluate(preds[:3], targets[:3], 5).image_stats, evaluate(preds[3:], targets[3:], 5).image_stats]
    assert_same_scores(Scores.from_image_stats(ImageStats.concat(parts)), scores)
    with pytest.raises(ValueError, match="cannot join 6 classes"):
        ImageStats.concat([parts[0], evaluate(preds[:1], targets[:1], 6).image_stats])


def test_per_image_table_matches_reference(data):
    preds, targets, scores = data
    table = scores.image_stats.per_image()
    assert list(table.columns) == list(PER_IMAGE_COLUMNS) and table.index.name == "image"
    want = reference.per_image(preds, targets, 5)
    for column in PER_IMAGE_COLUMNS:
        np.testing.assert_allclose(table[column], [row[column] for row in want], rtol=0, atol=1e-12, err_msg=column)


def test_streaming_evaluator_keeps_the_caller_order(data):
    preds, targets, scores = data
    evaluator = SegmentationEvaluator(5)
    evaluator.update(preds[:4], targets[:4])  # mixed sizes: grouped internally, returned in order
    evaluator.update(
        torch.as_tensor(np.stack([preds[0], preds[2]])), torch.as_tensor(np.stack([targets[0], targets[2]]))
    )
    stats = evaluator.image_stats()
    assert len(stats) == 6
    for position, image in enumerate([0, 1, 2, 3, 0, 2]):
        np.testing.assert_array_equal(stats.tp[position], scores.image_stats.tp[image])
        np.testing.assert_array_equal(stats.counts["bf"][position], scores.image_stats.counts["bf"][image])
    assert evaluator.compute().image_stats is not None


def test_many_classes_stay_sparse():
    """150 classes: the confusion is kept as its non-zero rows, not a dense (N, C, C) array."""
    rng = np.random.default_rng(0)
    preds, targets = zip(*[scene(rng, (16, 16), 150) for _ in range(20)])
    stats = evaluate(list(preds), list(targets), 150).image_stats
    assert len(stats.confusion_rows) <= 20 * 16 * 16  # at most one row per pixel, far below 20 x 150 x 150
    assert sum(a.nbytes for a in stats.to_arrays().values()) < 20 * 150 * 150 * 8 / 10


def test_empty_evaluator_has_empty_stats():
    stats = SegmentationEvaluator(3).image_stats()
    assert len(stats) == 0 and stats.tp.shape == (0, 3)
    assert np.isnan(Scores.from_image_stats(stats).miou) and stats.per_image().empty


def test_the_per_image_table_is_indexed_by_stems_when_given():
    stats = evaluate(np.zeros((2, 4, 4), int), np.zeros((2, 4, 4), int), 2).image_stats
    by_stem = stats.per_image(["a", "b"])
    assert by_stem.index.name == "stem" and list(by_stem.index) == ["a", "b"]
    np.testing.assert_array_equal(by_stem.to_numpy(), stats.per_image().to_numpy())  # NaN where undefined
    with pytest.raises(ValueError, match="3 stems for 2 images"):
        stats.per_image(["a", "b", "c"])
