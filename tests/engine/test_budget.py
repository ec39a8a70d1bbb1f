"""choose_budget: a preset picked from the device, the caller's values on top, sizes only for generated data."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.data import DatasetError, SyntheticShapes
from workbench.engine import budget as budget_module
from workbench.engine.budget import BUDGETS, choose_budget, list_budgets
from workbench.engine.config import DEMO_CONFIG, DEMO_DATA
from workbench.engine.loaders import create_train_loader, train_steps_per_epoch
from workbench.engine.memory_cache import MemoryCache


def test_auto_follows_the_device(monkeypatch):
    assert choose_budget("auto", device="cpu").name == "cpu"
    monkeypatch.setattr(budget_module, "resolve_device", lambda device: torch.device("cuda:0"))
    assert choose_budget("auto", device="auto").name == "gpu"


def test_the_gpu_budget_is_larger_than_the_cpu_one():
    cpu, gpu = BUDGETS.get("cpu"), BUDGETS.get("gpu")

    def pixels(b):  # pixels seen in training
        return b.image_size[0] * b.image_size[1] * b.num_images * b.epochs

    assert pixels(gpu) > 4 * pixels(cpu) and gpu.batch_size >= cpu.batch_size


def test_explicit_values_win_and_are_listed():
    chosen = choose_budget("cpu", image_size="48", num_images=16, epochs=2, batch_size=4, lr=1e-3)
    assert (chosen.image_size, chosen.num_images, chosen.epochs, chosen.batch_size, chosen.lr) == (
        (48, 48),
        16,
        2,
        4,
        1e-3,
    )
    assert chosen.explicit == ("image_size", "num_images", "epochs", "batch_size", "lr")
    assert chosen.val_images == BUDGETS.get("cpu").val_images  # not given: the preset's
    assert choose_budget("cpu").explicit == ()


def test_a_minimum_size_raises_the_presets_images_but_not_the_callers():
    assert choose_budget("cpu", min_size=96).image_size == (96, 96)  # the CPU preset's 64 raised
    assert choose_budget("gpu", min_size=96).image_size == BUDGETS.get("gpu").image_size  # already larger
    assert choose_budget("cpu", image_size=32, min_size=96).image_size == (32, 32)  # the caller's wins
    assert choose_budget("cpu", min_size=96).explicit == ()


@pytest.mark.parametrize(
    "num_samples, batch_size, world_size", [(10, 4, 1), (3, 4, 1), (16, 4, 1), (10, 2, 3), (5, 8, 2)]
)
def test_steps_per_epoch_is_the_loaders_length(num_samples, batch_size, world_size):
    data = SyntheticShapes(num_images=num_samples, image_size=(8, 8))
    loader = create_train_loader(data, batch_size=batch_size, seed=0, rank=0, world_size=world_size)
    assert train_steps_per_epoch(num_samples, batch_size, world_size) == len(loader) == len(list(loader))


def test_train_config_carries_the_budget():
    chosen = choose_budget("cpu", epochs=2, batch_size=4)
    config = chosen.train_config(device="cpu", out_dir=None)
    assert (config.epochs, config.batch_size, config.lr, config.optimizer, config.loss) == (
        2,
        4,
        chosen.lr,
        "adamw",
        chosen.loss,
    )
    assert chosen.steps_per_epoch(10) == 2 and chosen.steps_per_epoch(3) == 1  # as the loader: last batch dropped
    assert chosen.steps_per_epoch() == chosen.num_images // 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"budget": "laptop"}, "not one of"),
        ({"epochs": 0}, "positive"),
        ({"batch_size": 2.5}, "positive"),
        ({"lr": "fast"}, "not a number"),
        ({"num_images": 0}, "at least one image"),
    ],
)
def test_bad_values_are_refused_with_the_value_named(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        choose_budget(**{"budget": "cpu", **kwargs})
    assert repr(next(iter(kwargs.values()))) in str(err.value) or str(next(iter(kwargs.values()))) in str(err.value)


def test_generated_data_gets_the_budget_sizes_and_is_cached():
    train, val = choose_budget("cpu", image_size=24, num_images=6, val_images=3).create_splits("synthetic")
    assert isinstance(train, MemoryCache) and isinstance(val, MemoryCache)
    assert (len(train), len(val)) == (6, 3) and tuple(train[0][1].shape) == (24, 24)


def test_random_crops_are_not_cached():
    train, _ = choose_budget("cpu", image_size=24, num_images=4, val_images=2).create_splits("synthetic", crop_size=16)
    assert not isinstance(train, MemoryCache) and tuple(train[0][1].shape) == (16, 16)


@pytest.fixture
def tiny_folder(tmp_path):
    """A SegmentationFolder tree: 3 train and 2 val pairs of 10 x 14, two classes."""
    for split, count in (("train", 3), ("val", 2)):
        for i in range(count):
            for kind, array in (
                ("images", np.full((10, 14, 3), 90, np.uint8)),
                ("masks", np.eye(10, 14, dtype=np.uint8)),
            ):
                path = tmp_path / kind / split / f"{split}{i}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(array).save(path)
    classes = [{"id": 0, "name": "floor", "color": [0, 0, 0]}, {"id": 1, "name": "line", "color": [255, 0, 0]}]
    (tmp_path / "classes.json").write_text(json.dumps({"classes": classes, "ignore_index": 255}))
    return tmp_path


def test_a_folder_keeps_its_sizes_unless_counts_are_given(tiny_folder):
    train, val = choose_budget("cpu", image_size=24).create_splits(tiny_folder)
    assert not isinstance(train, MemoryCache) and (len(train), len(val)) == (3, 2)
    assert tuple(train[0][1].shape) == (10, 14)  # its own size, not the budget's
    train, val = choose_budget("cpu", num_images=1).create_splits(tiny_folder)
    assert (len(train), len(val)) == (1, 2)


def test_describe_names_the_preset_and_the_callers_choices():
    text = choose_budget("cpu", epochs=2).describe()
    assert "for a CPU" in text and "yours: epochs" in text and "2 epochs" in text
    assert "images of" not in choose_budget("cpu").describe(data="/some/folder")


def test_list_budgets():
    assert list_budgets() == ["auto", "cpu", "gpu"]
    with pytest.raises(DatasetError):
        choose_budget("cpu", image_size="big")


def test_the_cpu_budget_is_the_demo_budget():
    cpu = choose_budget("cpu")
    assert {"num_images": cpu.num_images, "val_images": cpu.val_images, "image_size": cpu.image_size} == DEMO_DATA
    assert cpu.train_config() == DEMO_CONFIG  # make demo and the notebooks on a CPU train the same runs
