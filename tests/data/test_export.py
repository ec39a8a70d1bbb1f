"""write_folder: any dataset out as images/ + masks/ + classes.json, read back by SegmentationFolder."""

import pytest
import torch

from workbench.data import DatasetError, SegmentationFolder, create_dataset, denormalize
from workbench.data.export import write_folder


def test_round_trip_through_the_folder_layout(tmp_path):
    drawn = create_dataset("synthetic", "val", num_images=3, image_size=(20, 28), seed=2)
    written = write_folder(drawn, tmp_path, "val", stem="scene{index}")
    assert [p.name for p in written] == ["scene0.png", "scene1.png", "scene2.png"]
    back = SegmentationFolder(tmp_path, "val")
    assert back.classes == drawn.classes and len(back) == 3
    for index in range(3):
        assert torch.equal(back[index][1], drawn[index][1])
        assert (denormalize(back[index][0]) - denormalize(drawn[index][0])).abs().max() <= 0.5 / 255 + 1e-6


def test_unknown_format(tmp_path):
    with pytest.raises(DatasetError, match="'gif'"):
        write_folder(
            create_dataset("synthetic", "val", num_images=1, image_size=8), tmp_path, "val", image_format="gif"
        )
