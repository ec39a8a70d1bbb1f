"""Teaching ops: transposed convolution three ways, unpooling, and the shape arithmetic behind them.

Every transposed convolution here is called like ``torch.nn.functional.conv_transpose2d(input, weight,
stride, padding, output_padding)`` (1D with a 3D weight) and agrees with it; see Dumoulin & Visin,
"A guide to convolution arithmetic for deep learning" (2016).
"""

from workbench.ops.as_conv import conv_transpose_as_conv, equivalent_conv_input, equivalent_conv_weight, insert_zeros
from workbench.ops.boundary_cases import boundary_error_cases, shifted, square_target, with_blob, with_thin_bar
from workbench.ops.checkerboard import (
    resize_conv_overlap,
    transposed_overlap,
    unevenness,
    upsampled_constant,
    upsampler,
)
from workbench.ops.cost import count_flops, saved_activation_bytes, time_call
from workbench.ops.dilation import coverage, dilated_taps, field_size, stack_rates, stacked_paths, taps_inside
from workbench.ops.matrix import conv_matrix, conv_transpose_matrix
from workbench.ops.scatter import ScatterSteps, conv_transpose_scatter, scatter_steps
from workbench.ops.shapes import conv_output_size, conv_transpose_output_size
from workbench.ops.shift_and_stitch import dense_network, shift_and_stitch, total_stride
from workbench.ops.sliding_window import sliding_window, window_grid
from workbench.ops.unpooling import (
    UnpoolingWalkthrough,
    max_unpool,
    unpool_bed_of_nails,
    unpool_nearest,
    unpooling_walkthrough,
)
from workbench.ops.walkthrough import TransposedConvWalkthrough, transposed_conv_walkthrough

__all__ = [
    "conv_transpose_scatter",
    "conv_transpose_matrix",
    "conv_transpose_as_conv",
    "conv_matrix",
    "conv_output_size",
    "conv_transpose_output_size",
    "scatter_steps",
    "ScatterSteps",
    "equivalent_conv_input",
    "equivalent_conv_weight",
    "insert_zeros",
    "transposed_conv_walkthrough",
    "TransposedConvWalkthrough",
    "unpool_nearest",
    "unpool_bed_of_nails",
    "max_unpool",
    "unpooling_walkthrough",
    "UnpoolingWalkthrough",
    "dilated_taps",
    "stacked_paths",
    "field_size",
    "coverage",
    "stack_rates",
    "taps_inside",
    "transposed_overlap",
    "resize_conv_overlap",
    "unevenness",
    "upsampler",
    "upsampled_constant",
    "boundary_error_cases",
    "square_target",
    "shifted",
    "with_blob",
    "with_thin_bar",
    "count_flops",
    "saved_activation_bytes",
    "time_call",
    "dense_network",
    "shift_and_stitch",
    "total_stride",
    "sliding_window",
    "window_grid",
]
