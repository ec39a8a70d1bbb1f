"""MaskComparer driven through its controls; assertions on the state it exposes."""

import numpy as np
import pandas as pd
import pytest
import torch

from workbench.data import SyntheticShapes
from workbench.metrics import evaluate, per_image_scores
from workbench.viz import BAND_COLORS, ERROR_COLORS, ErrorCode, as_rgb_image, blend, colorize, error_rgb
from workbench.viz.error_kinds import KIND_COLORS, KindCode
from workbench.widgets.mask_comparer import MaskComparer

NUM_IMAGES, SIZE = 6, (40, 56)


def corrupt(masks: torch.Tensor, share: float, seed: int, num_classes: int) -> torch.Tensor:
    """Predictions that are the targets with a share of pixels relabelled (void becomes class 0)."""
    generator = torch.Generator().manual_seed(seed)
    noisy = torch.randint(0, num_classes, masks.shape, generator=generator)
    flip = torch.rand(masks.shape, generator=generator) < share
    return torch.where(flip | (masks == 255), noisy, masks)


@pytest.fixture(scope="module")
def data():
    dataset = SyntheticShapes(num_images=NUM_IMAGES, image_size=SIZE, seed=1)
    targets = torch.stack([dataset[i][1] for i in range(NUM_IMAGES)])
    c = dataset.classes.num_classes
    # Different shares per image for "good" so that worst-first has a clear order.
    shares = [0.3, 0.0, 0.5, 0.1, 0.2, 0.4]
    good = torch.stack([corrupt(t, share, i, c) for i, (t, share) in enumerate(zip(targets, shares))])
    preds = {"good": good, "bad": corrupt(targets, 0.6, 99, c), "cars": corrupt(targets, 0.2, 7, c)}
    return dataset, targets, preds


@pytest.fixture
def comparer(data):
    dataset, _, preds = data
    return MaskComparer(dataset, None, preds)


def test_index_slider_shows_that_image(comparer, data):
    dataset, targets, preds = data
    comparer.index.value = 3
    assert comparer.current_index == 3
    arrays = comparer.current_arrays
    assert list(arrays) == ["image", "target", "good", "bad", "cars"]
    np.testing.assert_array_equal(arrays["image"], as_rgb_image(dataset[3][0]))
    np.testing.assert_array_equal(arrays["target"], colorize(targets[3], dataset.classes))
    np.testing.assert_array_equal(arrays["bad"], colorize(preds["bad"][3], dataset.classes))


def test_worst_first_orders_by_per_image_miou(comparer, data):
    dataset, targets, preds = data
    comparer.sort_by.value = "good"
    comparer.index.value = 2
    comparer.sort.value = "worst first"
    expected = per_image_scores(preds["good"], targets, dataset.classes.num_classes)["miou"].to_numpy()
    order = list(comparer.order)
    assert np.all(np.diff(expected[order]) >= 0)
    assert order[-1] == 1 and order[0] == 2  # share 0.0 is the best image, 0.5 the worst
    assert comparer.index.value == 0 and comparer.current_index == order[0]
    comparer.index.value = 1
    assert comparer.current_index == order[1]
    comparer.sort.value = "dataset order"
    assert list(comparer.order) == list(range(NUM_IMAGES))


def test_opacity_changes_the_overlay_arrays(comparer, data):
    dataset, targets, preds = data
    comparer.view.value = "overlay"
    comparer.opacity.value = 0.25
    quarter = comparer.current_arrays["good"].copy()
    comparer.opacity.value = 0.75
    assert not np.array_equal(quarter, comparer.current_arrays["good"])
    image = as_rgb_image(dataset[0][0])
    np.testing.assert_array_equal(
        comparer.current_arrays["good"], blend(image, colorize(preds["good"][0], dataset.classes), 0.75)
    )


