"""LiveCurves: one picture per run, replaced in place, from the records fit and compare log."""

import io

import numpy as np
import pytest
from IPython.display import Image as DisplayImage
from PIL import Image

from workbench.data import SyntheticShapes
from workbench.engine import TrainConfig, compare
from workbench.widgets.live_curves import LiveCurves


class RecordingHandle:
    """Stands in for IPython's DisplayHandle: counts how the output was shown and replaced."""

    def __init__(self):
        self.calls = []

    def display(self, obj):
        self.calls.append(("display", obj))

    def update(self, obj):
        self.calls.append(("update", obj))


def epoch_row(epoch, miou, steps_per_epoch=4):
    return {
        "epoch": epoch,
        "step": epoch * steps_per_epoch,
        "train_loss": 1.0 / epoch,
        "lr": 1e-3,
        "images_per_s": 10.0,
        "val_loss": 1.2 / epoch,
        "val_miou": miou,
        "val_pixel_accuracy": 0.5 + miou / 2,
        "time": 1.0 * epoch,
    }


def test_one_display_then_updates_of_the_same_output():
    handle = RecordingHandle()
    curves = LiveCurves(
        ["fcn8s", "unet"],
        epochs=2,
        steps_per_epoch=4,
        chance=0.1,
        chance_factor=1.5,
        min_interval_s=3600,
        handle=handle,
    )
    for model in ("fcn8s", "unet"):
        for epoch in (1, 2):
            curves.log({"model": model, "step": epoch * 4 - 2, "train_loss": 2.0, "lr": 1e-3})  # throttled
            curves.log({"model": model, **epoch_row(epoch, 0.1 * epoch)})
    kinds = [kind for kind, _ in handle.calls]
    assert kinds[0] == "display" and set(kinds[1:]) == {"update"}
    assert curves.redraws == len(kinds) == 5  # the first step record, then the four epoch ends: not every record
    assert all(isinstance(obj, DisplayImage) for _, obj in handle.calls)
    assert Image.open(io.BytesIO(curves.png)).format == "PNG"
    assert curves.status == "unet (model 2 of 2): epoch 2 of 2 done, validation mIoU 0.200"


def test_histories_keep_every_record_at_its_epoch():
    curves = LiveCurves(["fcn8s"], epochs=2, steps_per_epoch=4, min_interval_s=0, handle=RecordingHandle())
    curves.log({"step": 2, "train_loss": 2.5, "lr": 1e-3})  # fit's records carry no model name
    assert curves.status == "fcn8s: epoch 1 of 2"
    curves.log(epoch_row(1, 0.2))
    history = curves.histories["fcn8s"]
    assert history["epoch"].tolist() == [0.5, 1] and history["train_loss"].iloc[0] == 2.5
    assert np.isnan(history["train_loss"].iloc[1])  # the epoch mean is left out beside the step losses
    assert np.isnan(history["val_miou"].iloc[0]) and history["val_miou"].iloc[1] == 0.2


def test_without_step_records_the_epoch_means_are_the_training_loss():
    curves = LiveCurves(["fcn8s"], epochs=2, steps_per_epoch=4, handle=RecordingHandle())
    curves.log(epoch_row(1, 0.2))
    curves.log(epoch_row(2, 0.3))
    assert curves.histories["fcn8s"]["train_loss"].tolist() == [1.0, 0.5]


def test_the_figure_shows_the_chance_lines_and_integer_epochs():
    curves = LiveCurves(
        ["fcn8s"], epochs=5, steps_per_epoch=4, chance=0.11, chance_factor=1.5, handle=RecordingHandle()
    )
    curves.log(epoch_row(1, 0.3))
    miou_ax = curves.figure.axes[0]
    levels = sorted(line.get_ydata()[0] for line in miou_ax.lines if line.get_linestyle() in ("--", ":"))
    assert levels == pytest.approx([0.11, 0.165])
    assert miou_ax.get_xlim() == (0, 5.25) and miou_ax.get_xlabel() == "epoch" and miou_ax.get_ylabel() == "mIoU"
    ticks = [t for t in miou_ax.get_xticks() if 0 <= t <= 5.25]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="steps_per_epoch"):
        LiveCurves(["fcn8s"], epochs=2, steps_per_epoch=0, handle=RecordingHandle())


@pytest.mark.slow  # trains a (tiny) FCN for two epochs: about 10 s on a 2-core CPU
def test_compare_feeds_it():
    train = SyntheticShapes(num_images=8, image_size=(32, 32), seed=1)
    val = SyntheticShapes(num_images=2, image_size=(32, 32), seed=2)
    handle = RecordingHandle()
    curves = LiveCurves(["fcn32s"], epochs=2, steps_per_epoch=2, min_interval_s=3600, handle=handle)
    config = TrainConfig(epochs=2, batch_size=4, device="cpu", progress=False, log_every=1)
    compare(["fcn32s"], train, val, config, encoder="resnet18", log=curves.log)
    history = curves.histories["fcn32s"]
    assert history.dropna(subset=["val_miou"])["epoch"].tolist() == [1, 2]
    assert curves.redraws == 3 and [k for k, _ in handle.calls].count("display") == 1
