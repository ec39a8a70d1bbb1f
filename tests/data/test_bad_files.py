"""Files that used to slip through: truncated JPEGs, rotated phone photos, two versions of one image, masks
without images, and images too large to batch."""

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.data import DatasetError, SegmentationFolder, SyntheticShapes, limits, pad_collate


@pytest.fixture
def tree(tmp_path, save_pair):
    """``images/train/{a,b,c}.jpg`` 16 x 12 with their masks, 3 classes (no classes.json)."""
    for i, stem in enumerate("abc"):
        save_pair(
            tmp_path / "images/train" / f"{stem}.jpg", tmp_path / "masks/train" / f"{stem}.png", np.full((12, 16), i)
        )
    return tmp_path


def test_validate_decodes_every_file_and_catches_a_truncated_jpeg(tree, capsys):
    root, jpeg = tree, tree / "images/train/b.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(jpeg)
    Image.fromarray(np.zeros((64, 64), np.uint8), mode="L").save(root / "masks/train/b.png")
    jpeg.write_bytes(jpeg.read_bytes()[: jpeg.stat().st_size // 2])  # the header survives, the pixels do not
    data = SegmentationFolder(root, "train", num_classes=3)
    problems = data.validate()
    assert len(problems) == 1 and "b.jpg" in problems[0] and "truncated" in problems[0]
    assert "3/3" in capsys.readouterr().err  # the tqdm bar went to stderr
    assert data.validate(progress=False) == problems and capsys.readouterr().err == ""


def test_validate_reports_every_problem_of_a_pair(tree, save_pair):
    root = tree
    save_pair(root / "images/train/a.jpg", root / "masks/train/a.png", np.full((10, 16), 7), image_size=(12, 16))
    problems = SegmentationFolder(root, "train", num_classes=3).validate(progress=False)
    assert len(problems) == 2 and "a.png is 16x10" in problems[0] and "{7}" in problems[1]


def test_image_with_jpg_and_png_versions_is_refused(tree, save_pair):
    root = tree
    save_pair(root / "images/train/b.png", root / "masks/train/b.png", np.zeros((12, 16)))
    with pytest.raises(DatasetError, match=r"share a stem.*b.jpg and b.png"):
        SegmentationFolder(root, "train", num_classes=3)


def test_masks_without_images_are_refused(tree):
    root = tree
    (root / "images/train/c.jpg").unlink()
    with pytest.raises(DatasetError, match=r"1 masks in .*masks/train have no image.*: c.png"):
        SegmentationFolder(root, "train", num_classes=3)


def test_rotated_phone_photo_gets_the_exif_hint_not_resize(tree):
    root = tree
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": stored 16 wide x 12 high, shown 12 x 16
    Image.fromarray(np.full((12, 16, 3), 90, np.uint8)).save(root / "images/train/a.jpg", exif=exif)
    Image.fromarray(np.zeros((16, 12), np.uint8), mode="L").save(root / "masks/train/a.png")
    with pytest.raises(DatasetError, match="EXIF orientation 6") as err:
        SegmentationFolder(root, "train", num_classes=3)[0]
    assert "exif_transpose" in str(err.value) and "do not resize" in str(err.value)
    assert "resize it with" not in str(err.value)


def test_transposed_mask_without_exif_says_rotated(tree):
    root = tree
    Image.fromarray(np.zeros((16, 12), np.uint8), mode="L").save(root / "masks/train/a.png")
    with pytest.raises(DatasetError, match="turned by 90 degrees") as err:
        SegmentationFolder(root, "train", num_classes=3)[0]
    assert "no EXIF orientation" in str(err.value)


@pytest.mark.parametrize("real", ["GIF", "TIFF", "JPEG"])
def test_a_mask_named_png_in_another_format_is_refused_naming_it(tree, real):
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(tree / "masks/train/a.png", format=real)
    with pytest.raises(DatasetError, match=rf"a.png: is a {real} file, not PNG as its name says"):
        SegmentationFolder(tree, "train", num_classes=3)[0]
    assert SegmentationFolder(tree, "train", num_classes=3)[1][1].shape == (12, 16)  # a real PNG still reads


def test_a_decompression_bomb_is_one_line_naming_it(tree):
    png = tree / "masks/train/a.png"
    Image.new("1", (20000, 20000)).save(png)  # 400 megapixels, above PIL's own limit; 1 bit per pixel to write
    with pytest.raises(DatasetError, match=r"a.png: .*400000000 pixels") as err:
        SegmentationFolder(tree, "train", num_classes=3)[0]
    assert "\n" not in str(err.value)


def test_an_8000_by_8000_image_is_refused_before_decoding(tree):
    root = tree
    Image.new("1", (8000, 8000)).save(root / "images/train/a.png")  # 1 bit per pixel: small to write
    (root / "images/train/a.jpg").unlink()
    with pytest.raises(DatasetError, match=r"a.png: 8000x8000 \(WxH\) is 64.0 megapixels.*MAX_IMAGE_PIXELS"):
        SegmentationFolder(root, "train", num_classes=3)[0]


def test_the_pixel_limit_can_be_raised(tree, monkeypatch):
    root = tree
    monkeypatch.setattr(limits, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(DatasetError, match="a.jpg: 16x12"):
        SegmentationFolder(root, "train", num_classes=3)[0]
    monkeypatch.setattr(limits, "MAX_IMAGE_PIXELS", 16 * 12)
    assert SegmentationFolder(root, "train", num_classes=3)[0][0].shape == (3, 12, 16)


def test_pad_collate_refuses_a_batch_that_pads_to_gigabytes(monkeypatch):
    tall, wide = (torch.zeros(3, 300, 4), torch.zeros(300, 4)), (torch.zeros(3, 4, 300), torch.zeros(4, 300))
    padded = 2 * 3 * 300 * 300 * 4  # a tall and a wide image pad to one square each
    monkeypatch.setattr(limits, "MAX_BATCH_BYTES", padded - 1)
    with pytest.raises(DatasetError, match=r"2 images padded to 300x300 .* 2.1 MiB.*4x300, 300x4.*crop_size"):
        pad_collate([tall, wide])
    monkeypatch.setattr(limits, "MAX_BATCH_BYTES", padded)
    assert pad_collate([tall, wide])[0].shape == (2, 3, 300, 300)


def test_default_limits_admit_a_cityscapes_batch_and_refuse_8000_squared():
    assert 16 * 3 * 1024 * 2048 * 4 <= limits.MAX_BATCH_BYTES and 2048 * 1024 <= limits.MAX_IMAGE_PIXELS
    assert 8000 * 8000 > limits.MAX_IMAGE_PIXELS


def test_synthetic_size_guard():
    with pytest.raises(DatasetError, match="64.0 megapixels"):
        SyntheticShapes(image_size=8000)
