"""Segmentation models by name: FCN (ours) and U-Net / DeepLab / PSPNet from segmentation-models-pytorch.

Every model maps images ``(N, 3, H, W)`` to logits ``(N, num_classes, H, W)`` at the input size::

    model = create_model("fcn8s", num_classes=11)
    list_models("deeplab*")  # ['deeplabv3', 'deeplabv3plus']
"""

from workbench.models import smp_models  # registers unet, deeplabv3, deeplabv3plus, pspnet
from workbench.models.cost_tables import depth_peer_costs, window_costs
from workbench.models.depth_peers import EncoderDecoderNet, FullResolutionNet
from workbench.models.effective_field import effective_receptive_field, erf_radius
from workbench.models.fcn import FCN, bilinear_kernel, bilinear_upsampling  # registers fcn32s/16s/8s
from workbench.models.output_stride import deeplab_costs, dilation_variants
from workbench.models.patch_classifier import PatchClassifier, convolutionalize
from workbench.models.pyramid_pooling import PyramidBranches, adaptive_bin_edges, pyramid_branches
from workbench.models.receptive_field import ReceptiveField, receptive_field, receptive_fields
from workbench.models.registry import ModelInfo, create_model, get_model_info, list_models, register_model
from workbench.models.skip_fusion import Fusion, fcn_fusions, unet_fusions
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
    "ReceptiveField",
    "receptive_field",
    "receptive_fields",
    "effective_receptive_field",
    "erf_radius",
    "PatchClassifier",
    "convolutionalize",
    "EncoderDecoderNet",
    "FullResolutionNet",
    "PyramidBranches",
    "adaptive_bin_edges",
    "pyramid_branches",
    "Fusion",
    "fcn_fusions",
    "unet_fusions",
    "depth_peer_costs",
    "window_costs",
    "deeplab_costs",
    "dilation_variants",
]
