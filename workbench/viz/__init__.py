"""Pure figure functions: arrays in, RGB arrays or matplotlib artists out.

Functions named ``plot_*`` draw on an axis the caller owns and return the artists; nothing here calls
``plt.show()``. The array functions (``colorize``, ``overlay``, ``error_map``...) are what widgets precompute.
"""

from workbench.viz.bands import (
    BAND_COLORS, BAND_LABELS, BandCode, boundary_band_codes, boundary_band_rgb, boundary_bands, class_band, mask_band,
)
from workbench.viz.colorize import blend, colorize, overlay, paint
from workbench.viz.comparison import (
    VIEWS, ImagePanels, MaskComparison, class_lookup, compare_masks, panel_codes, render_panel, render_panels,
)
from workbench.viz.convert import as_mask, as_palette, as_rgb_image
from workbench.viz.curves import CURVE_PANELS, draw_learning_curves, plot_chance_line, plot_model_curves
from workbench.viz.encode import array_to_jpeg, array_to_png, codes_to_png, figure_to_png
from workbench.viz.error_maps import (
    CLASS_CODES, ERROR_COLORS, ERROR_LABELS, OVERALL_CODES, ErrorCode, error_map, error_rgb,
)
from workbench.viz.mask_plots import (
    class_legend, gallery_indices, plot_boundary_bands, plot_error_map, plot_image, plot_mask, plot_mask_gallery, plot_overlay,
)
from workbench.viz.metric_plots import normalize_confusion, plot_confusion_matrix, plot_learning_curves, plot_per_class
from workbench.viz.run_figures import comparison_figures, gallery_figure, learning_curves_figure, save_comparison_figures
from workbench.viz.score_maps import plot_score_map, score_rgb, upsample_nearest
from workbench.viz.style_figures import (
    LOSS_COLUMNS, draw_gram, draw_loss_curves, draw_stage_image, image_array, move_step_marker,
)
from workbench.viz.ops_figures import (
    Grid, draw_equivalent_conv, draw_grid, draw_matrix_view, draw_scatter_step, draw_unpooling, set_box,
)
from workbench.viz.field_figures import field_box_rgb, heatmap_rgb, plot_erf, plot_field_box
from workbench.viz.dilation_figures import paths_rgb, plot_paths
from workbench.viz.upsampling_figures import plot_bins, plot_maps
