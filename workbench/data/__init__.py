"""Datasets (synthetic, folder, PASCAL VOC, Cityscapes, ADE20K), joint image + mask transforms, collate and
class metadata.

A sample is ``(image, mask)``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)`` with
class ids and 255 for void. Every dataset carries ``.classes``.
"""
from .ade20k import ADE20K, ADE20K_CLASSES
from .cityscapes import CITYSCAPES_CLASSES, Cityscapes
from .classes import IGNORE_INDEX, Classes, check_ignore_index
from .collate import pad_collate
from .data_info import data_stems, data_target, dataset_classes, describe_data
from .errors import DatasetError
from .folder import SegmentationFolder
from .normalize import IMAGENET_MEAN, IMAGENET_STD, denormalize, normalize
from .registry import create_dataset, list_datasets, register_dataset
from .sizes import check_count, parse_size
from .splits import create_split, create_splits
from .synthetic import SYNTHETIC_CLASSES, Scene, SyntheticShapes
from .transforms import (
    ColorJitter, Compose, RandomCrop, RandomHorizontalFlip, RandomScale, Resize, eval_transforms, train_transforms,
)
from .voc import VOC_CLASSES, VOCSegmentation

__all__ = [
    "IGNORE_INDEX", "Classes", "check_ignore_index", "DatasetError", "SyntheticShapes", "SYNTHETIC_CLASSES", "Scene",
    "SegmentationFolder", "VOCSegmentation", "VOC_CLASSES", "Cityscapes", "CITYSCAPES_CLASSES", "ADE20K",
    "ADE20K_CLASSES", "create_dataset", "create_split", "create_splits", "list_datasets", "register_dataset",
    "parse_size", "check_count", "pad_collate", "data_stems", "data_target", "dataset_classes", "describe_data",
    "IMAGENET_MEAN", "IMAGENET_STD", "normalize", "denormalize", "Compose", "Resize",
    "RandomScale", "RandomCrop", "RandomHorizontalFlip", "ColorJitter", "train_transforms", "eval_transforms",
]
