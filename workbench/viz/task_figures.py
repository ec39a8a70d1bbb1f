"""One image, four tasks: what classification, detection, semantic and instance segmentation output.

``plot_task_comparison`` draws the :class:`~workbench.data.tasks.TaskTargets` of one image side by side, so
that the difference is seen rather than read: one word, boxes, a class per pixel, an object per pixel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from workbench.data.classes import IGNORE_INDEX
from workbench.data.tasks import TaskTargets
from workbench.viz.convert import as_palette, class_names_of
from workbench.viz.mask_plots import plot_image, plot_mask

TITLES = ("image classification", "object detection", "semantic segmentation", "instance segmentation")
TITLE_POINTS = 9  # four titles side by side on a figure of about 7 inches
BOX_LABEL_POINTS = 7.5  # 10 px at 96 dpi: readable on a figure shown at its own size


def plot_task_comparison(axes: Sequence[Axes], image, targets: TaskTargets, palette) -> list[AxesImage]:
    """Four panels on ``axes``: the image with its one label, its boxes, its semantic and its instance mask.

    Args:
        axes: four axes, e.g. ``fig.subplots(2, 2).flat``.
        image: the image, any form ``plot_image`` takes (a scene's float ``(H, W, 3)`` in [0, 1]).
        targets: ``workbench.data.task_targets(scene)``.
        palette: the ``Classes`` (names and colours; the boxes and the semantic mask use its colours).

    Returns:
        The four ``AxesImage``; the boxes are ``Rectangle`` patches of ``axes[1]``.
    """
    if len(axes) != 4:
        raise ValueError(f"plot_task_comparison: needs 4 axes (one per task), got {len(axes)}.")
    names, colors = class_names_of(palette), as_palette(palette) / 255.0
    count = len(targets.boxes)
    shown = [
        plot_image(axes[0], image, title=f"{TITLES[0]}: one label, {names[targets.label]!r}"),
        plot_image(axes[1], image, title=f"{TITLES[1]}: {count} boxes with a class"),
        plot_mask(axes[2], targets.semantic, palette, title=f"{TITLES[2]}: a class per pixel"),
        axes[3].imshow(instance_rgb(targets.instances, targets.semantic), interpolation="nearest"),
    ]
    axes[3].set_axis_off()
    axes[3].set_title(f"{TITLES[3]}: an object per pixel")
    for ax in axes:
        ax.title.set_fontsize(TITLE_POINTS)
    for box in targets.boxes:
        color = colors[box.class_id]
        axes[1].add_patch(
            Rectangle(
                (box.left - 0.5, box.top - 0.5),
                box.right - box.left,
                box.bottom - box.top,
                fill=False,
                edgecolor=color,
                linewidth=1.5,
            )
        )
        axes[1].text(
            box.left - 0.5,
            box.top - 0.5,
            names[box.class_id],
            fontsize=BOX_LABEL_POINTS,
            color="black",
            va="top",  # inside the box: a box at the image's top edge keeps its label
            bbox={"facecolor": color, "edgecolor": "none", "pad": 0.8},
            clip_on=True,
        )
    return shown


def instance_rgb(instances: np.ndarray, semantic: np.ndarray) -> np.ndarray:
    """uint8 ``(H, W, 3)``: each object number in its own colour (regardless of its class), the background
    dark grey and void black, as ``plot_mask`` draws them.

    The colours are tab20's, its ten strong ones first: tab20 pairs each with a paler copy, and two
    neighbouring objects in a colour and its copy would look like one."""
    tab20 = np.asarray(colormaps["tab20"].colors)
    table = (np.concatenate([tab20[0::2], tab20[1::2]]) * 255).round().astype(np.uint8)
    rgb = np.full((*instances.shape, 3), 64, dtype=np.uint8)
    objects = instances >= 0
    rgb[objects] = table[instances[objects] % len(table)]
    rgb[semantic == IGNORE_INDEX] = 0
    return rgb
