"""Segmentation metrics: confusion matrix, region scores, Boundary IoU, BF, NSD, HD95, per-image statistics, trimap.

Definitions are fixed in DESIGN.md ("Metrics"), each score is declared once in ``catalog.METRICS``; ``evaluate``
scores a whole set at once, ``SegmentationEvaluator`` streams batches (``update`` / ``compute`` / ``reset`` /
``all_reduce``).
Each name imports its submodule on first use: ``Scores`` and the bootstrap read records without torch.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        ".morphology": ["dilate", "disc_offsets", "inner_band", "label_edges"],
        ".bootstrap": ["paired_bootstrap"],
        ".catalog": [
            "HEADLINE",
            "LOWER_IS_BETTER",
            "METRICS",
            "PER_IMAGE_COLUMNS",
            "SCALAR_KEYS",
            "SCORE_KEYS",
            "score_label",
        ],
        ".chance": [
            "NEAR_CHANCE",
            "NEAR_CHANCE_FACTOR",
            "against_chance",
            "chance_miou",
            "chance_note",
            "chance_sentence",
            "class_pixel_counts",
            "near_chance",
        ],
        ".comparison_table": ["comparison_table"],
        ".evaluator": ["SegmentationEvaluator", "evaluate"],
        ".image_stats": ["ImageStats"],
        ".notes": ["bf_tolerance", "boundary_width", "metric_notes"],
        ".per_image": ["per_image_scores"],
        ".region": ["class_accuracy", "class_dice", "class_iou", "fw_iou", "nanmean", "pixel_accuracy"],
        ".scores": ["Scores"],
        ".trimap": ["trimap_miou"],
    },
)
