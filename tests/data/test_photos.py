"""read_photo: a user's picture as a viewer shows it (orientation, transparency, grey), errors naming the file."""

import io

import numpy as np
import pytest
from PIL import Image

from workbench.data import DatasetError, read_photo
from workbench.data.image_io import ORIENTATION_TAG


def _save(img: Image.Image, path, **options):
    img.save(path, **options)
    return path


def test_rgb_jpeg_and_png_bytes_read_alike(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    path = _save(Image.fromarray(pixels), tmp_path / "a.png")
    np.testing.assert_array_equal(read_photo(path), pixels)
    np.testing.assert_array_equal(read_photo(path.read_bytes()), pixels)


def test_transparent_pixels_show_white_and_grey_becomes_three_channels(tmp_path):
    rgba = np.zeros((4, 6, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    rgba[:, :3, 3] = 255  # left half opaque red, right half fully transparent
    photo = read_photo(_save(Image.fromarray(rgba, mode="RGBA"), tmp_path / "t.png"))
    assert photo.shape == (4, 6, 3) and photo.dtype == np.uint8
    assert (photo[:, :3] == (200, 0, 0)).all() and (photo[:, 3:] == 255).all()
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    photo = read_photo(_save(Image.fromarray(grey, mode="L"), tmp_path / "g.png"))
    assert photo.shape == (3, 4, 3) and (photo == grey[..., None]).all()
    deep = Image.fromarray(grey.astype(np.uint16) * 257)  # 16-bit grey: the full range kept
    photo = read_photo(_save(deep, tmp_path / "g16.png"))
    np.testing.assert_array_equal(photo[..., 0], grey)


def test_exif_orientation_is_applied(tmp_path):
    img = Image.fromarray(np.zeros((10, 20, 3), dtype=np.uint8))
    exif = img.getexif()
    exif[ORIENTATION_TAG] = 6  # shown turned by 90 degrees, as a phone stores a portrait
    path = _save(img, tmp_path / "phone.jpg", exif=exif.tobytes())
    assert read_photo(path).shape == (20, 10, 3)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p, "no such file; check the path"),
        (lambda p: (p.mkdir(), p)[1], "is a folder, not a picture"),
        (lambda p: (p.write_text("not a picture"), p)[1], "cannot read this file as an image"),
        (lambda p: (p.write_bytes(_png_bytes()[:60]), p)[1], "cannot read this file as an image"),
    ],
    ids=["missing", "folder", "text", "truncated"],
)
def test_bad_photos_are_one_line_naming_the_file(tmp_path, make, expected):
    path = make(tmp_path / "photo.png")
    with pytest.raises(DatasetError) as err:
        read_photo(path)
    message = str(err.value)
    assert message.startswith(str(path)) and expected in message and "\n" not in message


def test_a_bad_upload_is_named(tmp_path):
    with pytest.raises(DatasetError, match=r"^cat\.jpg: cannot read this file as an image .*Give a JPEG"):
        read_photo(b"<html>", name="cat.jpg")


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()
