"""Datasets (synthetic, folder, PASCAL VOC, Cityscapes, ADE20K), joint image + mask transforms, collate and
class metadata.

A sample is ``(image, mask)``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)`` with
class ids and 255 for void. Every dataset carries ``.classes``. Each name imports its submodule on first use:
``Classes`` and ``parse_size`` need no torch.
"""
from workbench.lazy_exports import export_lazily

__all__ = export_lazily(__name__, {
    ".ade20k": ["ADE20K", "ADE20K_CLASSES"],
    ".cityscapes": ["CITYSCAPES_CLASSES", "Cityscapes"],
    ".classes": ["IGNORE_INDEX", "Classes", "check_ignore_index"],
    ".collate": ["pad_collate"],
    ".data_info": ["data_stems", "data_target", "dataset_classes", "describe_data"],
    ".errors": ["DatasetError"],
    ".folder": ["SegmentationFolder"],
    ".groups": ["ImageGroups", "image_groups"],
    ".normalize": ["IMAGENET_MEAN", "IMAGENET_STD", "denormalize", "normalize"],
    ".registry": ["create_dataset", "list_datasets", "register_dataset"],
    ".sizes": ["check_count", "parse_size"],
    ".splits": ["create_split", "create_splits"],
    ".synthetic": ["SYNTHETIC_CLASSES", "Scene", "SyntheticShapes"],
    ".transforms": ["ColorJitter", "Compose", "RandomCrop", "RandomHorizontalFlip", "RandomScale", "Resize",
                    "eval_transforms", "train_transforms"],
    ".voc": ["VOC_CLASSES", "VOCSegmentation"],
})
