"""VGG19 weights: from a state-dict file the test writes, from torchvision's cache, or a clear message."""

import shutil

import pytest
import torch
import torchvision
from safetensors.torch import save_file
from torch import nn

from workbench.style import (
    TextureFeatures,
    WeightsNotFoundError,
    cached_vgg19_path,
    create_extractor,
    random_vgg19_features,
    vgg19_features,
    vgg19_layers,
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
    assert "nothing is downloaded unless asked" in message and "weights='download'" in message and "548 MB" in message
    assert "FeatureExtractor(my_cnn)" in message and "random_vgg19_features()" in message
    with pytest.raises(WeightsNotFoundError, match="does not exist"):
        vgg19_features(hub_dir / "nowhere.pth")


def test_create_extractor_falls_back_to_random_only_when_allowed(hub_dir):
    with pytest.raises(WeightsNotFoundError):
        create_extractor()
    extractor = create_extractor(allow_random=True)  # random multi-scale filters: they transfer texture
    assert isinstance(extractor, TextureFeatures) and extractor.trained is False
    assert "Ustyuzhaninov" in extractor.description and extractor.config_defaults["content_layer"] == "scale2"
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


@pytest.fixture(scope="module")
def small_vgg19_file(tmp_path_factory):
    """A VGG19 state dict in half precision (40 MB instead of 80): what the download would write."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("download") / "vgg19-dcbb9e9d.pth"
    torch.save({f"features.{k}": v.half() for k, v in vgg19_layers().state_dict().items()}, path)
    return path


def test_download_is_opt_in_fills_torchs_cache_once_and_states_the_size(hub_dir, small_vgg19_file, monkeypatch, capsys):
    calls = []

    def fake_download(url, dst, hash_prefix=None, progress=True):  # no network: the test fills the cache
        calls.append((url, hash_prefix))
        shutil.copy(small_vgg19_file, dst)

    monkeypatch.setattr(torch.hub, "download_url_to_file", fake_download)
    with pytest.raises(WeightsNotFoundError):
        create_extractor(allow_random=False)  # the default never downloads
    assert calls == []
    extractor = create_extractor(weights="download")
    assert calls == [(torchvision.models.VGG19_Weights.IMAGENET1K_V1.url, "dcbb9e9d")]  # the file's hash is checked
    assert cached_vgg19_path().is_file() and str(cached_vgg19_path()) in extractor.description
    assert "548 MB" in capsys.readouterr().out
    expected = torch.load(small_vgg19_file, weights_only=True)["features.21.weight"].float()
    assert extractor.trained and torch.equal(extractor.body[21].weight, expected)  # conv4_2
    create_extractor(weights="download")
    assert len(calls) == 1  # cached: not downloaded again
