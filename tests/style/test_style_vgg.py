"""VGG19 weights: from a state-dict file the test writes, from torchvision's cache, or a clear message."""
import pytest
import torch
import torchvision
from safetensors.torch import save_file
from torch import nn

from workbench.style import (
    WeightsNotFoundError, cached_vgg19_path, create_extractor, random_vgg19_features, vgg19_features, vgg19_layers,
)


@pytest.fixture(scope="module")
def torchvision_vgg19():
    """Torchvision's VGG19 with random weights (nothing downloaded), built once: it is 548 MB."""
    return torchvision.models.vgg19(weights=None).eval()


@pytest.fixture(scope="module")
def vgg19_file(torchvision_vgg19, tmp_path_factory):
    """The full state dict as torchvision ships it (``features.*`` and ``classifier.*`` keys)."""
    path = tmp_path_factory.mktemp("weights") / "vgg19-dcbb9e9d.pth"
    torch.save(torchvision_vgg19.state_dict(), path)
    return path


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    """An empty torch hub directory in place of the real one."""
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    return tmp_path


def test_layout_matches_torchvision(torchvision_vgg19):
    ours, theirs = vgg19_layers(), torchvision_vgg19.features
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in theirs.state_dict().items()}


@pytest.mark.slow
def test_loads_torchvision_state_dict_file(vgg19_file, torchvision_vgg19):
    extractor = vgg19_features(vgg19_file)
    assert torch.equal(extractor.body[21].weight, torchvision_vgg19.features[21].weight)  # conv4_2
    assert extractor.trained and str(vgg19_file) in extractor.description
    features = extractor(torch.rand(1, 3, 32, 32))
    assert features["conv4_2"].shape == (1, 512, 4, 4) and features["conv1_1"].shape == (1, 64, 32, 32)


def test_loads_features_only_safetensors(torchvision_vgg19, tmp_path):
    path = tmp_path / "vgg19_features.safetensors"
    save_file({k: v.contiguous() for k, v in torchvision_vgg19.features.state_dict().items()}, path)
    extractor = vgg19_features(path, pooling="avg")
    assert torch.equal(extractor.body[28].bias, torchvision_vgg19.features[28].bias)  # conv5_1
    assert isinstance(extractor.body[4], nn.AvgPool2d)


@pytest.mark.slow
def test_uses_torchvision_cache_when_present(hub_dir, vgg19_file, torchvision_vgg19):
    cached = cached_vgg19_path()
    assert cached == hub_dir / "checkpoints" / "vgg19-dcbb9e9d.pth"
    cached.parent.mkdir()
    cached.symlink_to(vgg19_file)
    extractor = create_extractor()
    assert torch.equal(extractor.body[0].weight, torchvision_vgg19.features[0].weight)
    assert str(cached) in extractor.description


def test_missing_weights_say_what_to_do(hub_dir):
    with pytest.raises(WeightsNotFoundError) as error:
        vgg19_features()
    message = str(error.value)
    assert str(hub_dir / "checkpoints" / "vgg19-dcbb9e9d.pth") in message
    assert "nothing is downloaded" in message and "weights=" in message
    assert "FeatureExtractor(my_cnn)" in message and "random_vgg19_features()" in message
    with pytest.raises(WeightsNotFoundError, match="does not exist"):
        vgg19_features(hub_dir / "nowhere.pth")


def test_create_extractor_falls_back_to_random_only_when_allowed(hub_dir):
    with pytest.raises(WeightsNotFoundError):
        create_extractor()
    with pytest.warns(UserWarning, match="random weights"):
        extractor = create_extractor(allow_random=True)
    assert extractor.trained is False and "conv4_2" in extractor.layers
    cnn = nn.Sequential(nn.Conv2d(3, 2, 1))
    assert create_extractor(cnn).body[0] is cnn[0]


def test_bad_files_name_the_file(tmp_path):
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match=f"Could not read VGG19 weights from {garbage}"):
        vgg19_features(garbage)
    other = tmp_path / "other.pth"
    torch.save(nn.Sequential(nn.Conv2d(3, 2, 1)).state_dict(), other)
    with pytest.raises(ValueError, match="is not a VGG19 state dict"):
        vgg19_features(other)


def test_random_vgg19_is_seeded_and_warns():
    with pytest.warns(UserWarning, match="mechanics of style transfer"):
        a = random_vgg19_features(base_width=2, seed=3)
        b = random_vgg19_features(base_width=2, seed=3)
    assert torch.equal(a.body[0].weight, b.body[0].weight) and a.body[28].out_channels == 16
