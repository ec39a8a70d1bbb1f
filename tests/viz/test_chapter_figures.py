"""Figures of the course chapters: arrays checked pixel by pixel, plots by their artists."""

import numpy as np
from matplotlib.figure import Figure

from workbench.viz import field_box_rgb, heatmap_rgb, paths_rgb, plot_bins, plot_erf, plot_field_box, plot_maps
from workbench.viz.dilation_figures import HOLE_COLOR
from workbench.viz.field_figures import FIELD_COLOR, dimmed


def test_field_box_rgb_clips_the_box_and_dims_the_rest():
    rgb = np.full((10, 12, 3), 200, dtype=np.uint8)
    out = field_box_rgb(rgb, (-3, 2, 4, 20))  # reaches past the top and the right edge
    assert (out[0, 2] == FIELD_COLOR).all() and (out[4, 5] == FIELD_COLOR).all() and (out[2, 11] == FIELD_COLOR).all()
    assert (out[2, 5] == 200).all() and (out[7, 5] == dimmed(rgb)[7, 5]).all() and (out[2, 0] < 200).all()


def test_paths_rgb_paints_holes_grey_and_draws_a_grid():
    paths = np.array([[1, 0], [0, 2]])
    out = paths_rgb(paths, cell=4)
    assert out.shape == (8, 8, 3)
    assert (out[5, 1] == HOLE_COLOR).all() and (out[0, :] == 255).all() and not (out[6, 6] == HOLE_COLOR).all()


def test_heatmap_rgb_is_uint8_rgb():
    out = heatmap_rgb(np.linspace(0, 1, 12).reshape(3, 4))
    assert out.dtype == np.uint8 and out.shape == (3, 4, 3) and not (out[0, 0] == out[-1, -1]).all()


def test_plots_draw_on_the_axes_they_are_given():
    fig = Figure()
    axes = fig.subplots(1, 4)
    rgb = np.zeros((16, 20, 3), dtype=np.uint8)
    _, rect = plot_field_box(axes[0], rgb, (-4, -4, 19, 23), title="field")
    assert rect.get_width() == 28 and axes[0].get_xlim()[0] < -4
    artists = plot_erf(axes[1], np.ones((16, 20)), box=(0, 0, 5, 5))
    assert len(artists) == 2
    assert len(plot_maps(axes[2:3], {"m": np.eye(4)}, subtitles={"m": "x"})) == 1 and axes[2].get_title() == "m\nx"
    lines = plot_bins(axes[3], rgb, [(0, 8), (8, 16)], [(0, 10), (9, 20)])
    assert len(lines) == 1 + 3 + 4  # the image, row edges 0/8/16, column edges 0/9/10/20
