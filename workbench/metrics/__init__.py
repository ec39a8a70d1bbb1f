"""Segmentation metrics: confusion matrix, region scores, Boundary IoU, BF score, per-image and trimap scores.

Definitions are fixed in DESIGN.md ("Metrics"); ``evaluate`` scores a whole set at once,
``SegmentationEvaluator`` streams batches (``update`` / ``compute`` / ``reset`` / ``all_reduce``).
"""
from .bands import bf_tolerance, boundary_width, dilate, disc_offsets, inner_band, label_edges
from .chance import (
    NEAR_CHANCE, NEAR_CHANCE_FACTOR, against_chance, chance_note, chance_sentence, class_pixel_counts, near_chance,
)
from .evaluator import PER_IMAGE_COLUMNS, SegmentationEvaluator, evaluate
from .per_image import per_image_scores
from .region import class_accuracy, class_dice, class_iou, fw_iou, nanmean, pixel_accuracy
from .scores import SCORE_KEYS, Scores
from .trimap import trimap_miou

__all__ = [
    "NEAR_CHANCE", "NEAR_CHANCE_FACTOR", "against_chance", "chance_note", "chance_sentence", "class_pixel_counts", "near_chance",
    "PER_IMAGE_COLUMNS", "SCORE_KEYS", "Scores", "SegmentationEvaluator", "bf_tolerance", "boundary_width",
    "class_accuracy", "class_dice", "class_iou", "dilate", "disc_offsets", "evaluate", "fw_iou", "inner_band",
    "label_edges", "nanmean", "per_image_scores", "pixel_accuracy", "trimap_miou",
]  # fmt: skip
