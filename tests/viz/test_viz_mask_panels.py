"""The pure layer under MaskComparer (compare_masks, render_panel), score maps and image encoders."""

import io

import numpy as np
import pytest
from PIL import Image

from workbench.data import Classes
from workbench.viz import (
    BandCode,
    ErrorCode,
    array_to_jpeg,
    array_to_png,
    boundary_bands,
    class_lookup,
    codes_to_png,
    colorize,
    compare_masks,
    error_rgb,
    overlay,
    render_panel,
    render_panels,
    score_rgb,
    upsample_nearest,
)
from workbench.viz.score_maps import score_levels

CLASSES = Classes(names=("background", "thing"), colors=((0, 0, 0), (250, 10, 10)))


@pytest.fixture(scope="module")
def comparison():
    target = np.zeros((24, 32), np.int64)
    target[6:18, 8:24] = 1
    target[0, :] = 255
    shifted = np.roll(target, 3, axis=1).clip(max=1)
    images = np.full((2, 24, 32, 3), 90, np.uint8)
    return compare_masks(
        images, [target, target], {"exact": [target.clip(max=1)] * 2, "shifted": [shifted] * 2}, CLASSES
    )


def test_panels_hold_the_codes_of_each_map(comparison):
    panels = comparison.panels[1]
    assert not panels.target.flags.writeable  # shared by every render
    target = panels.target.astype(np.int64)
    shifted = panels.preds["shifted"].astype(np.int64)
    assert panels.errors["exact"][0, 0] == ErrorCode.IGNORED and panels.errors["exact"][5, 5] == ErrorCode.CORRECT
    target_band, pred_band = boundary_bands(shifted, target)
    assert ((panels.bands["shifted"] & BandCode.TARGET_ONLY) > 0).tolist() == target_band.tolist()
    assert ((panels.bands["shifted"] & BandCode.PRED_ONLY) > 0).tolist() == pred_band.tolist()
    assert (panels.target_band > 0).tolist() == target_band.tolist()


def test_worst_first_uses_per_image_miou(comparison):
    assert comparison.scores["exact"]["miou"].tolist() == [1.0, 1.0]
    assert comparison.scores["shifted"]["miou"].iloc[0] < 1.0
    assert comparison.worst_first("shifted").tolist() == [0, 1]


def test_render_panel_matches_the_array_functions(comparison):
    panels = comparison.panels[0]
    colors, opaque = class_lookup(CLASSES)
    target, shifted = panels.target.astype(np.int64), panels.preds["shifted"].astype(np.int64)
    assert render_panel(panels, "image", "mask", 0.5, colors, opaque) is panels.image
    np.testing.assert_array_equal(
        render_panel(panels, "target", "mask", 0.5, colors, opaque), colorize(target, CLASSES)
    )
    np.testing.assert_array_equal(
        render_panel(panels, "shifted", "overlay", 0.4, colors, opaque),
        overlay(panels.image, shifted, CLASSES, alpha=0.4),
    )
    np.testing.assert_array_equal(
        render_panel(panels, "shifted", "error map", 1.0, colors, opaque), error_rgb(shifted, target)
    )
    assert list(render_panels(panels, "boundary bands", 1.0, ["exact"], colors, opaque)) == ["image", "target", "exact"]
    with pytest.raises(ValueError, match="choose one of"):
        render_panel(panels, "target", "heatmap", 0.5, colors, opaque)


def test_compare_masks_checks_sizes_and_values():
    images, target = np.zeros((1, 5, 5, 3), np.uint8), np.zeros((5, 5), int)
    with pytest.raises(ValueError, match=r"preds\['a'\] is \(4, 4\)"):
        compare_masks(images, [target], {"a": [np.zeros((4, 4), int)]}, CLASSES, per_image=False)
    with pytest.raises(ValueError, match=r"preds\['a'\] holds \[255\], not class ids 0\.\.1;"):
        compare_masks(images, [target], {"a": [np.full((5, 5), 255)]}, CLASSES, per_image=False)
    with pytest.raises(ValueError, match=r"target holds \[7\], not class ids 0\.\.1 or ignore_index 255"):
        compare_masks(images, [np.full((5, 5), 7)], {"a": [target]}, CLASSES, per_image=False)


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_png_encoders_are_lossless():
    codes = np.random.default_rng(0).integers(0, 3, (9, 11)).astype(np.uint8)
    colors = np.array([(1, 2, 3), (200, 100, 0), (0, 90, 255)], np.uint8)
    np.testing.assert_array_equal(decode(codes_to_png(codes, colors)), colors[codes])
    np.testing.assert_array_equal(decode(array_to_png(colors[codes])), colors[codes])
    assert np.abs(decode(array_to_jpeg(colors[codes], full_chroma=True)).astype(int) - colors[codes]).mean() < 20
    with pytest.raises(ValueError, match="uint8"):
        codes_to_png(codes.astype(np.int64), colors)


def test_score_colours_are_centred_at_zero():
    assert score_levels(np.array([-2.0, 0.0, 2.0, 5.0]), vmax=2.0).tolist() == [0, 128, 255, 255]
    rgb = score_rgb(np.array([[-1.0, 0.0, 1.0]]))
    assert rgb.shape == (1, 3, 3) and rgb[0, 1].min() > 230  # zero is (near) white in RdBu_r
    assert rgb[0, 0, 2] > rgb[0, 0, 0] and rgb[0, 2, 0] > rgb[0, 2, 2]  # negative blue, positive red


def test_upsample_nearest_draws_cells_as_blocks_and_crops():
    cells = np.arange(6).reshape(2, 3)
    up = upsample_nearest(cells, 4, (7, 10))
    assert up.shape == (7, 10)
    assert up[3, 3] == 0 and up[4, 4] == 4 and up[6, 9] == 5
