"""Datasets (synthetic, folder, PASCAL VOC, Cityscapes, ADE20K), joint image + mask transforms, collate and
class metadata.

A sample is ``(image, mask)``: image float32 ``(3, H, W)`` ImageNet-normalised, mask int64 ``(H, W)`` with
class ids and 255 for void. Every dataset carries ``.classes``. Each name imports its submodule on first use:
``Classes``, ``parse_size`` and the numpy readers (``find_files``, ``ShapeScenes``), which read the samples
the torch datasets serve, need no torch.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        ".layouts.ade20k": ["ADE20K_CLASSES"],
        ".layouts.cityscapes": ["CITYSCAPES_CLASSES"],
        ".classes": ["IGNORE_INDEX", "Classes", "check_ignore_index"],
        ".collate": ["pad_collate"],
        ".data_info": ["data_stems", "data_target", "dataset_classes", "describe_data"],
        ".errors": ["DatasetError"],
        ".file_datasets": ["ADE20K", "Cityscapes", "SegmentationFolder", "VOCSegmentation"],
        ".pair_reader": ["PairedFiles"],
        ".groups": ["ImageGroups", "image_groups"],
        ".layouts": ["find_files"],
        ".layouts.layout": ["Layout", "register_layout"],
        ".normalize": [
            "IMAGENET_MEAN",
            "IMAGENET_STD",
            "denormalize",
            "denormalize_array",
            "normalize",
            "normalize_array",
        ],
        ".photos": ["read_photo"],
        ".registry": ["create_dataset", "list_datasets", "register_dataset"],
        ".scenes": ["SYNTHETIC_CLASSES", "Scene", "ShapeScenes"],
        ".sizes": ["check_count", "parse_size"],
        ".splits": ["create_split", "create_splits"],
        ".synthetic": ["SyntheticShapes"],
        ".tasks": ["Box", "TaskTargets", "task_targets"],
        ".transforms": [
            "ColorJitter",
            "Compose",
            "RandomCrop",
            "RandomHorizontalFlip",
            "RandomScale",
            "Resize",
            "eval_transforms",
            "train_transforms",
        ],
        ".layouts.voc": ["VOC_CLASSES"],
    },
)
