"""The registry: names, filtering, errors, and the metadata the README table reads."""

import pytest
import torch

from workbench.models import create_model, get_model_info, list_models, register_model
from workbench.models.padding import PadCrop

ALL = ["deeplabv3", "deeplabv3plus", "fcn16s", "fcn32s", "fcn8s", "pspnet", "unet"]


def test_list_models_names_and_pattern():
    assert list_models() == ALL
    assert list_models("deeplab*") == ["deeplabv3", "deeplabv3plus"]
    assert list_models("fcn*s") == ["fcn16s", "fcn32s", "fcn8s"]
    assert list_models("nothing*") == []


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="choose one of deeplabv3, deeplabv3plus, fcn16s"):
        create_model("segnet", 3)


def test_duplicate_registration_is_refused():
    with pytest.raises(ValueError, match="'unet' is already registered"):
        register_model("unet", paper="x", output_stride=1, logit_stride=1, differs="x")(lambda **kw: None)
    assert get_model_info("unet").builder.__name__ == "unet"  # the original survives


@pytest.mark.parametrize("num_classes", [0, -1, 2.5, True, "3"])
def test_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        create_model("fcn8s", num_classes)


@pytest.mark.parametrize("name", ["fcn8s", "unet"])
def test_unknown_encoder_is_a_clear_error(name):
    with pytest.raises(ValueError, match="'resnet7'"):
        create_model(name, 3, encoder="resnet7")


def test_aux_params_refused_to_keep_one_return_contract():
    with pytest.raises(ValueError, match="aux_params"):
        create_model("unet", 3, aux_params={"classes": 3})


def test_builder_keywords_pass_through():
    model = create_model("deeplabv3", 3, encoder_output_stride=16).eval()  # batch of 1: BN needs eval
    assert model.multiple == 16
    assert model(torch.randn(1, 3, 40, 50)).shape == (1, 3, 40, 50)


@pytest.mark.parametrize("name", list_models())
def test_metadata_matches_the_built_model(name):
    info = get_model_info(name)
    model = create_model(name, 3)

    assert info.name == name and "20" in info.paper and info.differs
    if isinstance(model, PadCrop):  # smp: the encoder knows its stride
        assert model.net.encoder.output_stride == info.output_stride
    else:  # FCN: the variant's name is its logit stride
        assert info.output_stride == 32 and name == f"fcn{model.logit_stride}s"
        assert info.logit_stride == model.logit_stride


def test_nothing_downloads_unless_asked(no_downloads):
    """The guard catches a real attempt, so the other tests passing under it means nothing was fetched."""
    with pytest.raises(no_downloads):
        create_model("unet", 3, encoder_weights="imagenet")
    with pytest.raises(no_downloads):
        create_model("fcn8s", 3, encoder_weights="imagenet")
