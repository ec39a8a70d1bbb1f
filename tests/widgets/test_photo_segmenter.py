"""PhotoSegmenter: a simulated upload drives the overlay, legend and shares; a bad upload is named; the snapshot."""

import base64
import datetime
import io

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from workbench.data import Classes
from workbench.widgets import PhotoSegmenter
from workbench.widgets.photo_segmenter import DISPLAY_SIDE

CLASSES = Classes(("sky", "sea"), ((0, 0, 255), (0, 128, 0)))


class Brightness(nn.Module):
    """Class 1 where the normalised red is above the normalised green (red things; not white, grey or black):
    a model whose answer is known."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, images):
        redness = images[:, 0] - images[:, 1]
        return torch.stack([-redness, redness], dim=1)


def upload(name: str, data: bytes) -> tuple[dict, ...]:
    """What ``FileUpload.value`` holds after a person picks one file (ipywidgets 8)."""
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return ({"name": name, "type": "image/png", "size": len(data), "content": memoryview(data), "last_modified": when},)


def png(rgb: np.ndarray, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def segmenter():
    sample = np.zeros((20, 30, 3), np.uint8)
    return PhotoSegmenter(Brightness(), classes=CLASSES, sample=sample, size=16)


def test_the_sample_is_shown_before_any_upload(segmenter):
    assert segmenter.photo_name == "sample image" and segmenter.result.mask.shape == (20, 30)
    assert (segmenter.result.mask == 0).all() and segmenter.shares.loc["sky", "share"] == 1.0
    assert segmenter.overlay.shape == (240, 360, 3)  # shown with the longer side DISPLAY_SIDE
    assert "sky" in segmenter.legend.value and "sea" in segmenter.legend.value


def test_an_upload_is_segmented_at_its_own_size(segmenter):
    photo = np.zeros((40, 100, 4), np.uint8)
    photo[:, :25] = (255, 0, 0, 255)  # a red quarter; the rest transparent, shown on white
    segmenter.upload.value = upload("beach.png", png(photo, "RGBA"))
    result = segmenter.result
    assert segmenter.photo_name == "beach.png" and segmenter.error == ""
    assert result.mask.shape == (40, 100) and result.input_size == (6, 16)  # longer side 16, as asked
    assert (result.photo[:, 60:] == 255).all()  # transparent shows white
    np.testing.assert_allclose(result.shares, np.bincount(result.mask.ravel(), minlength=2) / result.mask.size)
    # a quarter is red; at 16 px wide the column across the edge is a red-white blend, counted red
    assert list(segmenter.shares.index) == ["sky", "sea"] and 0.25 <= segmenter.shares.loc["sea", "share"] < 0.35
    assert "beach.png" in segmenter.status.value and "100 x 40" in segmenter.status.value
    assert max(segmenter.overlay.shape[:2]) == DISPLAY_SIDE
    assert "sea" in segmenter.table.value and "%" in segmenter.table.value


def test_opacity_reblends_without_running_the_model_again(segmenter, monkeypatch):
    photo = np.full((24, 24, 3), 200, np.uint8)
    segmenter.upload.value = upload("grey.png", png(photo))
    monkeypatch.setattr(segmenter.model, "forward", lambda images: pytest.fail("the model ran again"))
    segmenter.alpha.value = 0.0
    np.testing.assert_array_equal(segmenter.overlay, 200)  # opacity 0: the photo alone
    segmenter.alpha.value = 1.0
    colour = CLASSES.colors[int(segmenter.result.mask[0, 0])]
    assert (segmenter.overlay == colour).all()  # opacity 1: the class colour alone


def test_a_bad_upload_says_so_and_keeps_the_last_photo(segmenter):
    segmenter.upload.value = upload("notes.png", b"these are not pixels")
    assert segmenter.error.startswith("notes.png: cannot read this file as an image")
    assert "notes.png" in segmenter.status.value and segmenter.photo_name == "sample image"


def test_the_snapshot_shows_the_overlay_legend_and_shares(segmenter):
    bundle = segmenter.widget.snapshot.bundle()
    picture = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert picture.size[1] > 240 and "sky" in bundle["text/html"] and "share of the photo" in bundle["text/html"]


def test_a_module_without_classes_is_refused():
    with pytest.raises(ValueError, match=r"needs a model and its classes"):
        PhotoSegmenter(Brightness())
