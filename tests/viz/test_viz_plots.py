"""Every plot function draws headless on an axis it is given and returns its artists."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend

from workbench.viz import (
    ERROR_COLORS,
    ErrorCode,
    class_legend,
    colorize,
    figure_to_png,
    gallery_indices,
    normalize_confusion,
    plot_confusion_matrix,
    plot_error_map,
    plot_image,
    plot_mask,
    plot_mask_gallery,
    plot_overlay,
    plot_per_class,
    plot_score_map,
)

PALETTE = np.array([(0, 0, 0), (255, 0, 0), (0, 0, 255)], dtype=np.uint8)
NAMES = ("background", "car", "road")


@pytest.fixture
def ax():
    return Figure().subplots()


def masks(seed=0, size=(12, 16)):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 3, size=size)


def test_plot_mask_shows_the_colorized_mask(ax):
    mask = masks()
    shown = plot_mask(ax, mask, PALETTE, title="target")
    assert isinstance(shown, AxesImage)
    np.testing.assert_array_equal(shown.get_array(), colorize(mask, PALETTE))
    assert ax.get_title() == "target" and not ax.axison


def test_plot_image_and_overlay(ax):
    image = np.full((12, 16, 3), 100, np.uint8)
    assert isinstance(plot_image(ax, image), AxesImage)
    shown = plot_overlay(ax, image, masks(), PALETTE, alpha=1.0)
    np.testing.assert_array_equal(shown.get_array(), colorize(masks(), PALETTE))


@pytest.mark.parametrize(
    "class_id, labels",
    [
        (None, ["correct", "wrong", "ignored"]),
        (1, ["true positive", "false positive", "false negative", "true negative", "ignored"]),
    ],
)
def test_plot_error_map_with_its_legend(ax, class_id, labels):
    shown = plot_error_map(ax, masks(1), masks(2), class_id=class_id)
    assert isinstance(shown, AxesImage)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == labels


def test_plot_error_map_blends_over_an_image(ax):
    image = np.zeros((12, 16, 3), np.uint8)
    target = masks(2)
    shown = plot_error_map(ax, target, target, image=image, alpha=1.0, legend=False)
    assert (np.asarray(shown.get_array()) == ERROR_COLORS[ErrorCode.CORRECT]).all()
    assert ax.get_legend() is None


def test_class_legend_has_one_patch_per_class(ax):
    legend = class_legend(ax, NAMES, PALETTE)
    assert isinstance(legend, Legend)
    assert [t.get_text() for t in legend.get_texts()] == list(NAMES)
    with pytest.raises(ValueError, match="one per class"):
        class_legend(ax, NAMES[:2], PALETTE)


def test_confusion_matrix_rows_sum_to_one(ax):
    confusion = np.array([[8, 2, 0], [1, 3, 0], [0, 0, 0]])
    shown = plot_confusion_matrix(ax, confusion, NAMES)
    values = np.asarray(shown.get_array())
    np.testing.assert_allclose(values[:2].sum(1), [1.0, 1.0])
    assert np.isnan(values[2]).all()  # a class with no target pixels has no row shares
    assert [t.get_text() for t in ax.get_yticklabels()] == list(NAMES)
    assert "0.80" in [t.get_text() for t in ax.texts]


def test_confusion_matrix_other_normalisations():
    confusion = np.array([[8, 2], [2, 8]])
    np.testing.assert_allclose(normalize_confusion(confusion, "pred")[:, 0], [0.8, 0.2])
    np.testing.assert_allclose(normalize_confusion(confusion, "all").sum(), 1.0)
    np.testing.assert_array_equal(normalize_confusion(confusion, None), confusion)
    with pytest.raises(ValueError, match="choose one of"):
        normalize_confusion(confusion, "rows")


def test_plot_per_class_from_values_marks_undefined_classes(ax):
    bars = plot_per_class(ax, [0.5, np.nan, 0.25], NAMES, palette=PALETTE)
    assert isinstance(bars, BarContainer)
    assert [b.get_height() for b in bars] == [0.5, 0.0, 0.25]
    assert "n/a" in [t.get_text() for t in ax.texts]
    assert "mean iou 0.375" in ax.get_legend().get_texts()[0].get_text()


def test_plot_per_class_from_a_table_skips_the_mean_row(ax):
    table = pd.DataFrame({"class": [*NAMES, "mean"], "iou": [0.9, 0.5, 0.7, 0.7], "dice": [1, 1, 1, 1]})
    bars = plot_per_class(ax, table, metric="iou")
    assert [round(b.get_height(), 2) for b in bars] == [0.9, 0.5, 0.7]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(NAMES)
    with pytest.raises(ValueError, match="no column 'boundary'"):
        plot_per_class(ax, table, metric="boundary")


def test_mask_gallery_fills_a_grid_and_checks_its_shape():
    images = np.zeros((2, 12, 16, 3), np.uint8)
    targets = [masks(0), masks(1)]
    preds = {"fcn8s": [masks(2), masks(3)], "unet": [masks(4), masks(5)]}
    grid = Figure().subplots(2, 4, squeeze=False)
    cells = plot_mask_gallery(grid, images, targets, preds, PALETTE)
    assert len(cells) == 2 and all(len(row) == 4 for row in cells)
    np.testing.assert_array_equal(cells[1][3].get_array(), colorize(preds["unet"][1], PALETTE))
    assert [grid[0, j].get_title() for j in range(4)] == ["image", "target", "fcn8s", "unet"]
    with pytest.raises(ValueError, match=r"fig.subplots\(2, 4"):
        plot_mask_gallery(Figure().subplots(2, 3), images, targets, preds, PALETTE)


def test_plot_score_map_is_centred_at_zero(ax):
    shown = plot_score_map(ax, np.array([[-1.0, 2.0]]), colorbar=True)
    assert shown.get_clim() == (-2.0, 2.0)


def test_figure_to_png_gives_png_bytes(ax):
    plot_mask(ax, masks(), PALETTE)
    data = figure_to_png(ax.figure)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_take_the_metrics_results_directly(ax):
    from workbench.data import Classes
    from workbench.metrics import evaluate

    classes = Classes(names=NAMES, colors=tuple(map(tuple, PALETTE.tolist())))
    scores = evaluate(np.stack([masks(1), masks(2)]), np.stack([masks(1), masks(3)]), num_classes=3)
    bars = plot_per_class(ax, scores.table(classes), classes, metric="boundary_iou")
    np.testing.assert_allclose([b.get_height() for b in bars], np.nan_to_num(scores.class_boundary_iou))
    shown = plot_confusion_matrix(Figure().subplots(), scores.confusion, classes)
    np.testing.assert_allclose(np.asarray(shown.get_array()).diagonal(), scores.accuracy)


def test_class_legend_can_name_void_and_gallery_indices_spread_out():
    ax = Figure().subplots()
    legend = class_legend(ax, ["road", "car"], np.array([[128, 64, 128], [64, 0, 128]], np.uint8), void_color=(0, 0, 0))
    assert [t.get_text() for t in legend.get_texts()] == ["road", "car", "void (255)"]
    assert tuple(legend.legend_handles[-1].get_facecolor()[:3]) == (0.0, 0.0, 0.0)
    assert len(class_legend(ax, ["road"], np.array([[1, 2, 3]], np.uint8)).get_texts()) == 1
    assert gallery_indices(100, 4) == [0, 33, 66, 99]
    assert gallery_indices(3, 6) == [0, 1, 2]
    with pytest.raises(ValueError, match="at least one"):
        gallery_indices(0, 4)
