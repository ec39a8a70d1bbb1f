"""Class-id maps to colours, and colours blended over photographs."""

from __future__ import annotations

import numpy as np
from PIL import Image

from workbench.data.classes import IGNORE_INDEX
from workbench.viz.convert import as_mask, as_palette, as_rgb_image


def colorize(mask, palette, ignore_color=(0, 0, 0), *, ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """Paint each pixel of a class-id map with its class colour.

    Args:
        mask: class ids, ``(H, W)`` or ``(N, H, W)``, tensor or array.
        palette: ``(C, 3)`` uint8 colours (``classes.palette()``) or a ``Classes``.
        ignore_color: RGB for pixels equal to ``ignore_index``.
        ignore_index: the void value (255).

    Returns:
        uint8 ``(H, W, 3)`` (or ``(N, H, W, 3)``).

    Raises:
        ValueError: when a value is neither a class id of the palette nor ``ignore_index``.
    """
    mask = as_mask(mask)
    colors = as_palette(palette)
    num_classes = len(colors)
    invalid = ((mask < 0) | (mask >= num_classes)) & (mask != ignore_index)
    if invalid.any():
        bad = np.unique(mask[invalid])[:10].tolist()
        raise ValueError(
            f"colorize: mask values {bad} are neither class ids 0..{num_classes - 1} nor ignore_index "
            f"{ignore_index}; pass the palette of the dataset the mask comes from (classes.palette())."
        )
    # One gather through a lookup table (void mapped to the row after the classes) beats a loop over classes.
    lut = np.concatenate([colors, np.asarray([ignore_color], dtype=np.uint8)])
    return np.take(lut, np.where(mask == ignore_index, num_classes, mask), axis=0)


def blend(background, foreground, alpha: float, where=None) -> np.ndarray:
    """Alpha-blend two uint8 RGB arrays of one shape: ``(1 - alpha) * background + alpha * foreground``.

    Done by PIL's C compositing with an 8-bit weight (``alpha`` rounded to 1/255), ten times faster than
    numpy here, so that a widget can blend on every slider move at image size.

    Args:
        background: uint8 ``(H, W, 3)``.
        foreground: uint8 ``(H, W, 3)``.
        alpha: opacity of the foreground in [0, 1].
        where: optional bool ``(H, W)``; outside it the background shows unchanged.

    Returns:
        uint8 ``(H, W, 3)``.
    """
    _check_alpha(alpha)
    if background.shape != foreground.shape:
        raise ValueError(f"blend: shapes differ, {background.shape} and {foreground.shape}; resize one first.")
    weight = round(alpha * 255)
    weights = None if where is None else np.where(np.asarray(where, dtype=bool), np.uint8(weight), np.uint8(0))
    return _composite(background, foreground, weight, weights)


def paint(
    background: np.ndarray, codes: np.ndarray, colors: np.ndarray, alpha: float, opaque: np.ndarray | None = None
) -> np.ndarray:
    """Colour an integer code map through a lookup table and blend it over a background.

    The one render step of the widgets: masks, error maps and band maps are stored as small integer codes,
    and a slider move only needs this gather and blend (about 2 ms at 480 x 360).

    Args:
        background: uint8 ``(H, W, 3)``, e.g. the photograph.
        codes: integer ``(H, W)`` indices into ``colors``.
        colors: uint8 ``(K, 3)`` lookup table.
        alpha: opacity of the colours in [0, 1].
        opaque: optional bool ``(K,)``: codes marked False leave the background unchanged (void, no band).

    Returns:
        uint8 ``(H, W, 3)``.
    """
    _check_alpha(alpha)
    weight, codes, colors = round(alpha * 255), np.asarray(codes), np.asarray(colors, dtype=np.uint8)
    weight_of = None if opaque is None else np.where(opaque, np.uint8(weight), np.uint8(0))
    if codes.dtype == np.uint8 and len(colors) <= 256:
        return _paint_palette(background, codes, colors, weight, weight_of)
    foreground = np.take(colors, codes, axis=0)  # np.take: several times faster than colors[codes]
    weights = None if weight_of is None else np.take(weight_of, codes)
    return _composite(background, foreground, weight, weights)


def _paint_palette(background, codes, colors, weight: int, weight_of) -> np.ndarray:
    # Byte codes: PIL's palette conversion and point lookup do both gathers in C, a third faster than numpy.
    code_image = Image.fromarray(np.ascontiguousarray(codes))
    foreground = code_image.copy()
    foreground.putpalette(np.ascontiguousarray(colors).tobytes())
    size = code_image.size
    mask = Image.new("L", size, weight) if weight_of is None else code_image.point(_lut256(weight_of))
    mixed = Image.composite(foreground.convert("RGB"), Image.fromarray(np.ascontiguousarray(background)), mask)
    return np.asarray(mixed)


def _lut256(values: np.ndarray) -> list[int]:
    return np.pad(values, (0, 256 - len(values))).tolist()  # codes index only the first len(values)


def _check_alpha(alpha: float) -> None:
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}.")


def _composite(background: np.ndarray, foreground: np.ndarray, weight: int, weights: np.ndarray | None):
    # PIL: out = (foreground * m + background * (255 - m)) / 255 per pixel, m the mask value.
    size = (background.shape[1], background.shape[0])
    mask = Image.new("L", size, weight) if weights is None else Image.fromarray(np.ascontiguousarray(weights))
    mixed = Image.composite(
        Image.fromarray(np.ascontiguousarray(foreground)), Image.fromarray(np.ascontiguousarray(background)), mask
    )
    return np.asarray(mixed)


def overlay(image, mask, palette, alpha: float = 0.5, ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """Class colours drawn over a photograph at opacity ``alpha``; void pixels show the photograph.

    Args:
        image: uint8 ``(H, W, 3)`` or a dataset's normalised float ``(3, H, W)`` (see ``as_rgb_image``).
        mask: class ids ``(H, W)``.
        palette: ``(C, 3)`` uint8 colours or a ``Classes``.
        alpha: opacity of the colours, 0 (photo only) to 1 (mask only).
        ignore_index: the void value (255).

    Returns:
        uint8 ``(H, W, 3)``.
    """
    rgb = as_rgb_image(image)
    mask = as_mask(mask)
    if rgb.shape[:2] != mask.shape:
        raise ValueError(f"overlay: image is {rgb.shape[:2]} but mask is {mask.shape}; they must match.")
    colors = colorize(mask, palette, ignore_index=ignore_index)
    return blend(rgb, colors, alpha, where=mask != ignore_index)
