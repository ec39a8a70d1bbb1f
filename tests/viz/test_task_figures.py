"""plot_task_comparison draws the four tasks' outputs, readable at the size notebook 01 shows them."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from workbench.data import SyntheticShapes, task_targets
from workbench.viz import class_legend, instance_rgb, plot_task_comparison


@pytest.fixture(scope="module")
def drawn():
    shapes = SyntheticShapes(num_images=64, image_size=(256, 256))
    scene = shapes.scene(50)
    targets = task_targets(scene)
    fig = Figure(figsize=(7.2, 6.6), layout="constrained", dpi=100)  # notebook 01's figure, at Jupyter's dpi
    axes = fig.subplots(2, 2)
    plot_task_comparison(axes.flat, scene.image, targets, shapes.classes)
    class_legend(axes[0, 1], shapes.classes.names, shapes.classes, void_color=(0, 0, 0))
    fig.draw_without_rendering()
    return fig, list(axes.flat), targets


def test_four_panels_one_box_per_object_and_titles_naming_the_tasks(drawn):
    fig, axes, targets = drawn
    titles = [ax.get_title() for ax in axes]
    assert titles[0] == "image classification: one label, 'triangle'"
    assert [t.split(":")[0] for t in titles[1:]] == [
        "object detection",
        "semantic segmentation",
        "instance segmentation",
    ]
    boxes = [p for p in axes[1].patches if isinstance(p, Rectangle)]
    assert len(boxes) == len(targets.boxes) == 4


def test_figure_fits_a_notebook_cell_and_no_text_is_under_9_px(drawn):
    fig, _, _ = drawn
    assert fig.bbox.width <= 850  # JupyterLab's cell at 1280 px with the file browser open shows it unscaled
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    assert len(texts) > 15  # titles, box labels, legend entries
    assert min(t.get_fontsize() * fig.dpi / 72 for t in texts) >= 9


def test_instance_colours_differ_per_object_and_void_stays_black():
    instances = np.array([[-1, 0, 1], [2, 3, -1]])
    semantic = np.array([[0, 1, 1], [2, 2, 255]])
    rgb = instance_rgb(instances, semantic)
    colours = {tuple(rgb[instances == k][0]) for k in range(4)}
    assert len(colours) == 4 and tuple(rgb[0, 0]) == (64, 64, 64) and tuple(rgb[1, 2]) == (0, 0, 0)


def test_wrong_number_of_axes_is_refused(drawn):
    _, axes, targets = drawn
    with pytest.raises(ValueError, match="needs 4 axes"):
        plot_task_comparison(axes[:3], np.zeros((8, 8, 3)), targets, SyntheticShapes().classes)
