"""Encoder weights from a local file the test writes; clear errors for files that do not fit."""

import pytest
import torch
import torchvision
from safetensors.torch import save_file

from workbench.models import cached_imagenet_weights, create_model, read_state_dict


@pytest.fixture(scope="module")
def resnet18_state():
    """A random torchvision resnet18 state dict, classifier head included, as a user would save it."""
    torch.manual_seed(1)
    return {k: v.clone() for k, v in torchvision.models.resnet18(weights=None).state_dict().items()}


def _assert_encoder_equals(encoder, state):
    loaded = encoder.state_dict()
    for key, value in loaded.items():
        assert torch.equal(value, state[key]), key


@pytest.mark.parametrize("name", ["fcn8s", "unet", "pspnet"])
def test_safetensors_file_loads_into_the_encoder(tmp_path, resnet18_state, name):
    path = tmp_path / "resnet18.safetensors"
    save_file(resnet18_state, path)

    model = create_model(name, 3, encoder_weights=path)

    _assert_encoder_equals(model.encoder, resnet18_state)
    if name == "pspnet":  # stages PSPNet never runs were dropped, and their keys skipped
        assert model.dropped_encoder_stages == ("layer3", "layer4")
        assert not hasattr(model.encoder, "layer4")


def test_pth_file_without_head_loads(tmp_path, resnet18_state):
    path = tmp_path / "encoder.pth"
    torch.save({k: v for k, v in resnet18_state.items() if not k.startswith("fc.")}, path)

    model = create_model("deeplabv3plus", 3, encoder_weights=str(path))

    _assert_encoder_equals(model.encoder, resnet18_state)


def test_missing_and_unexpected_keys_name_the_file(tmp_path, resnet18_state):
    state = {("backbone." + k): v for k, v in resnet18_state.items()}
    path = tmp_path / "prefixed.safetensors"
    save_file(state, path)

    with pytest.raises(ValueError, match=r"prefixed\.safetensors.*missing keys, e\.g\. \['conv1\.weight'.*unexpected"):
        create_model("fcn8s", 3, encoder_weights=path)


def test_other_architecture_names_its_extra_keys(tmp_path):
    path = tmp_path / "resnet50.safetensors"
    save_file(torchvision.models.resnet50(weights=None).state_dict(), path)

    with pytest.raises(ValueError, match=r"resnet50\.safetensors: .* \d+ unexpected keys, e\.g\. \['layer1\.0\.bn3"):
        create_model("unet", 3, encoder="resnet18", encoder_weights=path)


def test_wrong_shapes_are_named(tmp_path, resnet18_state):
    state = dict(resnet18_state, **{"conv1.weight": torch.zeros(64, 4, 7, 7)})  # a 4-channel stem
    path = tmp_path / "rgbd.safetensors"
    save_file(state, path)

    with pytest.raises(ValueError, match=r"rgbd\.safetensors: 1 tensor\(s\) of the wrong shape.*conv1\.weight"):
        create_model("fcn8s", 3, encoder_weights=path)


def test_garbage_and_unknown_files(tmp_path):
    garbage = tmp_path / "broken.safetensors"
    garbage.write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match="broken.safetensors: cannot read weights"):
        read_state_dict(garbage)
    wrong_suffix = tmp_path / "weights.bin"
    wrong_suffix.write_bytes(b"")
    with pytest.raises(ValueError, match=r"unknown weights format '\.bin'"):
        create_model("fcn32s", 3, encoder_weights=wrong_suffix)


def test_a_checkpoint_dict_is_not_a_state_dict(tmp_path):
    path = tmp_path / "checkpoint.pt"
    torch.save({"epoch": 3, "model": {"w": torch.zeros(1)}}, path)
    with pytest.raises(ValueError, match=r"checkpoint\.pt: expected a state dict .* found \['epoch', 'model'\]"):
        read_state_dict(path)


@pytest.mark.parametrize("value", ["imagnet", "no/such/file.safetensors", 3])
def test_bad_encoder_weights_value(value):
    with pytest.raises(ValueError, match="neither None, 'imagenet' nor an existing file"):
        create_model("fcn8s", 3, encoder_weights=value)


def test_cached_imagenet_weights_finds_torchvisions_file_offline(tmp_path, monkeypatch, resnet18_state):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    assert cached_imagenet_weights("resnet18") is None  # nothing on the machine, and nothing downloaded
    assert not (tmp_path / "hub").exists()
    path = tmp_path / "hub" / "checkpoints" / "resnet18-f37072fd.pth"  # where torchvision downloads it
    path.parent.mkdir(parents=True)
    torch.save(resnet18_state, path)
    assert cached_imagenet_weights("resnet18") == path
    _assert_encoder_equals(create_model("fcn8s", 3, encoder_weights=path).encoder, resnet18_state)
    with pytest.raises(ValueError, match="'vgg' is not a torchvision model"):
        cached_imagenet_weights("vgg")