def test_error_map_view_shows_error_colours(comparer, data):
    _, targets, preds = data
    comparer.view.value = "error map"
    comparer.opacity.value = 1.0
    comparer.index.value = 4
    np.testing.assert_array_equal(comparer.current_arrays["cars"], error_rgb(preds["cars"][4], targets[4]))
    assert "wrong" in comparer.legend.value


def test_boundary_bands_view_colours_band_pixels_over_a_dimmed_photograph(comparer):
    comparer.view.value = "boundary bands"
    comparer.opacity.value = 1.0
    shown, image = comparer.current_arrays["good"], comparer.current_arrays["image"].astype(float)
    band_colours = (shown[..., None, :] == BAND_COLORS[1:]).all(-1).any(-1)
    # elsewhere: the photograph in grey at 40% of its luminance (independent computation)
    grey = np.round(0.4 * (0.299 * image[..., 0] + 0.587 * image[..., 1] + 0.114 * image[..., 2]))
    rest = shown[~band_colours].astype(float)
    assert band_colours.any() and (rest[:, 0] == rest[:, 1]).all() and (rest[:, 1] == rest[:, 2]).all()
    assert np.abs(rest[:, 0] - grey[~band_colours]).max() <= 1
    assert "image frame" in comparer.legend.value and "frame" in MaskComparer.__doc__


def test_class_errors_view_shows_one_class_tp_fp_fn_and_counts(comparer, data):
    dataset, targets, preds = data
    assert comparer.class_id.disabled
    comparer.view.value = "class errors"
    comparer.opacity.value = 1.0
    comparer.index.value = 2
    assert not comparer.class_id.disabled
    for class_id in (1, 3):
        comparer.class_id.value = class_id
        shown = comparer.current_arrays["bad"]
        pred, target = preds["bad"][2].numpy(), targets[2].numpy()
        valid = target != 255
        tp = (pred == class_id) & (target == class_id)
        fp = (pred == class_id) & (target != class_id) & valid
        fn = (target == class_id) & (pred != class_id)
        for mask, code in (
            (tp, ErrorCode.TRUE_POSITIVE),
            (fp, ErrorCode.FALSE_POSITIVE),
            (fn, ErrorCode.FALSE_NEGATIVE),
        ):
            assert mask.any()
            assert (shown[mask] == ERROR_COLORS[code]).all()
        rest = ~(tp | fp | fn)
        np.testing.assert_array_equal(shown[rest], comparer.current_arrays["image"][rest])  # photograph
        counts = comparer.class_counts.loc["bad"]
        assert (counts["TP"], counts["FP"], counts["FN"]) == (tp.sum(), fp.sum(), fn.sum())
        assert counts["IoU"] == pytest.approx(tp.sum() / (tp | fp | fn).sum())
        assert dataset.classes.names[class_id] in comparer.counts_html.value
    assert "false negative" in comparer.legend.value


def test_error_kinds_view_colours_each_pixel_as_the_breakdown_counts_it(comparer, data):
    dataset, targets, preds = data
    c = dataset.classes.num_classes
    comparer.view.value = "error kinds"
    comparer.opacity.value = 1.0
    comparer.index.value = 4
    assert not comparer.class_id.disabled
    stats = evaluate(preds["bad"][4:5], targets[4:5], c, errors=True).image_stats
    seen = set()
    for class_id in range(1, c):
        comparer.class_id.value = class_id
        shown = comparer.current_arrays["bad"]
        pred, target = preds["bad"][4].numpy(), targets[4].numpy()
        valid = target != 255
        for kind in ("boundary", "extent", "segment"):
            for side in ("fp", "fn"):
                code = KindCode[f"{kind.upper()}_{side.upper()}"]
                coloured = (shown == KIND_COLORS[code]).all(axis=-1) & valid
                assert coloured.sum() == stats.counts[f"{kind}_{side}"][0, class_id], (class_id, kind, side)
                seen.add(code) if coloured.any() else None
        correct = (pred == class_id) & (target == class_id)
        assert (shown[correct] == KIND_COLORS[KindCode.CORRECT]).all()
        neither = (pred != class_id) & (target != class_id) & valid
        np.testing.assert_array_equal(shown[neither], comparer.current_arrays["image"][neither])
    assert len(seen) >= 3  # several kinds drawn on these noisy masks
    assert "segment FP" in comparer.legend.value and "boundary FN" in comparer.legend.value


