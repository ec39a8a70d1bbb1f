"""Boundary bands: the same pixels as Boundary IoU's definition (erosion iterated d times, border 0)."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import ndimage

from workbench.viz import (
    BAND_COLORS,
    BandCode,
    boundary_band_codes,
    boundary_band_rgb,
    boundary_bands,
    plot_boundary_bands,
)


def band_by_definition(region: np.ndarray, d: int) -> np.ndarray:
    """DESIGN.md: M minus its 3x3 erosion iterated d times, pixels outside the image not in M."""
    eroded = ndimage.binary_erosion(region, structure=np.ones((3, 3)), iterations=d, border_value=0)
    return region & ~eroded


def random_masks(seed: int, size=(20, 26), num_classes=3):
    rng = np.random.default_rng(seed)
    # Blocky labels so that regions have interiors, plus a little void in the target.
    coarse = rng.integers(0, num_classes, size=(size[0] // 4 + 1, size[1] // 4 + 1))
    target = np.kron(coarse, np.ones((4, 4), int))[: size[0], : size[1]]
    pred = np.where(rng.random(size) < 0.1, rng.integers(0, num_classes, size), target)
    target[rng.random(size) < 0.05] = 255
    return pred, target


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("width", [1, 2])
def test_class_bands_match_the_definition(seed, width):
    pred, target = random_masks(seed)
    valid = target != 255
    for class_id in range(3):
        target_band, pred_band = boundary_bands(pred, target, class_id=class_id, width=width)
        np.testing.assert_array_equal(target_band, band_by_definition(target == class_id, width) & valid)
        np.testing.assert_array_equal(pred_band, band_by_definition(pred == class_id, width) & valid)


def test_all_class_bands_are_the_union_of_class_bands():
    pred, target = random_masks(2)
    target_band, pred_band = boundary_bands(pred, target, width=2)
    union = np.zeros_like(target_band)
    for class_id in range(3):
        union |= boundary_bands(pred, target, class_id=class_id, width=2)[1]
    np.testing.assert_array_equal(pred_band, union)
    assert not target_band[target == 255].any()


def test_default_width_is_the_metric_width():
    target = np.zeros((60, 80), int)
    target[20:40, 20:60] = 1
    # d = round(0.02 * 100) = 2: the rectangle's band is its 2-pixel rim.
    target_band, _ = boundary_bands(target, target)
    assert target_band[20:40, 20:60].sum() == 20 * 40 - 16 * 36


def test_band_codes_and_colours():
    target_band = np.array([[True, True, False, False]])
    pred_band = np.array([[True, False, True, False]])
    codes = boundary_band_codes(target_band, pred_band)
    assert codes.tolist() == [[BandCode.BOTH, BandCode.TARGET_ONLY, BandCode.PRED_ONLY, BandCode.NONE]]
    np.testing.assert_array_equal(boundary_band_rgb(target_band, pred_band)[0], BAND_COLORS[codes[0]])


def test_plot_boundary_bands_returns_the_image():
    pred, target = random_masks(3)
    ax = Figure().subplots()
    shown = plot_boundary_bands(ax, pred, target, width=1)
    expected = boundary_band_rgb(*boundary_bands(pred, target, width=1))
    np.testing.assert_array_equal(shown.get_array(), expected)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["target only", "prediction only", "both"]
