"""image_groups: the sampling unit of each image, by dataset (CamVid sequences, Cityscapes cities, groups.csv)."""

import json

import numpy as np
import pytest
from torch.utils.data import Subset

from workbench.data import Cityscapes, DatasetError, ImageGroups, SegmentationFolder, SyntheticShapes, image_groups
from workbench.data.groups import DEFAULT_BLOCK

TWO_CLASSES = {
    "classes": [{"id": 0, "name": "road", "color": [128, 64, 128]}, {"id": 1, "name": "sky", "color": [0, 0, 255]}],
    "ignore_index": 255,
}


@pytest.fixture
def frames(save_pair):
    """``frames(root, stems, classes=None)``: a folder dataset (val) of tiny pairs named ``stems``."""

    def make(root, stems, classes=None):
        for stem in stems:
            save_pair(
                root / "images" / "val" / f"{stem}.png",
                root / "masks" / "val" / f"{stem}.png",
                np.zeros((4, 5), np.uint8),
            )
        (root / "classes.json").write_text(json.dumps(classes or TWO_CLASSES))
        return SegmentationFolder(root, "val")

    return make


def test_camvid_frames_are_grouped_by_sequence_and_are_video(camvid_root):
    groups = image_groups(SegmentationFolder(camvid_root, "train"))
    assert groups.sequences and groups.unit == "sequence" and len(groups) == 367
    assert dict(zip(*np.unique(groups.labels, return_counts=True))) == {"0001TP": 62, "0006R0": 101, "0016E5": 204}
    val = image_groups(SegmentationFolder(camvid_root, "val"))
    assert set(val.labels) == {"0016E5"} and val.block == DEFAULT_BLOCK
    assert val.bootstrap_options() == {"groups": val, "block": DEFAULT_BLOCK}


def test_camvid_is_known_by_its_classes_json_name_or_by_its_stems(tmp_path, frames):
    named = frames(tmp_path / "named", ["seqA_001", "seqA_002", "seqB_001"], {**TWO_CLASSES, "name": "CamVid copy"})
    assert image_groups(named) == ImageGroups(("seqA", "seqA", "seqB"), True, "sequence")
    stems = frames(tmp_path / "stems", ["0001TP_006690", "Seq05VD_f00000", "Seq05VD_f00030"])
    assert image_groups(stems).labels == ("0001TP", "Seq05VD", "Seq05VD") and image_groups(stems).sequences
    plain = frames(tmp_path / "plain", ["0001TP_006690", "street_1"])  # not every stem a CamVid sequence
    assert image_groups(plain) == ImageGroups.each_image(["0001TP_006690", "street_1"])


def test_cityscapes_images_are_grouped_by_city(tmp_path, save_pair):
    for city, frame in (("aachen", 19), ("bad_city", 3), ("aachen", 7), ("bochum", 1)):  # the Cityscapes layout
        stem = f"{city}_000000_{frame:06d}"
        save_pair(
            tmp_path / "leftImg8bit" / "val" / city / f"{stem}_leftImg8bit.png",
            tmp_path / "gtFine" / "val" / city / f"{stem}_gtFine_labelIds.png",
            np.full((2, 3), 7, np.uint8),
        )
    data = Cityscapes(tmp_path, "val")
    groups = image_groups(data)
    assert groups == ImageGroups(("aachen", "aachen", "bad_city", "bochum"), False, "city")
    assert groups.block is None and groups.num_groups == 3
    assert image_groups(Subset(data, [3, 0])).labels == ("bochum", "aachen")


def test_synthetic_and_plain_folders_are_independent_images(tmp_path, frames):
    assert image_groups(SyntheticShapes(3, image_size=16)) == ImageGroups(("00000", "00001", "00002"), False, "image")
    data = frames(tmp_path, ["a", "b"])
    assert image_groups(data) == ImageGroups(("a", "b"), False, "image")
    assert image_groups(data).bootstrap_options() == {"groups": image_groups(data), "block": None}


@pytest.mark.parametrize("header, sequences", [("stem,group", False), ("stem,sequence", True)])
def test_groups_csv_labels_the_images_and_says_whether_they_are_sequences(tmp_path, frames, header, sequences):
    data = frames(tmp_path, ["x1", "x2", "y1"])
    (tmp_path / "groups.csv").write_text(f"{header}\nx2, site B\n\ny1,site A\nx1,site B\nz9,site C\n")
    groups = image_groups(data)
    assert groups == ImageGroups(("site B", "site B", "site A"), sequences, header.split(",")[1])
    assert (groups.block == DEFAULT_BLOCK) is sequences


@pytest.mark.parametrize(
    "text, message",
    [
        ("stem,city\nx1,a\n", r"groups.csv, line 1: header 'stem,city'"),
        ("", r"groups.csv, line 1: header '\(empty file\)'"),
        ("stem,group\nx1,a\nx2\n", r"groups.csv, line 3: 'x2'; each row is 'stem,group'"),
        ("stem,group\nx1,a\nx2,\n", r"groups.csv, line 3: 'x2,'"),
        ("stem,group\nx1,a\nx1,b\nx2,a\n", r"groups.csv, line 3: stem 'x1' is listed twice"),
        ("stem,group\nx1,a\n", r"groups.csv: no group for 1 images of the dataset \(x2\)"),
    ],
)
def test_a_bad_groups_csv_names_the_file_and_line(tmp_path, frames, text, message):
    data = frames(tmp_path, ["x1", "x2"])
    (tmp_path / "groups.csv").write_text(text)
    with pytest.raises(DatasetError, match=message):
        image_groups(data)
