"""What the lessons measure on networks: receptive fields, costs, output stride, skip fusion, pyramid pooling.

The architectures live in ``workbench.models``; this package analyses them (and the two small teaching
networks the lessons compare: a patch classifier and its convolutionalised twin, and same-depth peers at
full resolution and as an encoder-decoder). Each name imports its submodule on first use.
"""

from workbench.lazy_exports import export_lazily

__all__ = export_lazily(
    __name__,
    {
        ".cost_tables": ["depth_peer_costs", "window_costs"],
        ".depth_peers": ["EncoderDecoderNet", "FullResolutionNet"],
        ".effective_field": ["effective_receptive_field", "erf_radius"],
        ".output_stride": ["deeplab_costs", "dilation_variants"],
        ".patch_classifier": ["PatchClassifier", "convolutionalize"],
        ".pyramid_pooling": ["PyramidBranches", "adaptive_bin_edges", "pyramid_branches"],
        ".receptive_field": ["ReceptiveField", "receptive_field", "receptive_fields"],
        ".skip_fusion": ["Fusion", "fcn_fusions", "unet_fusions"],
    },
)
