"""Datasets (synthetic, folder, PASCAL VOC), joint image + mask transforms, collate and class metadata.

A sample is ``(image, mask)``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)`` with
class ids and 255 for void. Every dataset carries ``.classes``.
"""
from .classes import IGNORE_INDEX, Classes, check_ignore_index
from .collate import pad_collate
from .errors import DatasetError
from .folder import SegmentationFolder
from .normalize import IMAGENET_MEAN, IMAGENET_STD, denormalize, normalize
from .registry import create_dataset, list_datasets, register_dataset
from .sizes import check_count, parse_size
from .splits import create_splits
from .synthetic import SYNTHETIC_CLASSES, Scene, SyntheticShapes
from .transforms import (
    ColorJitter, Compose, RandomCrop, RandomHorizontalFlip, RandomScale, Resize, eval_transforms, train_transforms,
)
from .voc import VOC_CLASSES, VOCSegmentation

__all__ = [
    "IGNORE_INDEX", "Classes", "check_ignore_index", "DatasetError", "create_splits", "parse_size", "check_count", "SyntheticShapes", "SYNTHETIC_CLASSES", "Scene", "SegmentationFolder",
    "VOCSegmentation", "VOC_CLASSES", "create_dataset", "list_datasets", "register_dataset", "pad_collate",
    "IMAGENET_MEAN", "IMAGENET_STD", "normalize", "denormalize", "Compose", "Resize", "RandomScale", "RandomCrop",
    "RandomHorizontalFlip", "ColorJitter", "train_transforms", "eval_transforms",
]
