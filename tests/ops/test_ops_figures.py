"""The teaching figures behind the ops widgets (workbench/viz/ops_figures.py): draw, update in place."""

import numpy as np
import torch

from workbench.ops import transposed_conv_walkthrough, unpooling_walkthrough
from workbench.viz.encode import new_figure, render_png
from workbench.viz.ops_figures import draw_matrix_view, draw_scatter_step, draw_unpooling


def test_scatter_and_matrix_views_follow_the_walkthrough():
    walk = transposed_conv_walkthrough(torch.arange(9.0).reshape(3, 3), torch.ones(2, 2), stride=2, padding=1)
    fig = new_figure(9, 3)
    axes = fig.subplots(1, 3)
    grids = draw_scatter_step(axes, walk, 4)
    canvas_box, crop_box = grids[2].boxes
    assert canvas_box.get_xy() == (2 - 0.5, 2 - 0.5)  # position (1, 1) * stride 2
    assert crop_box.get_xy() == (0.5, 0.5) and crop_box.get_width() == walk.output.shape[1]
    np.testing.assert_array_equal(grids[2].cells.get_array(), walk.steps.canvases[4].numpy())
    assert draw_scatter_step(axes, walk, 5, grids) == grids
    fig2 = new_figure(9, 3)
    v_grid, x_grid, y_grid = draw_matrix_view(fig2.subplots(1, 3), walk, 4)
    assert v_grid.boxes[0].get_xy() == (4 - 0.5, -0.5)
    np.testing.assert_array_equal(y_grid.cells.get_array(), walk.steps.outputs[4].reshape(-1, 1).numpy())


def test_unpooling_view_outlines_the_maxima_and_updates_in_place():
    x = torch.arange(36.0).reshape(6, 6)
    fig = new_figure(9, 3)
    axes = fig.subplots(1, 3)
    walk = unpooling_walkthrough(x, "max", 2)
    grids = draw_unpooling(
        axes, x.numpy(), walk.pooled.numpy(), walk.output.numpy(), scale=2, method="max", sources=walk.sources.tolist()
    )
    assert len(grids[0].marks.get_paths()) == 9
    assert grids[2].marks.get_paths()[0].vertices[0].tolist() == [0.5, 0.5]  # around (1, 1), the first maximum
    walk = unpooling_walkthrough(x, "nearest", 3)
    again = draw_unpooling(
        axes, x.numpy(), walk.pooled.numpy(), walk.output.numpy(), scale=3, method="nearest", grids=grids
    )
    assert again == grids and len(grids[0].marks.get_paths()) == 0
    assert len(grids[0].blocks.get_segments()) == 2  # one line between the two 3x3 windows per direction
    assert render_png(fig).startswith(b"\x89PNG")
