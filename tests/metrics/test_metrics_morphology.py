"""Bands, edges and tolerance discs against scipy's morphology, one label at a time."""

import math

import numpy as np
import pytest
import torch
from scipy import ndimage

from workbench.metrics import bf_tolerance, boundary_width, dilate, disc_offsets, inner_band, label_edges

SQUARE = np.ones((3, 3), dtype=bool)


def label_maps(seed, count=20):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        height, width = rng.integers(1, 24, 2)
        labels = rng.integers(0, rng.integers(1, 4), (height, width))
        if rng.random() < 0.5:  # blocky maps as well as noise
            labels = np.kron(labels, np.ones((3, 3), dtype=np.int64))[:height, :width]
        yield labels, int(rng.integers(1, 6))


def per_label(labels, fn):
    out = np.zeros(labels.shape, dtype=bool)
    for label in np.unique(labels):
        out |= fn(labels == label)
    return out


def test_inner_band_is_the_eroded_ring_of_each_mask():
    for labels, d in label_maps(0):
        want = per_label(labels, lambda m, d=d: m & ~ndimage.binary_erosion(m, SQUARE, iterations=d, border_value=0))
        got = inner_band(labels, d)
        assert isinstance(got, np.ndarray) and got.dtype == bool
        np.testing.assert_array_equal(got, want)


def test_label_edges_with_and_without_the_frame():
    for labels, _ in label_maps(1):
        batch = torch.as_tensor(labels)[None]
        for frame, border in ((False, 1), (True, 0)):
            want = per_label(
                labels, lambda m, border=border: m & ~ndimage.binary_erosion(m, SQUARE, border_value=border)
            )
            np.testing.assert_array_equal(label_edges(batch, frame_is_edge=frame)[0].numpy(), want)


def test_dilate_is_a_square_dilation():
    rng = np.random.default_rng(2)
    mask = rng.random((3, 19, 26)) < 0.03
    for radius in (0, 1, 2, 5, 30):
        want = np.stack([ndimage.binary_dilation(m, np.ones((2 * radius + 1,) * 2, bool)) for m in mask])
        np.testing.assert_array_equal(dilate(torch.as_tensor(mask), radius).numpy(), want)


def test_inner_band_keeps_the_input_kind_and_shape():
    labels = torch.zeros(2, 5, 7, dtype=torch.long)
    band = inner_band(labels, 1)
    assert isinstance(band, torch.Tensor) and band.shape == (2, 5, 7)
    assert band[0, 0].all() and not band[0, 2, 3]  # frame ring only
    with pytest.raises(ValueError, match="integer >= 1"):
        inner_band(labels, 0)


def test_tolerances_follow_the_diagonal():
    assert boundary_width(360, 480) == 12  # 0.02 * 600
    assert boundary_width(10, 10) == 1  # never below one pixel
    assert bf_tolerance(360, 480) == pytest.approx(4.5)


def test_disc_offsets_are_the_integer_points_within_theta():
    assert disc_offsets(0.5) == [(0, 0)]
    assert len(disc_offsets(1.0)) == 5 and len(disc_offsets(1.5)) == 9
    offsets = disc_offsets(4.5)
    assert offsets[0] == (0, 0)
    assert len(offsets) == sum(1 for y in range(-5, 6) for x in range(-5, 6) if math.hypot(y, x) <= 4.5)


def test_bf_matching_by_bit_sets_equals_matching_by_labels():
    """The fast path (label bit sets, < 63 classes) and the general one (one gather per offset) agree."""
    from workbench.metrics.boundary import _match_by_bits, _match_by_labels

    rng = np.random.default_rng(5)
    reach, num_classes, (n, height, width) = 4, 40, (2, 30, 41)
    labels = rng.integers(0, num_classes, (n, height, width))
    sparse = np.where(rng.random((n, height, width)) < 0.1, labels, num_classes)  # 10% boundary pixels
    other = torch.nn.functional.pad(torch.as_tensor(sparse), (reach,) * 4, value=num_classes)
    plane_h, plane_w = other.shape[-2:]
    inside = torch.zeros(other.shape, dtype=torch.bool)
    inside[:, reach:-reach, reach:-reach] = True
    where = torch.nonzero(inside.flatten()).squeeze(1)  # every pixel of every image asks
    labels = torch.as_tensor(rng.integers(0, num_classes, len(where)))
    start = reach * plane_w + reach
    args = (other, (where - start).int(), labels, disc_offsets(4.5), start, num_classes)
    by_bits, by_labels = _match_by_bits(*args), _match_by_labels(*args)
    assert torch.equal(by_bits, by_labels) and 0 < int(by_bits.sum()) < len(where)
