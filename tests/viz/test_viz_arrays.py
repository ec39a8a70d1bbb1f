"""colorize, overlay, blend, paint, error maps and input conversion on small hand-made arrays."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.data import Classes, normalize
from workbench.viz import (
    ERROR_COLORS,
    ErrorCode,
    as_palette,
    as_rgb_image,
    blend,
    colorize,
    error_map,
    error_rgb,
    overlay,
    paint,
)
from workbench.viz.encode import TITLE_PIXELS, panels_to_png
from workbench.viz.figure_fonts import FONT_KEY

PALETTE = np.array([(10, 20, 30), (200, 0, 0), (0, 200, 0)], dtype=np.uint8)
TARGET = np.array([[0, 1, 2], [255, 1, 1]])
PRED = np.array([[0, 2, 2], [1, 1, 0]])


def test_colorize_paints_each_class_and_void():
    rgb = colorize(TARGET, PALETTE, ignore_color=(7, 8, 9))
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 3, 3)
    assert rgb[0].tolist() == PALETTE.tolist()
    assert rgb[1, 0].tolist() == [7, 8, 9]
    assert rgb[1, 1].tolist() == rgb[1, 2].tolist() == [200, 0, 0]


def test_colorize_takes_tensors_batches_and_classes():
    classes = Classes(names=("a", "b", "c"), colors=tuple(map(tuple, PALETTE.tolist())))
    batch = torch.as_tensor(np.stack([TARGET, TARGET]))
    rgb = colorize(batch, classes)
    assert rgb.shape == (2, 2, 3, 3)
    np.testing.assert_array_equal(rgb[1], colorize(TARGET, PALETTE))


@pytest.mark.parametrize("bad", [3, -1, 254])
def test_colorize_rejects_values_outside_the_palette(bad):
    mask = TARGET.copy()
    mask[0, 0] = bad
    with pytest.raises(ValueError, match=rf"\[{bad}\].*class ids 0\.\.2"):
        colorize(mask, PALETTE)


def test_colorize_rejects_logits():
    with pytest.raises(ValueError, match="argmax"):
        colorize(np.zeros((2, 2), dtype=np.float32), PALETTE)


def test_blend_is_exact_at_the_ends_and_halfway():
    background = np.full((1, 2, 3), 100, np.uint8)
    foreground = np.full((1, 2, 3), 200, np.uint8)
    assert (blend(background, foreground, 0.0) == 100).all()
    assert (blend(background, foreground, 1.0) == 200).all()
    assert (blend(background, foreground, 0.5) == 150).all()
    where = np.array([[True, False]])
    assert blend(background, foreground, 1.0, where=where)[0, :, 0].tolist() == [200, 100]
    with pytest.raises(ValueError, match="alpha"):
        blend(background, foreground, 1.5)


def test_overlay_keeps_the_photo_on_void_pixels():
    image = np.full((2, 3, 3), 40, np.uint8)
    out = overlay(image, TARGET, PALETTE, alpha=1.0)
    assert out[1, 0].tolist() == [40, 40, 40]  # void
    assert out[0, 1].tolist() == [200, 0, 0]
    half = overlay(image, TARGET, PALETTE, alpha=0.5)
    assert half[0, 1].tolist() == [120, 20, 20]


def test_overlay_undoes_dataset_normalisation():
    rgb = np.array([[[0, 128, 255]] * 3] * 2, dtype=np.uint8)
    normalised = normalize(torch.as_tensor(rgb).permute(2, 0, 1).float() / 255)
    np.testing.assert_array_equal(as_rgb_image(normalised), rgb)
    np.testing.assert_array_equal(overlay(normalised, TARGET, PALETTE, alpha=0.0), rgb)


def test_as_rgb_image_accepts_the_usual_layouts():
    hwc = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    np.testing.assert_array_equal(as_rgb_image(torch.as_tensor(hwc).permute(2, 0, 1)), hwc)
    np.testing.assert_array_equal(as_rgb_image(hwc / 255.0), hwc)
    assert as_rgb_image(np.zeros((4, 5), np.uint8)).shape == (4, 5, 3)
    with pytest.raises(ValueError, match="shape"):
        as_rgb_image(np.zeros((4, 5, 2)))


def test_as_palette_rejects_a_wrong_shape():
    assert as_palette([(0.0, 0.5, 1.0)]).tolist() == [[0, 128, 255]]
    with pytest.raises(ValueError, match=r"\(C, 3\)"):
        as_palette(np.zeros((3, 4)))


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])  # byte codes take PIL's palette path
def test_paint_uses_the_lookup_table_and_opaque_codes(dtype):
    background = np.full((1, 3, 3), 50, np.uint8)
    colors = np.array([(9, 9, 9), (100, 150, 250)], np.uint8)
    codes = np.array([[0, 1, 1]], dtype=dtype)
    out = paint(background, codes, colors, 1.0, opaque=np.array([False, True]))
    assert out[0].tolist() == [[50, 50, 50], [100, 150, 250], [100, 150, 250]]
    np.testing.assert_array_equal(paint(background, codes, colors, 0.3), blend(background, colors[codes], 0.3))


def test_error_map_overall_codes():
    codes = error_map(PRED, TARGET)
    assert codes.dtype == np.uint8
    expected = [
        [ErrorCode.CORRECT, ErrorCode.WRONG, ErrorCode.CORRECT],
        [ErrorCode.IGNORED, ErrorCode.CORRECT, ErrorCode.WRONG],
    ]
    assert codes.tolist() == expected


def test_error_map_per_class_codes():
    codes = error_map(torch.as_tensor(PRED), torch.as_tensor(TARGET), class_id=1)
    expected = [
        [ErrorCode.TRUE_NEGATIVE, ErrorCode.FALSE_NEGATIVE, ErrorCode.TRUE_NEGATIVE],
        [ErrorCode.IGNORED, ErrorCode.TRUE_POSITIVE, ErrorCode.FALSE_NEGATIVE],
    ]
    assert codes.tolist() == expected
    codes = error_map(PRED, TARGET, class_id=2)
    assert codes[0, 1] == ErrorCode.FALSE_POSITIVE and codes[0, 2] == ErrorCode.TRUE_POSITIVE


def test_error_map_respects_another_ignore_index_and_checks_shapes():
    assert error_map(np.array([[0, 0]]), np.array([[0, 9]]), ignore_index=9).tolist() == [[5, 4]]
    with pytest.raises(ValueError, match="must match"):
        error_map(PRED[:1], TARGET)


def test_error_rgb_uses_error_colors():
    rgb = error_rgb(PRED, TARGET)
    assert rgb[0, 0].tolist() == ERROR_COLORS[ErrorCode.CORRECT].tolist()
    assert rgb[0, 1].tolist() == ERROR_COLORS[ErrorCode.WRONG].tolist()
    assert rgb[1, 0].tolist() == ERROR_COLORS[ErrorCode.IGNORED].tolist()
    assert len(ERROR_COLORS) == len(ErrorCode)


def test_panels_wrap_into_rows_no_wider_than_asked_with_their_title_size_recorded():
    panels = {f"panel {i}": np.full((10, 20, 3), 40 * i, np.uint8) for i in range(5)}  # 400 x 200 each at height 200
    one_row = Image.open(io.BytesIO(panels_to_png(panels, height=200, gap=6, max_width=5000)))
    assert one_row.size == (5 * 400 + 4 * 6, 200 + TITLE_PIXELS + 6)
    wrapped = Image.open(io.BytesIO(panels_to_png(panels, height=200, gap=6, max_width=820)))
    assert wrapped.size == (806, 3 * (200 + TITLE_PIXELS + 6) + 2 * 6)  # two, two, one
    assert float(wrapped.text[FONT_KEY]) == TITLE_PIXELS
    pixels = np.asarray(wrapped.convert("RGB"))
    assert (pixels[-100, 100] == 160).all()  # the fifth panel starts the third row
