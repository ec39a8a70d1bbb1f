"""Labelled grids (workbench/viz/cell_grid.py) and headless figures (viz/encode.py): draw, update in place, render."""

import numpy as np

from workbench.viz.cell_grid import draw_grid, set_box
from workbench.viz.encode import new_figure, render_png


def test_grid_draws_labels_and_updates_in_place_with_a_new_shape():
    fig = new_figure(3, 3)
    ax = fig.subplots()
    grid = draw_grid(ax, np.arange(6).reshape(2, 3), title="first", num_boxes=1)
    assert len(grid.labels.get_paths()) == 6 and grid.title_text == "first"
    assert grid.cells.get_array().tolist() == [[0, 1, 2], [3, 4, 5]]
    again = draw_grid(ax, np.ones((4, 4)), label_mask=np.eye(4, dtype=bool), title="second", grid=grid)
    assert again is grid and len(grid.labels.get_paths()) == 4
    assert grid.ax.get_xlim() == (-0.5, 3.5) and grid.ax.get_ylim() == (3.5, -0.5)  # row 0 on top
    set_box(grid.boxes[0], (1, 3), (0, 2))
    assert grid.boxes[0].get_visible() and grid.boxes[0].get_xy() == (-0.5, 0.5)
    assert (grid.boxes[0].get_width(), grid.boxes[0].get_height()) == (2, 2)
    set_box(grid.boxes[0], None)
    assert not grid.boxes[0].get_visible()


def test_labels_are_dropped_when_cells_are_too_small_to_read():
    fig = new_figure(1, 1)
    grid = draw_grid(fig.subplots(), np.arange(60 * 60).reshape(60, 60))
    assert not grid.labels.get_visible()


def test_render_png_is_headless_and_sized_by_dpi():
    fig = new_figure(4, 2, dpi=50)
    draw_grid(fig.subplots(), np.eye(3), title="eye")
    png = render_png(fig)
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (200, 100)


def test_a_grid_title_survives_a_tight_crop_as_jupyter_saves_figures():
    fig = new_figure(4, 4.4)
    ax = fig.subplots()
    fig.subplots_adjust(top=0.9)
    grid = draw_grid(ax, np.arange(16).reshape(4, 4), title="pass that computes each output")
    renderer = fig.canvas.get_renderer()
    title = grid.title.get_window_extent(renderer)
    assert title.y0 >= ax.get_window_extent(renderer).y1 and title.width > 50  # above the axis, glyph-wide
    tight = fig.get_tightbbox(renderer)  # inches: what bbox_inches="tight" keeps
    assert tight.y1 * fig.dpi >= title.y1 - 1 and tight.x0 * fig.dpi <= title.x0 + 1
    draw_grid(ax, np.eye(2), grid=grid)  # no title: nothing to keep
    assert grid.title.get_window_extent(renderer).width < 0  # Bbox.null(), which a tight crop ignores
