"""SyntheticShapes: determinism, classes, colour-blindness of the classes, thin parts, occlusion, void."""

import pickle

import numpy as np
import pytest
import torch
from scipy import ndimage

from workbench.data import SYNTHETIC_CLASSES, SyntheticShapes, create_dataset, normalize, train_transforms
from workbench.data.errors import DatasetError

BAR = SYNTHETIC_CLASSES.names.index("bar")


def scenes(num_images=16, image_size=(64, 64), seed=0):
    data = SyntheticShapes(num_images=num_images, image_size=image_size, seed=seed)
    return [data.scene(i) for i in range(num_images)]


def test_same_seed_same_pixels_in_any_order():
    first = SyntheticShapes(num_images=8, image_size=(48, 48), seed=5)
    second = SyntheticShapes(num_images=8, image_size=(48, 48), seed=5)
    _ = second[6]  # drawing another index first must not change index 3
    for (a_img, a_mask), (b_img, b_mask) in [(first[3], second[3]), (first[0], second[0])]:
        assert torch.equal(a_img, b_img) and torch.equal(a_mask, b_mask)


def test_different_seed_or_index_different_pixels():
    data, other = SyntheticShapes(num_images=4, seed=0), SyntheticShapes(num_images=4, seed=1)
    assert not torch.equal(data[0][0], other[0][0])
    assert not torch.equal(data[0][0], data[1][0])


def test_pickled_copy_draws_the_same_sample():
    # DataLoader workers receive a pickled copy of the dataset
    data = SyntheticShapes(num_images=4, image_size=(32, 40), seed=2)
    clone = pickle.loads(pickle.dumps(data))
    assert torch.equal(data[2][1], clone[2][1])


def test_sample_types_and_normalisation():
    data = SyntheticShapes(num_images=2, image_size=(40, 56))
    image, mask = data[1]
    assert image.shape == (3, 40, 56) and image.dtype == torch.float32
    assert mask.shape == (40, 56) and mask.dtype == torch.int64
    raw = torch.from_numpy(data.scene(1).image).permute(2, 0, 1)
    assert torch.allclose(image, normalize(raw))


def test_at_least_six_classes_with_background_and_all_appear():
    assert SYNTHETIC_CLASSES.num_classes >= 6 and SYNTHETIC_CLASSES.names[0] == "background"
    seen = np.unique(np.concatenate([s.mask.ravel() for s in scenes(24)]))
    assert set(range(SYNTHETIC_CLASSES.num_classes)) | {255} == set(seen.tolist())


def test_colour_does_not_tell_the_class():
    """A per-pixel nearest-mean-colour classifier stays near chance (1/7) in balanced accuracy."""

    def pixels(batch):
        keep = [s.mask != 255 for s in batch]
        return (
            np.concatenate([s.image[k] for s, k in zip(batch, keep)]),
            np.concatenate([s.mask[k] for s, k in zip(batch, keep)]),
        )

    train_x, train_y = pixels(scenes(24, seed=0))
    test_x, test_y = pixels(scenes(24, seed=1))
    num_classes = SYNTHETIC_CLASSES.num_classes
    centroids = np.stack([train_x[train_y == c].mean(0) for c in range(num_classes)])
    preds = np.argmin(((test_x[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    balanced = np.mean([(preds[test_y == c] == c).mean() for c in range(num_classes)])
    assert balanced < 0.3, f"colour alone reaches balanced accuracy {balanced:.2f}"


def test_bars_are_thin():
    """Eroding by 2 px (a 5x5 square) removes nearly all bar pixels at 128x128."""
    batch = scenes(24, image_size=(128, 128))
    bars = [s.mask == BAR for s in batch]
    total = sum(int(b.sum()) for b in bars)
    left = sum(int(ndimage.binary_erosion(b, np.ones((5, 5), bool)).sum()) for b in bars)
    assert total > 500, "too few bar pixels to judge"
    assert left / total < 0.15, f"{left / total:.0%} of bar pixels survive a 2 px erosion"


def test_objects_are_occluded_and_bookkept():
    batch = scenes(16)
    objects = [o for s in batch for o in s.objects]
    assert sum(o.visible < o.area for o in objects) >= 5, "expected several partly hidden objects"
    assert all(0 <= o.visible <= o.area for o in objects)
    for s in batch:  # every labelled foreground pixel belongs to exactly one visible object
        assert sum(o.visible for o in s.objects) == int(((s.mask > 0) & (s.mask != 255)).sum())
        # the instance map tells which object each labelled pixel shows, in agreement with the mask
        shown = s.instances >= 0
        assert (shown == ((s.mask > 0) & (s.mask != 255))).all()
        classes = np.array([o.class_id for o in s.objects])
        assert (classes[s.instances[shown]] == s.mask[shown]).all()
        assert np.bincount(s.instances[shown], minlength=len(s.objects)).tolist() == [o.visible for o in s.objects]


def test_void_outlines_present_but_small():
    batch = scenes(16)
    void_share = np.array([(s.mask == 255).mean() for s in batch])
    assert (void_share > 0).sum() >= 8, "most scenes should have some void pixels"
    assert void_share.max() < 0.1


@pytest.mark.parametrize("size", [(37, 91), (91, 37), (16, 16), (200, 120)])
def test_any_image_size(size):
    data = SyntheticShapes(num_images=3, image_size=size)
    image, mask = data[2]
    assert image.shape == (3, *size) and mask.shape == size
    assert set(mask.unique().tolist()) <= set(range(SYNTHETIC_CLASSES.num_classes)) | {255}
    objects = data.scene(2).objects
    assert all(0.15 * min(size) <= o.size <= 0.40 * min(size) for o in objects)


def test_square_int_size_and_transform():
    data = SyntheticShapes(num_images=2, image_size=50, transform=train_transforms(32))
    image, mask = data[0]
    assert image.shape == (3, 32, 32) and mask.shape == (32, 32)


def test_splits_never_share_samples():
    train, val, test = (
        create_dataset("synthetic", split, num_images=3, image_size=(24, 24)) for split in ("train", "val", "test")
    )
    assert torch.equal(train[0][0], SyntheticShapes(num_images=3, image_size=(24, 24), seed=0)[0][0])
    firsts = [d[i][0] for d in (train, val, test) for i in range(3)]
    assert all(not torch.equal(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1 :])


def test_bad_arguments():
    with pytest.raises(DatasetError, match="image_size"):
        SyntheticShapes(image_size=(4, 64))
    with pytest.raises(IndexError):
        SyntheticShapes(num_images=2)[2]
    with pytest.raises(DatasetError, match="unknown split"):
        create_dataset("synthetic", "holdout")
