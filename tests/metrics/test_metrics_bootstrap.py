"""Image-level bootstrap intervals and the paired comparison, against a plain numpy bootstrap and by simulation."""

import metrics_reference as reference
import numpy as np
import pytest

from workbench.metrics import ImageStats, Scores, evaluate, paired_bootstrap

VOID, NUM_CLASSES = 255, 4
SCALARS = ["pixel_accuracy", "mean_accuracy", "miou", "fwiou", "mean_dice", "boundary_miou", "boundary_f1", "nsd"]


def scene(rng, quality):
    """A blocky 24 x 32 target with void, and a prediction whose error rate is ``quality``."""
    coarse = rng.integers(0, NUM_CLASSES, (4, 5))
    target = np.kron(coarse, np.ones((7, 7), dtype=np.int64))[:24, :32]
    pred = np.roll(target, int(rng.integers(0, 3)), axis=1)
    wrong = rng.random(target.shape) < quality
    pred[wrong] = rng.integers(0, NUM_CLASSES, wrong.sum())
    target[rng.random(target.shape) < 0.05] = VOID
    return pred, target


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    pairs = [scene(rng, q) for q in rng.uniform(0.0, 0.5, 12)]
    preds, targets = np.stack([p for p, _ in pairs]), np.stack([t for _, t in pairs])
    return preds, targets, evaluate(preds, targets, NUM_CLASSES)


def plain_bootstrap(preds, targets, resamples, level, seed):
    """Resample images with numpy's generator as documented, score each resample with the plain reference."""
    n = len(preds)
    per_image = [reference.scores(preds[i : i + 1], targets[i : i + 1], NUM_CLASSES) for i in range(n)]
    bf = np.stack([reference.bf_image(p, t, NUM_CLASSES, VOID) for p, t in zip(preds, targets)])
    nsd = np.stack([reference.nsd_image(p, t, NUM_CLASSES, VOID) for p, t in zip(preds, targets)])
    draws = np.random.default_rng(seed).integers(0, n, (resamples, n))
    samples = {key: [] for key in SCALARS}
    for draw in draws:
        cm = sum(per_image[i]["confusion"] for i in draw)
        inter = sum(reference.boundary_iou_image(preds[i], targets[i], NUM_CLASSES, VOID)[0] for i in draw)
        union = sum(reference.boundary_iou_image(preds[i], targets[i], NUM_CLASSES, VOID)[1] for i in draw)
        region = reference.region_scores(cm)
        for key in SCALARS[:5]:
            samples[key].append(region[key])
        samples["boundary_miou"].append(reference.mean_defined([reference.divide(a, b) for a, b in zip(inter, union)]))
        samples["boundary_f1"].append(reference.mean_defined([reference.mean_defined(bf[i]) for i in draw]))
        samples["nsd"].append(reference.mean_defined([reference.mean_defined(nsd[i]) for i in draw]))
    tail = (1 - level) / 2
    return {key: np.percentile(values, [100 * tail, 100 * (1 - tail)]) for key, values in samples.items()}


def test_intervals_equal_a_plain_numpy_bootstrap(data):
    preds, targets, scores = data
    table = scores.bootstrap(resamples=200, level=0.9, seed=3)
    assert list(table.index) == SCALARS and list(table.columns) == ["value", "low", "high"]
    assert table.attrs == {
        "method": "image-level percentile bootstrap",
        "resamples": 200,
        "level": 0.9,
        "seed": 3,
        "num_images": 12,
    }
    want = plain_bootstrap(preds, targets, 200, 0.9, 3)
    for key in SCALARS:
        np.testing.assert_allclose(
            table.loc[key, ["low", "high"]].to_numpy(float), want[key], rtol=0, atol=1e-12, err_msg=key
        )
        assert table.loc[key, "value"] == scores.as_dict()[key]
        assert table.loc[key, "low"] <= table.loc[key, "high"]


def population_stats(rng, num_images):
    """Per-image confusion rows of a synthetic population: image difficulty varies, classes differ in size."""
    sizes = np.array([400, 150, 60])
    rows = []
    for image in range(num_images):
        accuracy = rng.beta(6, 2, 3)
        for target, size in enumerate(rng.poisson(sizes)):
            right = rng.binomial(size, accuracy[target])
            wrong = np.bincount(rng.integers(0, 2, size - right), minlength=2)
            others = [c for c in range(3) if c != target]
            for pred, count in [(target, right), (others[0], wrong[0]), (others[1], wrong[1])]:
                if count:
                    rows.append((image, target, pred, count))
    zeros = np.zeros((num_images, 3), dtype=np.int64)
    return ImageStats(
        np.array(rows, dtype=np.int64),
        {"boundary_inter": zeros, "boundary_union": zeros, "bf": np.full((num_images, 3), np.nan)},
        ignore_index=VOID,
    )


