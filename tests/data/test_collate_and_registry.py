"""pad_collate, the dataset registry and ImageNet normalisation."""

import pytest
import torch
from torch.utils.data import DataLoader

from workbench.data import (
    IMAGENET_MEAN,
    DatasetError,
    SyntheticShapes,
    create_dataset,
    denormalize,
    list_datasets,
    normalize,
    pad_collate,
    register_dataset,
)


def test_pad_collate_pads_to_largest():
    batch = [
        (torch.ones(3, 4, 6), torch.zeros(4, 6, dtype=torch.int64)),
        (torch.ones(3, 7, 5), torch.ones(7, 5, dtype=torch.int64)),
    ]
    images, masks = pad_collate(batch)
    assert images.shape == (2, 3, 7, 6) and masks.shape == (2, 7, 6) and masks.dtype == torch.int64
    assert (images[0, :, :4, :6] == 1).all() and (images[0, :, 4:] == 0).all()
    assert (masks[0, 4:] == 255).all() and (masks[1, :, 5:] == 255).all() and (masks[1, :7, :5] == 1).all()


def test_pad_collate_in_a_dataloader():
    sizes = [(20, 30), (26, 18)]
    data = [SyntheticShapes(num_images=1, image_size=s)[0] for s in sizes]
    images, masks = next(iter(DataLoader(data, batch_size=2, collate_fn=pad_collate)))
    assert images.shape == (2, 3, 26, 30) and masks.shape == (2, 26, 30)
    assert torch.equal(masks[0, :20, :30], data[0][1]) and (masks[0, 20:] == 255).all()


def test_pad_collate_rejects_mismatch():
    with pytest.raises(ValueError, match="differ"):
        pad_collate([(torch.zeros(3, 4, 4), torch.zeros(4, 5, dtype=torch.int64))])


def test_registry_names_and_errors(tmp_path):
    assert "synthetic" in list_datasets() and list_datasets("syn*") == ["synthetic"]
    with pytest.raises(DatasetError) as err:
        create_dataset("cityscapes", "train")
    assert "synthetic" in str(err.value) and "folder" in str(err.value)
    with pytest.raises(ValueError, match="already registered"):
        register_dataset("synthetic")(lambda split, **kw: None)


def test_create_synthetic_passes_options():
    data = create_dataset("synthetic", "val", num_images=5, image_size=(20, 22), seed=2)
    assert isinstance(data, SyntheticShapes) and len(data) == 5 and data[0][1].shape == (20, 22)
    assert data.seed == 3 * 2 + 1


def test_normalize_round_trip():
    images = torch.rand(2, 3, 5, 6)
    assert torch.allclose(denormalize(normalize(images)), images, atol=1e-6)
    mean_colour = torch.tensor(IMAGENET_MEAN).view(3, 1, 1).expand(3, 2, 2)
    assert torch.allclose(normalize(mean_colour), torch.zeros(3, 2, 2), atol=1e-6)
    assert denormalize(torch.full((3, 2, 2), 50.0)).max() == 1.0
