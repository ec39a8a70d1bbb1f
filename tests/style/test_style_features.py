"""FeatureExtractor on any CNN: layer names, in-place activations, normalisation, messages."""

import pytest
import torch
from torch import nn

from workbench.style import FeatureExtractor, vgg19_layers, vgg_style_names
from workbench.style.features import IMAGENET_MEAN, IMAGENET_STD


def test_vgg_style_names_follow_the_vgg19_layout():
    names = vgg_style_names(list(vgg19_layers(widths=(2, 2, 2, 2, 2))))
    assert len(names) == 37
    assert names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    assert names.index("conv4_2") == 21 and names.index("conv5_1") == 28 and names[-1] == "pool5"


def test_inplace_relu_does_not_overwrite_captured_conv_output():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    cnn = nn.Sequential(conv, nn.ReLU(inplace=True), nn.Conv2d(4, 4, 3, padding=1))
    extractor = FeatureExtractor(cnn, ["conv1_1"], normalize=False)
    images = torch.rand(1, 3, 8, 8) - 0.5
    features = extractor(images, ["conv1_1", "conv1_2"])
    torch.testing.assert_close(features["conv1_1"], conv(images))
    assert (features["conv1_1"] < 0).any()  # a ReLU in place would have zeroed these
    assert cnn[1].inplace  # the caller's module is left as it was


def test_layers_by_index_child_name_and_vgg_name_are_keyed_as_given():
    cnn = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 5, 1))
    extractor = FeatureExtractor(cnn, normalize=False)
    features = extractor(torch.rand(2, 3, 8, 8), [3, "3", "conv2_1", "pool1"])
    assert list(features) == [3, "3", "conv2_1", "pool1"]
    assert features[3].shape == (2, 5, 4, 4) and features["pool1"].shape == (2, 2, 4, 4)
    assert features[3] is features["conv2_1"]


def test_models_with_features_or_named_children_work():
    class TwoStage(nn.Module):  # a ResNet-like module: children run in order, no Sequential
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 4, 3, stride=2, padding=1)
            self.layer1 = nn.Sequential(nn.Conv2d(4, 6, 3, padding=1), nn.ReLU())

    class Classifier(nn.Module):  # torchvision VGG style: the CNN is .features
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU())
            self.classifier = nn.Linear(4, 2)

    assert FeatureExtractor(TwoStage())(torch.rand(1, 3, 8, 8), ["layer1"])["layer1"].shape == (1, 6, 4, 4)
    extractor = FeatureExtractor(Classifier())
    assert extractor.layer_names == ("conv1_1", "relu1_1")


def test_unknown_layer_lists_valid_names():
    extractor = FeatureExtractor(nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU()))
    with pytest.raises(ValueError, match=r"unknown layer 'conv9_9'; valid names are conv1_1, relu1_1"):
        extractor(torch.rand(1, 3, 4, 4), ["conv9_9"])
    with pytest.raises(ValueError, match="index 5 is out of range"):
        FeatureExtractor(nn.Sequential(nn.Conv2d(3, 2, 1)), [5])


def test_normalises_with_imagenet_statistics():
    extractor = FeatureExtractor(nn.Sequential(nn.Identity()), [0])
    images = torch.rand(1, 3, 4, 4)
    mean, std = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    torch.testing.assert_close(extractor(images)[0], (images - mean) / std)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        extractor(torch.rand(3, 4, 4))


def test_average_pooling_replaces_max_pooling():
    extractor = FeatureExtractor(nn.Sequential(nn.MaxPool2d(2)), [0], normalize=False, pooling="avg")
    images = torch.arange(16.0).view(1, 1, 4, 4).expand(1, 3, 4, 4)
    assert extractor(images)[0][0, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]


def test_messages_say_what_the_features_are():
    cnn = nn.Sequential(nn.Conv2d(3, 2, 1))
    with pytest.warns(UserWarning, match="not its artistic quality"):
        untrained = FeatureExtractor(cnn, trained=False)
    assert "random weights" in untrained.description and untrained.trained is False
    assert "user-supplied Sequential" in FeatureExtractor(cnn).description
    assert FeatureExtractor(cnn, trained=True, description="my net").description == "my net"
