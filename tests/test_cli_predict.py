"""`workbench predict`: masks, overlays, legend and summary for photos of any size; bad photos named."""

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from workbench.cli import main
from workbench.data import Classes, SyntheticShapes, normalize_array
from workbench.engine import load_model
from workbench.widgets import PhotoSegmenter

SIZE = 32  # the tiny run's training images


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One epoch of fcn32s on 8 synthetic 32 x 32 images through `workbench train`."""
    run = tmp_path_factory.mktemp("predict") / "run"
    args = ["train", "--model", "fcn32s", "--num-images", "8", "--val-images", "4", "--image-size", str(SIZE)]
    assert main([*args, "--epochs", "1", "--batch-size", "4", "--out", str(run), "--no-progress"]) == 0
    return run


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A scene at the training size (PNG), the same scene 3x larger (JPEG), a transparent and a grey picture."""
    folder = tmp_path_factory.mktemp("photos")
    scene = (SyntheticShapes(num_images=1, image_size=SIZE, seed=5).read_sample(0)[0] * 255).round()
    scene = scene.astype(np.uint8)
    Image.fromarray(scene).save(folder / "scene.png")
    Image.fromarray(scene).resize((3 * SIZE, 3 * SIZE)).save(folder / "large.jpg", quality=95)
    rgba = np.dstack([scene[:20, :27], np.full((20, 27), 128, np.uint8)])
    Image.fromarray(rgba, mode="RGBA").save(folder / "clear.png")
    Image.fromarray(scene[:17, :, 1]).save(folder / "grey.png")
    return folder, scene


@pytest.mark.slow
def test_predict_writes_masks_overlays_legend_and_summary(tiny_run, photos, tmp_path, capsys):
    folder, scene = photos
    names = ["scene.png", "large.jpg", "clear.png", "grey.png"]
    out = tmp_path / "out"
    rc = main(
        ["predict", "--weights", str(tiny_run / "best.safetensors"), *(str(folder / n) for n in names)]
        + ["--out", str(out), "--device", "cpu"]
    )
    printed = capsys.readouterr().out
    assert rc == 0 and "4 photo(s) segmented (longer side 32 px for the model)" in printed
    classes = Classes.from_json(tiny_run / "classes.json")
    summary = pd.read_csv(out / "summary.csv").set_index("photo")
    for name, shape in zip(names, [(32, 32), (96, 96), (20, 27), (17, 32)]):
        mask = Image.open(out / "masks" / f"{name.split('.')[0]}.png")
        assert mask.mode == "P" and mask.size == shape[::-1]  # the photo's own size
        palette = np.asarray(mask.getpalette()[: 3 * classes.num_classes]).reshape(-1, 3)
        np.testing.assert_array_equal(palette, classes.palette())  # the workbench's class colours
        ids = np.asarray(mask)
        assert ids.max() < classes.num_classes
        overlay = Image.open(out / "overlays" / f"{name.split('.')[0]}.png")
        assert overlay.mode == "RGB" and overlay.size == shape[::-1]
        row = summary.loc[str(folder / name)]
        shares = row[[f"share_{c}" for c in classes.names]].to_numpy(float)
        assert (row["height"], row["width"]) == shape and max(row["model_height"], row["model_width"]) == SIZE
        np.testing.assert_allclose(
            shares, np.bincount(ids.ravel(), minlength=classes.num_classes) / ids.size, atol=1e-6
        )
    assert Image.open(out / "legend.png").size[1] > 50
    # At the training size the mask is the model's own argmax, pixel for pixel.
    model = load_model(tiny_run / "best.safetensors")
    with torch.no_grad():
        expected = model(torch.from_numpy(normalize_array(scene / np.float32(255)))[None])[0].argmax(0).numpy()
    np.testing.assert_array_equal(np.asarray(Image.open(out / "masks" / "scene.png")), expected)
    # The widget takes the same run folder and gives the same mask.
    segmenter = PhotoSegmenter(tiny_run / "best.safetensors", sample=folder / "large.jpg")
    assert segmenter.size == SIZE and segmenter.classes == classes
    np.testing.assert_array_equal(segmenter.result.mask, np.asarray(Image.open(out / "masks" / "large.png")))


@pytest.mark.slow
def test_bad_photos_get_one_line_each_and_the_good_ones_are_still_written(tiny_run, photos, tmp_path, capsys):
    folder, _ = photos
    (tmp_path / "notes.jpg").write_text("not a picture")
    (tmp_path / "album").mkdir()
    bad = [tmp_path / "notes.jpg", tmp_path / "album", tmp_path / "missing.png"]
    out = tmp_path / "out"
    rc = main(
        [
            "predict",
            "--weights",
            str(tiny_run / "best.safetensors"),
            str(folder / "scene.png"),
            *map(str, bad),
            "--out",
            str(out),
            "--device",
            "cpu",
        ]
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(lines) == 3
    for line, path, what in zip(lines, bad, ["cannot read this file as an image", "is a folder", "no such file"]):
        assert line.startswith(f"workbench predict: error: {path}: {what}")
    assert (out / "masks" / "scene.png").is_file() and len(pd.read_csv(out / "summary.csv")) == 1


def test_two_photos_with_one_name_and_bad_weights_are_refused(photos, tmp_path, capsys):
    folder, _ = photos
    (tmp_path / "scene.jpg").write_bytes((folder / "large.jpg").read_bytes())
    rc = main(
        [
            "predict",
            "--weights",
            str(tmp_path / "best.safetensors"),
            str(folder / "scene.png"),
            str(tmp_path / "scene.jpg"),
        ]
    )
    assert rc == 2 and "would both be written as scene.png; rename one" in capsys.readouterr().err
    rc = main(["predict", "--weights", str(tmp_path / "best.safetensors"), str(folder / "scene.png")])
    assert rc == 2 and "no such checkpoint file" in capsys.readouterr().err