def test_panels_share_the_row_and_the_score_headers_are_spaced(comparer):
    boxes = [comparer._boxes[n] for n in ("image", "target", "good")]
    assert all(b.layout.flex == "1 1 0%" and b.layout.min_width == "0" for b in boxes)
    assert comparer.panel_row.layout.flex_flow == "row nowrap"
    assert all(image.layout.width == "100%" for image in comparer._images.values())
    assert '<th style="padding:2px 14px' in comparer.scores_html.value
    assert "Boundary IoU" in comparer.scores_html.value and "boundary_iou" not in comparer.scores_html.value


def test_unchanged_panels_are_not_redrawn(comparer):
    comparer.view.value = "mask"
    renders = comparer.panel_renders
    comparer.opacity.value = 0.9  # the mask view does not depend on opacity
    assert comparer.panel_renders == renders
    comparer.view.value = "overlay"
    assert comparer.panel_renders == renders + 4  # target and three models; the photograph is unchanged


def test_hiding_a_model_removes_it(comparer):
    comparer.models.value = ("good", "cars")
    assert comparer.shown_models == ("good", "cars")
    assert "bad" not in comparer.current_arrays
    assert list(comparer.scores_row.index) == ["good", "cars"]


def test_scores_row_is_the_shown_image(comparer, data):
    dataset, targets, preds = data
    comparer.index.value = 5
    row = comparer.scores_row
    assert isinstance(row, pd.DataFrame) and list(row.index) == ["good", "bad", "cars"]
    expected = per_image_scores(preds["bad"], targets, dataset.classes.num_classes).iloc[5]
    pd.testing.assert_series_equal(row.loc["bad"], expected, check_names=False)
    assert f"{expected['miou']:.3f}" in comparer.scores_html.value


def test_tensors_and_arrays_work_like_a_dataset(data):
    dataset, targets, preds = data
    images = np.stack([as_rgb_image(dataset[i][0]) for i in range(NUM_IMAGES)])
    comparer = MaskComparer(images, targets.numpy(), {"good": preds["good"]}, dataset.classes, per_image=False)
    comparer.index.value = 2
    np.testing.assert_array_equal(comparer.current_arrays["image"], images[2])
    assert comparer.scores_row is None and comparer.sort.options == ("dataset order",)


def test_bad_inputs_are_named(data):
    dataset, targets, preds = data
    with pytest.raises(ValueError, match="different numbers of images"):
        MaskComparer(dataset, None, {"good": preds["good"][:3]})
    with pytest.raises(ValueError, match="clash"):
        MaskComparer(dataset, None, {"target": preds["good"]})
    with pytest.raises(ValueError, match="pass classes"):
        MaskComparer(np.zeros((NUM_IMAGES, *SIZE, 3), np.uint8), targets, preds)


@pytest.mark.slow
def test_camvid_images_at_full_size(camvid_root):
    from workbench.data import SegmentationFolder

    dataset = SegmentationFolder(camvid_root, "val")
    image, target = dataset[0]
    shifted = torch.roll(target, 5, dims=-1)
    pred = shifted.masked_fill(shifted == 255, 0)  # a prediction never says "void"
    comparer = MaskComparer([image], target[None], {"shifted": pred[None]}, dataset.classes)
    assert comparer.current_arrays["target"].shape == (360, 480, 3)
    np.testing.assert_array_equal(comparer.current_arrays["target"], colorize(target, dataset.classes))
    expected = per_image_scores(pred[None], target[None], dataset.classes.num_classes)
    assert comparer.scores_row.loc["shifted", "miou"] == pytest.approx(expected["miou"].iloc[0])
