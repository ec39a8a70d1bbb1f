"""Budgets in minutes: the plan from a warm-up, the deadline on a throttled run, and the fixed budget kept."""

import dataclasses
import json
import time

import pandas as pd
import pytest
from torch import nn

from workbench.data import SyntheticShapes
from workbench.engine import TrainConfig, fit, lr_at, minutes, read_checkpoint_info
from workbench.engine.minutes import plan_steps, training_note
from workbench.records import read_record

CONFIG = TrainConfig(epochs=40, batch_size=2, lr=0.05, progress=False, log_every=1)


@pytest.fixture(scope="module")
def data():
    """8 + 4 images of 32 x 32: 4 steps an epoch at batch 2, 160 steps in CONFIG's 40 epochs."""
    return SyntheticShapes(num_images=8, image_size=(32, 32), seed=1), SyntheticShapes(
        num_images=4, image_size=(32, 32)
    )


class SlowNet(nn.Module):
    """``net`` whose forward sleeps ``seconds``: a slow step."""

    def __init__(self, net: nn.Module, seconds: float):
        super().__init__()
        self.net, self.seconds = net, seconds

    def forward(self, x):
        time.sleep(self.seconds)
        return self.net(x)


@pytest.fixture
def busy_after_warm_up(monkeypatch):
    """The warm-up measures a fast machine (whatever the load of the machine running the tests), so the plan
    is the whole budget; a ``SlowNet`` then makes every step slow, as a machine that got busy."""
    fast = {"step_seconds": 0.01, "val_batch_seconds": 0.01}
    monkeypatch.setattr(minutes, "measure_speed", lambda *args, **kwargs: fast)


def test_the_plan_is_the_budget_when_it_fits_and_fewer_steps_when_not():
    speed = {"step_seconds": 0.1, "val_batch_seconds": 0.05}
    common = {"steps_per_epoch": 10, "val_batches": 4, "eval_every": 1}
    assert plan_steps(600, speed, budget_steps=100, **common) == 100  # 10 s of steps in 10 minutes
    planned = plan_steps(6, speed, budget_steps=100, **common)  # 5.4 usable seconds
    epochs = -(-planned // 10)
    assert planned < 100 and planned * 0.1 + (epochs + 1) * 4 * 0.05 <= 5.4
    assert plan_steps(0.01, speed, budget_steps=100, warmup_steps=5, **common) == 6  # one step past warm-up


def test_a_run_that_fits_its_minutes_trains_exactly_the_fixed_budget(tmp_path, data, tiny_net):
    fixed = fit(tiny_net(), *data, dataclasses.replace(CONFIG, epochs=2, out_dir=str(tmp_path / "fixed")))
    timed = fit(tiny_net(), *data, dataclasses.replace(CONFIG, epochs=2, minutes=5, out_dir=str(tmp_path / "timed")))
    columns = ["epoch", "step", "train_loss", "val_loss", "val_miou", "lr"]
    # the warm-up trained copies: the same run, up to the rounding of another CPU thread count
    pd.testing.assert_frame_equal(timed[columns], fixed[columns], check_exact=False, rtol=1e-4)
    training = timed.attrs["training"]
    assert training["planned_steps"] == training["budget_steps"] == training["steps"] == 8
    assert not training["stopped_at_deadline"] and "the whole budget fit in 5 min" in training["note"]
    assert fixed.attrs["training"]["note"].endswith("(the fixed budget)")


def test_a_machine_busy_after_the_warm_up_stops_at_the_deadline_and_says_so(
    tmp_path, data, tiny_net, busy_after_warm_up
):
    config = dataclasses.replace(CONFIG, minutes=0.2, out_dir=str(tmp_path))  # 12 seconds
    started = time.perf_counter()
    history = fit(SlowNet(tiny_net(), 0.2), *data, config)
    seconds = time.perf_counter() - started
    training = history.attrs["training"]
    assert seconds < 12 + 4  # the deadline, then one step, the final validation and the record
    assert training["stopped_at_deadline"] and training["steps"] < training["planned_steps"] == 160
    assert f"trained {training['steps']} steps in" in training["note"]
    assert f"fewer than the {training['planned_steps']} planned because the machine got busier" in training["note"]
    assert int(history["step"].iloc[-1]) == training["steps"]  # the cut epoch is the last row
    assert read_checkpoint_info(tmp_path / "last.safetensors")["step"] == training["steps"]
    assert read_record(tmp_path).source["training"]["steps"] == training["steps"]
    plan = json.loads((tmp_path / "config.json").read_text())["plan"]
    assert plan["planned_steps"] == training["planned_steps"] and plan["minutes"] == 0.2


def test_resuming_a_stopped_run_finishes_its_planned_steps_under_the_same_schedule(
    tmp_path, data, tiny_net, busy_after_warm_up
):
    config = dataclasses.replace(CONFIG, minutes=0.2, out_dir=str(tmp_path))
    stopped = fit(SlowNet(tiny_net(), 0.2), *data, config)
    assert stopped.attrs["training"]["stopped_at_deadline"]
    planned = stopped.attrs["training"]["planned_steps"]
    resumed = fit(SlowNet(tiny_net(), 0), *data, dataclasses.replace(config, minutes=5, resume=True))
    assert int(resumed["step"].iloc[-1]) == resumed.attrs["training"]["steps"] == planned
    last_lr = lr_at(planned - 1, base_lr=config.lr, total_steps=planned, power=config.poly_power)
    assert resumed["lr"].iloc[-1] == pytest.approx(last_lr)  # the schedule of the planned steps, to its end


def test_the_note_of_a_run_planned_below_its_budget_names_the_warm_up_speed():
    note = training_note(
        {
            "steps": 410,
            "seconds": 178.0,
            "budget_steps": 768,
            "minutes": 3,
            "planned_steps": 410,
            "step_seconds": 0.39,
            "stopped_at_deadline": False,
            "load": None,
        }
    )
    assert (
        note
        == "trained 410 steps in 3.0 min: 410 of the budget's 768 steps fit in 3 min at the warm-up's 0.39 s a step on this machine"
    )


def test_one_slow_warm_up_step_does_not_plan_the_run():
    """A step slowed once by another program (the first timed one here) is outvoted: the plan uses the median
    of at least WARMUP_MIN_STEPS steps, even when the warm-up's time is spent after the first."""
    import torch

    from workbench.engine.runtime import create_runtime

    class OnceSlow(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.calls = nn.Conv2d(3, 2, 1), 0

        def forward(self, x):
            self.calls += 1
            if self.calls == 2:  # the first timed step (the first call is the untimed one)
                time.sleep(1.0)
            return self.conv(x)

    model, runtime = OnceSlow(), create_runtime(device="cpu")
    batches = [(torch.rand(2, 3, 8, 8), torch.randint(0, 2, (2, 8, 8)))]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = model.conv.weight.detach().clone()
    with minutes.kept_threads():
        torch.set_num_threads(1)  # no thread comparison: the slow step is the first of the timed ones
        speed = minutes.measure_speed(
            model, batches, None, optimizer, nn.CrossEntropyLoss(), runtime=runtime, scaler=runtime.grad_scaler(),
            seconds=0.01,
        )  # fmt: skip
    assert model.calls >= 1 + minutes.WARMUP_MIN_STEPS
    assert speed["step_seconds"] < 0.5, speed  # the median, not the slow step
    assert torch.equal(model.conv.weight, before)  # the warm-up trained a copy
