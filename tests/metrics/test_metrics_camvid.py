"""Real CamVid masks (480 x 360: d = 12 px, theta = 4.5 px) against the plain reference."""

import metrics_reference as reference
import numpy as np
import pytest
from PIL import Image

from workbench.metrics import SCORE_KEYS, evaluate


@pytest.mark.slow
def test_camvid_masks_match_reference(camvid_root):
    paths = sorted((camvid_root / "masks" / "val").glob("*.png"))[:40:20]
    targets = np.stack([np.array(Image.open(p)) for p in paths])
    preds = np.roll(targets, (3, -5), axis=(1, 2))  # a prediction off by a few pixels...
    preds[:, 200:260, 100:220] = targets[::-1, 200:260, 100:220]  # ...with a region from another frame
    preds[preds == 255] = 0
    scores = evaluate(preds, targets, 11).as_dict()
    want = reference.scores(preds, targets, 11)
    for key in SCORE_KEYS:
        np.testing.assert_allclose(scores[key], want[key], rtol=0, atol=1e-9, err_msg=key)
