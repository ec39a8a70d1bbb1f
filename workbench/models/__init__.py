"""Segmentation models by name: FCN (ours) and U-Net / DeepLab / PSPNet from segmentation-models-pytorch.

Every model maps images ``(N, 3, H, W)`` to logits ``(N, num_classes, H, W)`` at the input size::

    model = create_model("fcn8s", num_classes=11)
    list_models("deeplab*")  # ['deeplabv3', 'deeplabv3plus']

Every module of the package is imported here, so a new ``models/<name>.py`` whose builder carries
``@register_model`` is listed without further edits.
"""

from workbench.lazy_exports import import_submodules
from workbench.models import smp_models
from workbench.models.fcn import FCN, bilinear_kernel, bilinear_upsampling
from workbench.models.registry import ModelInfo, create_model, get_model_info, list_models, register_model
from workbench.models.weights import cached_imagenet_weights, load_encoder_weights, read_state_dict

__all__ = [
    "FCN",
    "ModelInfo",
    "bilinear_kernel",
    "bilinear_upsampling",
    "cached_imagenet_weights",
    "create_model",
    "get_model_info",
    "list_models",
    "load_encoder_weights",
    "read_state_dict",
    "register_model",
    "smp_models",
]

import_submodules(__name__)  # each architecture module registers its builders
