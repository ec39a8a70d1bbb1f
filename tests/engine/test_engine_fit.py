"""fit: the run folder, exact resumption after an interrupt, divergence handling, step budgets."""

import dataclasses
import hashlib
import json

import pandas as pd
import pytest
import torch

from workbench.engine import TrainConfig, TrainingDiverged, fit, load_checkpoint, read_checkpoint_info
from workbench.engine.run_folder import HISTORY_COLUMNS
from workbench.records import read_record

CONFIG = TrainConfig(epochs=3, batch_size=4, lr=0.05, progress=False, log_every=1)


def test_fit_writes_the_whole_run_folder(tmp_path, tiny_data, tiny_net):
    history = fit(tiny_net(), *tiny_data, dataclasses.replace(CONFIG, epochs=2, out_dir=str(tmp_path)))
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "config.json",
        "classes.json",
        "history.csv",
        "scores.json",
        "per_class.csv",
        "per_class.md",
        "last.safetensors",
        "best.safetensors",
        "record.json",
        "confusion.csv",
        "image_stats.npz",
        "per_image.csv",
        "masks",
    } <= names
    assert list(history.columns) == HISTORY_COLUMNS and list(history["epoch"]) == [1, 2]
    assert list(history["step"]) == [2, 4] and history["val_miou"].notna().all()
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "history.csv"), history, check_dtype=False)
    saved = json.loads((tmp_path / "config.json").read_text())
    assert TrainConfig.from_dict(saved["config"]) == dataclasses.replace(CONFIG, epochs=2, out_dir=str(tmp_path))
    assert saved["num_classes"] == 7 and saved["runtime"]["precision"] == "fp32"
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores == json.loads(json.dumps(scores))  # strict JSON: NaN was written as null
    assert scores["miou"] == pytest.approx(history["val_miou"].iloc[-1])
    assert read_checkpoint_info(tmp_path / "last.safetensors")["epoch"] == 2
    record = read_record(tmp_path)  # the run folder is an evaluation record of the final weights
    assert record.source["sha256"] == hashlib.sha256((tmp_path / "last.safetensors").read_bytes()).hexdigest()
    assert record.stems == [f"{i:05d}" for i in range(len(tiny_data[1]))]
    assert record.scores.miou == pytest.approx(history["val_miou"].iloc[-1], abs=1e-12)
    assert record.data["synthetic"] == {"num_images": 4, "image_size": [32, 32], "seed": 2}
    stored = json.loads((tmp_path / "record.json").read_text())["groups"]  # written by fit, not the reader's default
    assert stored == {"labels": record.stems, "sequences": False, "unit": "image"}


def test_resuming_a_finished_run_that_lost_its_record_writes_it(tmp_path, tiny_data, tiny_net):
    config = dataclasses.replace(CONFIG, epochs=1, out_dir=str(tmp_path))
    first = fit(tiny_net(), *tiny_data, config).attrs["scores"]
    (tmp_path / "record.json").unlink()  # as if killed after the last checkpoint, before the record
    again = fit(tiny_net(seed=5), *tiny_data, dataclasses.replace(config, resume=True)).attrs["scores"]
    assert read_record(tmp_path).scores.miou == first.miou == again.miou


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_resume_after_an_interrupt_gives_the_same_weights(tmp_path, tiny_data, tiny_net):
    straight = tiny_net()
    expected = fit(straight, *tiny_data, dataclasses.replace(CONFIG, out_dir=str(tmp_path / "straight")))

    def interrupt_mid_epoch_2(record):
        if record["step"] == 3 and "epoch" not in record:  # one step into epoch 2: its work is lost
            raise KeyboardInterrupt

    run = dataclasses.replace(CONFIG, out_dir=str(tmp_path / "interrupted"))
    with pytest.raises(KeyboardInterrupt):
        fit(tiny_net(), *tiny_data, run, log=interrupt_mid_epoch_2)
    assert read_checkpoint_info(tmp_path / "interrupted" / "last.safetensors")["step"] == 2
    resumed = tiny_net(seed=123)  # other initial weights: the checkpoint must replace them all
    history = fit(resumed, *tiny_data, dataclasses.replace(run, resume=True))
    for key, value in _weights(straight).items():
        assert torch.equal(value, resumed.state_dict()[key]), key
    same = ["epoch", "step", "train_loss", "val_loss", "val_miou", "lr"]
    pd.testing.assert_frame_equal(history[same], expected[same])
    assert len(pd.read_csv(tmp_path / "interrupted" / "history.csv")) == 3


class Poisoned(torch.nn.Module):
    """Returns NaN logits from the ``bad_from``-th training forward on, like a run whose loss explodes."""

    def __init__(self, net, bad_from):
        super().__init__()
        self.net, self.bad_from, self.calls = net, bad_from, 0

    def forward(self, images):
        logits = self.net(images)
        if self.training:
            self.calls += 1
            if self.calls > self.bad_from:
                return logits * float("nan")
        return logits


def test_divergence_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tmp_path, tiny_data, tiny_net):
    model = Poisoned(tiny_net(), bad_from=2)  # epoch 1 (steps 0, 1) is fine, step 2 is NaN
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, *tiny_data, dataclasses.replace(CONFIG, out_dir=str(tmp_path)))
    err = caught.value
    assert err.step == 2 and err.checkpoint == tmp_path / "last.safetensors"
    assert "loss was nan at step 2" in str(err) and "learning rate too high" in str(err) and "resume=True" in str(err)
    assert list(err.history["epoch"]) == [1] and len(pd.read_csv(tmp_path / "history.csv")) == 1
    fresh = Poisoned(tiny_net(seed=5), bad_from=99)
    assert load_checkpoint(err.checkpoint, fresh)["epoch"] == 1
    assert all(torch.isfinite(v).all() for v in fresh.state_dict().values())


def test_max_steps_overrides_epochs_and_wrong_class_count_is_refused(tiny_data, tiny_net):
    history = fit(tiny_net(), *tiny_data, dataclasses.replace(CONFIG, max_steps=3))
    assert list(history["step"]) == [2, 3] and history["lr"].iloc[-1] > 0
    assert history.attrs["scores"].as_dict()["miou"] == pytest.approx(history["val_miou"].iloc[-1])
    with pytest.raises(ValueError, match="predicts 5 classes but the data has 7"):
        fit(tiny_net(num_classes=5), *tiny_data, CONFIG)


def test_bf16_autocast_runs_on_a_cpu_too_and_fp16_asks_for_cuda(tiny_data, tiny_net):
    history = fit(tiny_net(), *tiny_data, dataclasses.replace(CONFIG, epochs=1, precision="bf16", device="cpu"))
    assert history["train_loss"].notna().all() and history["val_miou"].notna().all()
    with pytest.raises(ValueError, match="'fp16' needs a CUDA device"):
        fit(tiny_net(), *tiny_data, dataclasses.replace(CONFIG, precision="fp16", device="cpu"))


@pytest.mark.gpu
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_channels_last_on_cuda(tmp_path, tiny_data, tiny_net, precision):
    config = dataclasses.replace(
        CONFIG, epochs=2, precision=precision, device="cuda", num_workers=1, out_dir=str(tmp_path)
    )
    history = fit(tiny_net(), *tiny_data, config)
    saved = json.loads((tmp_path / "config.json").read_text())["runtime"]
    assert saved["precision"] == precision and saved["channels_last"] is True
    assert history["train_loss"].notna().all() and (tmp_path / "last.safetensors").is_file()
