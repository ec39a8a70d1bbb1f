"""Neural style transfer (Gatys, Ecker, Bethge, "Image Style Transfer Using Convolutional Neural Networks",
CVPR 2016): content loss, Gram-matrix style losses, total variation, the image itself optimised, with a
snapshot ("stage") every few steps for :class:`workbench.widgets.StyleStages`.
"""

from workbench.style.config import GATYS_CONTENT_LAYER, GATYS_STYLE_LAYERS, StyleConfig, style_budget
from workbench.style.features import FeatureExtractor, vgg_style_names
from workbench.style.images import load_image, resize_longer_side
from workbench.style.losses import content_loss, gram_matrix, style_loss, total_variation
from workbench.style.neural_style import Stage, StyleResult, style_distance, transfer
from workbench.style.texture import TextureFeatures
from workbench.style.vgg import (
    VGG19_MEGABYTES,
    WeightsNotFoundError,
    cached_vgg19_path,
    create_extractor,
    download_vgg19,
    random_vgg19_features,
    read_vgg19_state_dict,
    vgg19_features,
    vgg19_layers,
)

__all__ = [
    "GATYS_CONTENT_LAYER",
    "GATYS_STYLE_LAYERS",
    "StyleConfig",
    "style_budget",
    "FeatureExtractor",
    "vgg_style_names",
    "load_image",
    "resize_longer_side",
    "content_loss",
    "gram_matrix",
    "style_loss",
    "total_variation",
    "Stage",
    "StyleResult",
    "style_distance",
    "transfer",
    "TextureFeatures",
    "VGG19_MEGABYTES",
    "WeightsNotFoundError",
    "cached_vgg19_path",
    "create_extractor",
    "download_vgg19",
    "random_vgg19_features",
    "read_vgg19_state_dict",
    "vgg19_features",
    "vgg19_layers",
]
