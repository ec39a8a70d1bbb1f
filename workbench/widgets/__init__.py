"""ipywidgets inspectors: thin wiring over ops/, metrics/ and viz/, each exposing its state as data."""

# ruff: noqa: F401  (the package's public names)

from workbench.widgets.dilated_conv import DilatedConvExplorer
from workbench.widgets.fcn_inspector import FCNCapture, FCNInspector, capture_fcn
from workbench.widgets.live_curves import LiveCurves
from workbench.widgets.mask_comparer import MaskComparer
from workbench.widgets.photo_segmenter import PhotoSegmenter
from workbench.widgets.receptive_field import ModelFields, ReceptiveFieldExplorer, encoder_stages, model_fields
from workbench.widgets.style_stages import StyleStages, gram_limits
from workbench.widgets.transposed_conv import TransposedConvExplorer
from workbench.widgets.unpooling import UnpoolingExplorer
