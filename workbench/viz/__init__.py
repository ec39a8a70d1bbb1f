"""Pure figure functions: arrays in, RGB arrays or matplotlib artists out.

Functions named ``plot_*`` draw on an axis the caller owns and return the artists; nothing here calls
``plt.show()``. The array functions (``colorize``, ``overlay``, ``error_map``...) are what widgets precompute.
Each name imports its submodule on first use.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        ".bands": [
            "BAND_COLORS",
            "BAND_LABELS",
            "BandCode",
            "boundary_band_codes",
            "boundary_band_rgb",
            "boundary_bands",
            "class_band",
            "mask_band",
        ],
        ".cell_grid": ["Grid", "draw_grid", "set_box"],
        ".colorize": ["blend", "colorize", "overlay", "paint"],
        ".mask_panels": [
            "VIEWS",
            "ImagePanels",
            "MaskComparison",
            "class_lookup",
            "compare_masks",
            "panel_codes",
            "render_panel",
            "render_panels",
        ],
        ".convert": ["as_mask", "as_palette", "as_rgb_image"],
        ".curves": [
            "CURVE_PANELS",
            "draw_learning_curves",
            "learning_curves_figure",
            "plot_chance_line",
            "plot_model_curves",
        ],
        ".dilation_figures": ["paths_rgb", "plot_paths"],
        ".encode": ["array_to_jpeg", "array_to_png", "codes_to_png", "figure_to_png", "new_figure", "render_png"],
        ".error_maps": [
            "CLASS_CODES",
            "ERROR_COLORS",
            "ERROR_LABELS",
            "OVERALL_CODES",
            "ErrorCode",
            "error_map",
            "error_rgb",
        ],
        ".field_figures": ["field_box_rgb", "heatmap_rgb", "plot_erf", "plot_field_box"],
        ".filter_figures": ["filters_rgb", "plot_filters"],
        ".mask_plots": [
            "class_legend",
            "gallery_indices",
            "plot_boundary_bands",
            "plot_error_map",
            "plot_image",
            "plot_mask",
            "plot_mask_gallery",
            "plot_overlay",
        ],
        ".metric_plots": ["normalize_confusion", "plot_confusion_matrix", "plot_per_class"],
        ".ops_figures": ["draw_equivalent_conv", "draw_matrix_view", "draw_scatter_step", "draw_unpooling"],
        ".run_figures": ["comparison_figures", "gallery_figure", "save_comparison_figures"],
        ".score_maps": ["plot_score_map", "score_rgb", "upsample_nearest"],
        ".style_figures": [
            "LOSS_COLUMNS",
            "draw_gram",
            "draw_loss_curves",
            "draw_stage_image",
            "image_array",
            "move_step_marker",
        ],
        ".task_figures": ["instance_rgb", "plot_task_comparison"],
        ".tolerance_plots": ["default_tolerance", "plot_tolerance_curves"],
        ".upsampling_figures": ["plot_bins", "plot_maps"],
    },
)
