"""Segmentation models by name: FCN (ours) and U-Net / DeepLab / PSPNet from segmentation-models-pytorch.

Every model maps images ``(N, 3, H, W)`` to logits ``(N, num_classes, H, W)`` at the input size::

    model = create_model("fcn8s", num_classes=11)
    list_models("deeplab*")  # ['deeplabv3', 'deeplabv3plus']
"""

from workbench.models import smp_models  # registers unet, deeplabv3, deeplabv3plus, pspnet
from workbench.models.fcn import FCN, bilinear_kernel, bilinear_upsampling  # registers fcn32s/16s/8s
from workbench.models.registry import ModelInfo, create_model, get_model_info, list_models, register_model
from workbench.models.weights import load_encoder_weights, read_state_dict

__all__ = [
    "FCN",
    "ModelInfo",
    "bilinear_kernel",
    "bilinear_upsampling",
    "create_model",
    "get_model_info",
    "list_models",
    "load_encoder_weights",
    "read_state_dict",
    "register_model",
    "smp_models",
]
