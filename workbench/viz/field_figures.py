"""Receptive fields drawn over images: the analytic box of one unit, and the effective-field heatmap.

``*_rgb`` functions return uint8 arrays (what widgets encode, a few ms); ``plot_*`` draw on an axis the
caller owns and return the artists.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

FIELD_COLOR = (230, 30, 30)


def dimmed(rgb: np.ndarray, dim: float = 0.45) -> np.ndarray:
    """``rgb`` darkened to ``dim`` of its brightness: the pixels a unit cannot see."""
    return (np.asarray(rgb, dtype=np.float32) * dim).astype(np.uint8)


def field_box_rgb(
    rgb: np.ndarray,
    box: tuple[int, int, int, int],
    *,
    center: tuple[float, float] | None = None,
    dark: np.ndarray | None = None,
    color=FIELD_COLOR,
) -> np.ndarray:
    """``rgb`` with everything outside ``box = (top, left, bottom, right)`` dimmed and the box outlined.

    The box is clipped to the image (a field reaching into the padding is drawn up to the frame); a
    ``center = (y, x)`` inside the image gets a 3 x 3 marker. ``dark`` is ``dimmed(rgb)``, when the
    caller keeps it between calls.
    """
    out = (dark if dark is not None else dimmed(rgb)).copy()
    height, width = out.shape[:2]
    top, left = max(box[0], 0), max(box[1], 0)
    bottom, right = min(box[2], height - 1), min(box[3], width - 1)
    if top <= bottom and left <= right:
        out[top : bottom + 1, left : right + 1] = rgb[top : bottom + 1, left : right + 1]
        for rows, cols in (
            ((top,), slice(left, right + 1)),
            ((bottom,), slice(left, right + 1)),
            (slice(top, bottom + 1), (left,)),
            (slice(top, bottom + 1), (right,)),
        ):
            out[rows, cols] = color
    if center is not None:
        y, x = int(round(center[0])), int(round(center[1]))
        out[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = (255, 255, 0)
    return out


def heatmap_rgb(heatmap: np.ndarray, cmap: str = "magma") -> np.ndarray:
    """A ``(H, W)`` heatmap in [0, 1] as a uint8 RGB image."""
    return (colormaps[cmap](np.clip(heatmap, 0, 1))[..., :3] * 255).astype(np.uint8)


def plot_field_box(ax: Axes, rgb: np.ndarray, box: tuple[int, int, int, int], *, title: str | None = None):
    """The image with the field ``box`` outlined (unclipped, so a field larger than the image shows as such)."""
    image = ax.imshow(rgb)
    top, left, bottom, right = box
    rect = ax.add_patch(
        Rectangle(
            (left - 0.5, top - 0.5),
            right - left + 1,
            bottom - top + 1,
            fill=False,
            edgecolor=np.array(FIELD_COLOR) / 255,
            linewidth=2,
            clip_on=False,
        )
    )
    margin = max(0, -top, -left, bottom - rgb.shape[0] + 1, right - rgb.shape[1] + 1)
    ax.set_xlim(-0.5 - margin, rgb.shape[1] - 0.5 + margin)
    ax.set_ylim(rgb.shape[0] - 0.5 + margin, -0.5 - margin)
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return image, rect


def plot_erf(ax: Axes, heatmap: np.ndarray, *, title: str | None = None, box=None):
    """The effective-field heatmap; ``box``, when given, outlines the analytic field of the same unit."""
    image = ax.imshow(heatmap, cmap="magma", vmin=0, vmax=1)
    artists = [image]
    if box is not None:
        top, left, bottom, right = box
        artists.append(
            ax.add_patch(
                Rectangle(
                    (left - 0.5, top - 0.5),
                    right - left + 1,
                    bottom - top + 1,
                    fill=False,
                    edgecolor="cyan",
                    linewidth=1.5,
                    linestyle="--",
                )
            )
        )
    ax.set_xlim(-0.5, heatmap.shape[1] - 0.5), ax.set_ylim(heatmap.shape[0] - 0.5, -0.5)
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return artists