def test_95_percent_intervals_cover_the_population_miou():
    rng = np.random.default_rng(0)
    population = population_stats(rng, 5000)
    truth = Scores.from_image_stats(population).miou
    covered = []
    for _ in range(300):
        sample = Scores.from_image_stats(population.subset(rng.integers(0, len(population), 40)))
        interval = sample.bootstrap(resamples=2000, level=0.95, seed=int(rng.integers(1 << 31)))
        covered.append(interval.loc["miou", "low"] <= truth <= interval.loc["miou", "high"])
    assert 0.90 <= np.mean(covered) <= 0.99, np.mean(covered)


def test_one_image_gives_zero_width(data):
    preds, targets, _ = data
    table = evaluate(preds[:1], targets[:1], NUM_CLASSES).bootstrap(resamples=50)
    np.testing.assert_array_equal(table["low"], table["value"])
    np.testing.assert_array_equal(table["high"], table["value"])


def test_identical_predictions_give_zero_difference(data):
    preds, targets, scores = data
    again = evaluate(preds, targets, NUM_CLASSES)
    result = paired_bootstrap(scores, again, key="boundary_f1", resamples=100)
    assert (result["difference"], result["low"], result["high"], result["share_a_better"]) == (0, 0, 0, 0)


def test_paired_comparison_against_plain_resamples(data):
    preds, targets, scores = data
    worse = preds.copy()
    worse[:, :5] = (worse[:, :5] + 1) % NUM_CLASSES
    other = evaluate(worse, targets, NUM_CLASSES)
    result = paired_bootstrap(scores, other, key="miou", resamples=300, level=0.95, seed=1)
    assert result.attrs["key"] == "miou" and result.attrs["resamples"] == 300 and result.attrs["seed"] == 1
    assert result["difference"] == pytest.approx(scores.miou - other.miou, abs=1e-15)
    draws = np.random.default_rng(1).integers(0, len(preds), (300, len(preds)))
    deltas = [
        evaluate(preds[d], targets[d], NUM_CLASSES, boundary=False).miou
        - evaluate(worse[d], targets[d], NUM_CLASSES, boundary=False).miou
        for d in draws[:40]
    ]
    ours = scores.image_stats, other.image_stats
    mine = [
        Scores.from_image_stats(ours[0].subset(d)).miou - Scores.from_image_stats(ours[1].subset(d)).miou
        for d in draws[:40]
    ]
    np.testing.assert_allclose(mine, deltas, rtol=0, atol=1e-12)
    all_deltas = [
        Scores.from_image_stats(ours[0].subset(d)).miou - Scores.from_image_stats(ours[1].subset(d)).miou for d in draws
    ]
    np.testing.assert_allclose([result["low"], result["high"]], np.percentile(all_deltas, [2.5, 97.5]), atol=1e-12)
    assert result["share_a_better"] == np.mean(np.array(all_deltas) > 0)
    flipped = paired_bootstrap(other, scores, key="miou", resamples=300, seed=1)
    assert flipped["share_a_better"] == np.mean(np.array(all_deltas) < 0)


def test_paired_refuses_different_images(data):
    preds, targets, scores = data
    fewer = evaluate(preds[:-1], targets[:-1], NUM_CLASSES)
    with pytest.raises(ValueError, match="A has 12 images.*B has 11"):
        paired_bootstrap(scores, fewer)
    shuffled = evaluate(preds[::-1], targets[::-1], NUM_CLASSES)
    with pytest.raises(ValueError, match="different targets at image 0"):
        paired_bootstrap(scores, shuffled)
    with pytest.raises(ValueError, match="key 'iou' is not a scalar score"):
        paired_bootstrap(scores, scores, key="iou")


def test_bad_settings_and_missing_stats(data):
    scores = data[2]
    with pytest.raises(ValueError, match="level must lie strictly between 0 and 1"):
        scores.bootstrap(level=95)
    with pytest.raises(ValueError, match="resamples must be a positive integer"):
        scores.bootstrap(resamples=0)
    bare = type(scores)(**{**scores.__dict__, "image_stats": None})
    with pytest.raises(ValueError, match="no per-image statistics"):
        bare.bootstrap()
