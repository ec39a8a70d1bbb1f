"""Progress bars: the comparison's bar counts every model's steps and names the one training; epoch bars
say "name: epoch e of E"; the run bar shows each epoch's validation mIoU; the table flags near-chance models."""

import importlib

import numpy as np
import pytest
from tqdm.auto import tqdm

from workbench.engine import TrainConfig, compare, fit, loop, progress
from workbench.engine.progress import CompareBar, RunBar, epoch_desc, run_epochs
from workbench.metrics import NEAR_CHANCE, comparison_table, evaluate


def test_labels_and_epoch_counts():
    assert epoch_desc("unet", 2, 6) == "unet: epoch 2 of 6"
    assert run_epochs(768, 256) == 3 and run_epochs(700, 256) == 3 and run_epochs(10, 256) == 1


def test_compare_bar_counts_the_steps_of_every_model():
    seen = []
    bar = CompareBar(["fcn8s", "unet"], steps_per_model=20)
    log = bar.model_log(0, seen.append)
    assert bar.bar.desc.startswith("model 1 of 2: fcn8s")
    log({"step": 10, "train_loss": 1.0, "lr": 1e-3})
    assert bar.bar.n == 10 and seen == [{"model": "fcn8s", "step": 10, "train_loss": 1.0, "lr": 1e-3}]
    bar.model_done(0, 0.4031)
    log = bar.model_log(1, None)  # no user log: only the bar moves
    assert bar.bar.desc.startswith("model 2 of 2: unet")
    log({"step": 5, "train_loss": 1.0, "lr": 1e-3})
    assert bar.bar.n == 25 and bar.bar.total == 40
    bar.model_done(1, float("nan"))  # diverged: the bar still ends where the model's share ends
    assert bar.bar.n == 40 and bar.results == ["fcn8s 0.403", "unet diverged"]
    bar.close()


def test_run_bar_shows_the_validation_miou():
    bar = RunBar("fcn8s", 3)
    bar.epoch_done({"train_loss": 0.5, "val_miou": 0.3123})
    assert bar.bar.n == 1 and "val mIoU 0.312" in bar.bar.postfix and "train loss 0.500" in bar.bar.postfix
    bar.epoch_done({"train_loss": 0.4})  # an epoch without validation
    assert bar.bar.postfix == "train loss 0.400"
    bar.close()


def test_fit_labels_its_bars_with_the_model(tiny_data, tiny_net, capsys, monkeypatch):
    made = []
    predict = importlib.import_module("workbench.engine.predict")  # the module; the package exports the function
    for module in (progress, loop, predict):  # every place fit's bars can come from
        monkeypatch.setattr(module, "tqdm", lambda *a, **kw: made.append(kw) or tqdm(*a, **kw))
    config = TrainConfig(epochs=2, batch_size=4, device="cpu", progress=True)
    fit(tiny_net(), *tiny_data, config, model_spec={"name": "tiny"})
    err = capsys.readouterr().err
    assert "tiny: epoch 1 of 2" in err and "tiny: epoch 2 of 2" in err and "val mIoU" in err
    shown = [kw for kw in made if not kw.get("disable")]
    assert len(shown) == 2  # the run's two bars, the step bar reused by both epochs: not one bar per epoch


@pytest.mark.slow  # trains two (tiny) models: about 10 s on a 2-core CPU
def test_compare_shows_model_k_of_n(tiny_data, capsys):
    config = TrainConfig(epochs=1, batch_size=4, device="cpu", progress=True)
    compare(["fcn32s", "fcn16s"], *tiny_data, config)
    err = capsys.readouterr().err
    assert "model 1 of 2: fcn32s" in err and "model 2 of 2: fcn16s" in err and "fcn16s: epoch 1 of 1" in err


def test_the_table_flags_a_model_near_chance():
    target = np.array([[[0, 0, 1, 2], [0, 0, 0, 0]]])  # class 0 on most pixels: chance (majority) = 6/8 / 3
    good = evaluate(target, target, num_classes=3)
    bad = evaluate(np.zeros_like(target), target, num_classes=3)  # the majority class everywhere: mIoU = chance
    table = comparison_table({"good": good, "bad": bad})
    assert table["note"].tolist() == ["", NEAR_CHANCE]
    assert NEAR_CHANCE in table.attrs["caption"]
