"""Segmentation metrics: confusion matrix, region scores, Boundary IoU, BF score, per-image statistics, trimap.

Definitions are fixed in DESIGN.md ("Metrics"); ``evaluate`` scores a whole set at once,
``SegmentationEvaluator`` streams batches (``update`` / ``compute`` / ``reset`` / ``all_reduce``).
"""
from .bands import bf_tolerance, boundary_width, dilate, disc_offsets, inner_band, label_edges
from .bootstrap import paired_bootstrap
from .chance import (
    NEAR_CHANCE, NEAR_CHANCE_FACTOR, against_chance, chance_miou, chance_note, chance_sentence, class_pixel_counts,
    near_chance,
)
from .evaluator import SegmentationEvaluator, evaluate
from .image_stats import PER_IMAGE_COLUMNS, ImageStats
from .notes import metric_notes
from .per_image import per_image_scores
from .region import class_accuracy, class_dice, class_iou, fw_iou, nanmean, pixel_accuracy
from .scores import SCORE_KEYS, Scores
from .trimap import trimap_miou

__all__ = [
    "ImageStats", "NEAR_CHANCE", "NEAR_CHANCE_FACTOR", "PER_IMAGE_COLUMNS", "SCORE_KEYS", "Scores",
    "SegmentationEvaluator", "against_chance", "bf_tolerance", "boundary_width", "chance_miou", "chance_note",
    "chance_sentence", "class_accuracy", "class_dice", "class_iou", "class_pixel_counts", "dilate", "disc_offsets",
    "evaluate", "fw_iou", "inner_band", "label_edges", "metric_notes", "nanmean", "near_chance", "paired_bootstrap",
    "per_image_scores", "pixel_accuracy", "trimap_miou",
]  # fmt: skip
