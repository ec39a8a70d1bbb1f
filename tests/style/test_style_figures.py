"""The pure draw_* functions of workbench.viz.style_figures (here because they draw style-transfer data)."""

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure

from workbench.viz.style_figures import draw_gram, draw_loss_curves, draw_stage_image, image_array, move_step_marker


def test_image_array_accepts_chw_tensors_and_hwc_arrays():
    image = torch.rand(3, 4, 5)
    np.testing.assert_array_equal(image_array(image), image.permute(1, 2, 0).numpy())
    assert image_array(np.full((2, 2, 3), 1.5)).max() == 1.0
    with pytest.raises(ValueError, match=r"\(3, H, W\) or \(H, W, 3\)"):
        image_array(np.zeros((4, 4)))


def test_loss_curves_skip_all_zero_terms_and_mark_the_step():
    history = pd.DataFrame(
        {"total": [3.0, 2.0, 1.0], "content": [0.0, 0.5, 0.4], "style": [3.0, 1.5, 0.6], "tv": [0.0, 0.0, 0.0]}
    )
    ax = Figure().subplots()
    artists = draw_loss_curves(ax, history, step=1)
    assert list(artists["lines"]) == ["total", "content", "style"] and ax.get_yscale() == "log"
    move_step_marker(artists["marker"], 2)
    assert list(artists["marker"].get_xdata()) == [2, 2]
    assert draw_loss_curves(Figure().subplots(), history)["marker"] is None
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # right of the axis, off the curves


def test_loss_axis_spans_at_most_four_decades_below_the_largest_term():
    history = pd.DataFrame({"total": [10.0, 5.0, 2.0], "content": [0.0, 1e-9, 0.3], "style": [10.0, 5.0, 1.7]})
    ax = Figure().subplots()
    draw_loss_curves(ax, history)
    low, high = ax.get_ylim()
    assert high == pytest.approx(15.0) and low == pytest.approx(10.0 * 1e-4 / 1.5)


def test_gram_and_image_draw_the_given_arrays():
    ax_image, ax_gram = Figure().subplots(1, 2)
    gram = np.arange(9.0).reshape(3, 3)
    assert np.array_equal(draw_gram(ax_gram, gram, vmin=0, vmax=10, title="g").get_array(), gram)
    assert draw_stage_image(ax_image, torch.zeros(3, 2, 2), title="x").get_array().shape == (2, 2, 3)
    with pytest.raises(ValueError, match=r"square \(C, C\)"):
        draw_gram(ax_gram, np.zeros((2, 3)))
