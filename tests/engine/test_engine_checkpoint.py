"""Checkpoints: exact round trip, atomic writes, and clear errors for files that do not fit."""

import os

import pytest
import torch
from torch import nn

from workbench import atomic
from workbench.engine import CheckpointError, load_checkpoint, read_checkpoint_info, save_checkpoint


def _net(num_classes=3, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, num_classes, 1))


def _trained(optimizer_cls, **kw):
    model = _net()
    optimizer = optimizer_cls(model.parameters(), lr=0.1, **kw)
    for _ in range(2):
        loss = model(torch.randn(2, 3, 8, 8)).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, optimizer


@pytest.mark.parametrize("optimizer_cls, kw", [(torch.optim.SGD, {"momentum": 0.9}), (torch.optim.AdamW, {})])
def test_round_trip_restores_weights_buffers_and_optimizer_exactly(tmp_path, optimizer_cls, kw):
    model, optimizer = _trained(optimizer_cls, **kw)
    path = save_checkpoint(
        tmp_path / "last.safetensors",
        model,
        optimizer=optimizer,
        meta={"epoch": 3, "step": 12, "class_names": ["a", "b", "c"], "num_classes": 3},
    )
    fresh = _net(seed=1)
    fresh_opt = optimizer_cls(fresh.parameters(), lr=0.5, **kw)
    info = load_checkpoint(path, fresh, optimizer=fresh_opt, class_names=["a", "b", "c"])
    assert (info["epoch"], info["step"]) == (3, 12)
    for key, value in model.state_dict().items():
        assert torch.equal(value, fresh.state_dict()[key]), key
    want, got = optimizer.state_dict(), fresh_opt.state_dict()
    assert got["param_groups"][0]["lr"] == 0.1
    for index, entries in want["state"].items():
        for key, value in entries.items():
            assert torch.equal(torch.as_tensor(value), torch.as_tensor(got["state"][index][key])), (index, key)


def test_file_is_plain_safetensors_with_json_metadata(tmp_path):
    from safetensors import safe_open

    path = save_checkpoint(tmp_path / "m.safetensors", _net(), meta={"epoch": 1})
    with safe_open(str(path), "pt") as f:
        assert "model/0.weight" in f.keys() and '"epoch": 1' in f.metadata()["workbench"]
    assert read_checkpoint_info(path)["architecture"] == "Sequential"


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "last.safetensors", _net(), meta={"epoch": 1})
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="simulated"):
        save_checkpoint(path, _net(seed=5), meta={"epoch": 2})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["last.safetensors"]


def test_interrupted_rename_leaves_no_partial_file(tmp_path, monkeypatch):
    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(tmp_path / "new.safetensors", _net())
    assert os.listdir(tmp_path) == []


def test_other_number_of_classes_is_a_clear_error(tmp_path):
    path = save_checkpoint(
        tmp_path / "c.safetensors", _net(num_classes=3), meta={"num_classes": 3, "model": {"name": "tiny"}}
    )
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path, _net(num_classes=5))
    text = str(err.value)
    assert str(path) in text and "'tiny'" in text and "3 classes" in text
    assert "3.weight is (3, 8, 1, 1) in the file but (5, 8, 1, 1) in the model" in text


def test_other_architecture_and_other_class_names_are_clear_errors(tmp_path):
    path = save_checkpoint(tmp_path / "c.safetensors", _net(), meta={"class_names": ["sky", "road", "car"]})
    with pytest.raises(CheckpointError, match="weights unknown to the model"):
        load_checkpoint(path, nn.Sequential(nn.Conv2d(3, 3, 1)))
    with pytest.raises(CheckpointError, match=r"trained on classes \['sky', 'road', 'car'\] but the data has"):
        load_checkpoint(path, _net(), class_names=["a", "b", "c"])


def test_missing_and_damaged_files_name_the_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        read_checkpoint_info(tmp_path / "nothing.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(CheckpointError, match="bad.safetensors: not a workbench checkpoint"):
        load_checkpoint(bad, _net())
