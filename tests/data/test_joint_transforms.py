"""Joint transforms keep image and mask aligned; crops pad masks with 255; colour jitter spares masks."""

import pytest
import torch

from workbench.data import (
    ColorJitter,
    Compose,
    RandomCrop,
    RandomHorizontalFlip,
    RandomScale,
    Resize,
    eval_transforms,
    train_transforms,
)


def encoded_pair(height=48, width=64, block=12, seed=0):
    """A mask of random class blocks and an image whose channels (v, v^2, 0.5) encode the class as v = c/10.

    A bilinear blend of two different codes never satisfies ch1 = ch0^2, so a pixel that does was not
    blended: its mask value must be exactly round(10 ch0).
    """
    gen = torch.Generator().manual_seed(seed)
    blocks = torch.randint(0, 7, (height // block + 1, width // block + 1), generator=gen)
    mask = blocks.repeat_interleave(block, 0).repeat_interleave(block, 1)[:height, :width]
    value = mask.float() / 10
    return torch.stack([value, value**2, torch.full_like(value, 0.5)]), mask


def assert_aligned(image, mask):
    clean = ((image[1] - image[0] ** 2).abs() < 1e-4) & (mask != 255) & ((image[2] - 0.5).abs() < 1e-4)
    share = clean.sum() / (mask != 255).sum().clamp(min=1)
    assert share > 0.3, f"only {share:.0%} of labelled pixels are unblended: too few to check alignment"
    assert torch.equal((image[0][clean] * 10).round().long(), mask[clean])


@pytest.mark.parametrize("seed", range(6))
def test_train_transforms_keep_alignment(seed):
    torch.manual_seed(seed)
    image, mask = train_transforms(40, jitter=0.0)(*encoded_pair(seed=seed))
    assert image.shape == (3, 40, 40) and mask.shape == (40, 40)
    assert_aligned(image, mask)


@pytest.mark.parametrize("factor", [0.5, 0.75, 1.6, 2.0])
def test_scale_keeps_alignment_and_mask_values(factor):
    image, mask = RandomScale((factor, factor))(*encoded_pair())
    assert tuple(mask.shape) == (round(48 * factor), round(64 * factor))
    assert mask.dtype == torch.int64 and set(mask.unique().tolist()) <= set(range(7))
    assert_aligned(image, mask)


def test_crop_pads_image_with_zero_and_mask_with_255():
    image, mask = torch.rand(3, 20, 24), torch.randint(0, 5, (20, 24))
    out_image, out_mask = RandomCrop((32, 30))(image, mask)
    assert out_image.shape == (3, 32, 30) and out_mask.shape == (32, 30)
    assert torch.equal(out_mask[:20, :24], mask) and torch.equal(out_image[:, :20, :24], image)
    assert (out_mask[20:] == 255).all() and (out_mask[:, 24:] == 255).all()
    assert (out_image[:, 20:] == 0).all() and int((out_mask == 255).sum()) == 32 * 30 - 20 * 24


def test_crop_is_a_window_of_the_input():
    torch.manual_seed(1)
    image, mask = encoded_pair()
    out_image, out_mask = RandomCrop(16)(image, mask)
    windows = [
        (top, left)
        for top in range(48 - 15)
        for left in range(64 - 15)
        if torch.equal(mask[top : top + 16, left : left + 16], out_mask)
        and torch.equal(image[:, top : top + 16, left : left + 16], out_image)
    ]
    assert windows, "the crop matches no 16x16 window of the input with image and mask together"


def test_flip_moves_both():
    image, mask = encoded_pair()
    out_image, out_mask = RandomHorizontalFlip(p=1.0)(image, mask)
    assert torch.equal(out_mask, mask.flip(-1)) and torch.equal(out_image, image.flip(-1))
    assert RandomHorizontalFlip(p=0.0)(image, mask)[1] is mask


def test_color_jitter_changes_image_only():
    torch.manual_seed(0)
    image, mask = torch.rand(3, 16, 16), torch.randint(0, 3, (16, 16))
    out_image, out_mask = ColorJitter(0.4, 0.4, 0.4)(image, mask)
    assert out_mask is mask and not torch.allclose(out_image, image)
    assert out_image.min() >= 0 and out_image.max() <= 1


def test_resize_int_is_shorter_side():
    image, mask = Resize(24)(*encoded_pair())
    assert image.shape == (3, 24, 32) and mask.shape == (24, 32)
    assert Resize((10, 12))(*encoded_pair())[1].shape == (10, 12)


def test_reproducible_from_torch_seed_and_eval_is_identity():
    pair = encoded_pair()
    torch.manual_seed(3)
    first = train_transforms(32)(*pair)
    torch.manual_seed(3)
    second = train_transforms(32)(*pair)
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    image, mask = eval_transforms()(*pair)
    assert image is pair[0] and mask is pair[1]
    assert isinstance(train_transforms(8, scale=None, hflip=False, jitter=0), Compose)
