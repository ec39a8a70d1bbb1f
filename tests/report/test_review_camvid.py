"""The review of a record on CamVid val (101 frames of one video sequence): intervals over moving blocks of
frames, the scores per sequence, and the sentence that one sequence cannot show the variation between them.

The predictions are a location prior (the per-pixel majority class of the CamVid train masks), a baseline
that needs no model; what matters here is how the frames were sampled, not how good the predictions are.
"""

import numpy as np
import pytest
from PIL import Image

from workbench.data import SegmentationFolder, data_stems, data_target
from workbench.engine import score_predictions
from workbench.report import write_review


@pytest.fixture(scope="module")
def camvid_prior(camvid_root, tmp_path_factory):
    train, val = SegmentationFolder(camvid_root, "train"), SegmentationFolder(camvid_root, "val")
    votes = np.zeros((11, *data_target(train, 0).shape), dtype=np.int32)
    for i in range(len(train)):
        target = data_target(train, i)
        for c in range(11):
            votes[c] += target == c
    prior = votes.argmax(0).astype(np.uint8)
    preds = tmp_path_factory.mktemp("camvid") / "prior"
    preds.mkdir()
    for stem in data_stems(val):
        Image.fromarray(prior).save(preds / f"{stem}.png")
    return score_predictions(preds, val, preds.parent / "record", workers=1)


def test_camvid_intervals_resample_blocks_of_frames_and_name_the_sequence(camvid_prior, tmp_path):
    record = camvid_prior
    assert record.groups.sequences and set(record.groups.labels) == {"0016E5"}
    blocks = record.scores.bootstrap(**record.groups.bootstrap_options())
    images = record.scores.bootstrap()
    assert blocks.attrs["method"] == (
        "circular moving-block percentile bootstrap, blocks of 10 frames within one sequence"
    )
    width = lambda table: table.loc["miou", "high"] - table.loc["miou", "low"]  # noqa: E731
    assert width(blocks) > 1.3 * width(images)  # frames of one video are not independent draws
    page = write_review(record.path, tmp_path / "review.html").read_text()
    assert "moving-block percentile bootstrap, blocks of 10 frames within one sequence" in page
    assert "With 1 sequence the variation between sequences cannot be estimated" in page
    assert "0016E5" in page  # the scores per sequence
