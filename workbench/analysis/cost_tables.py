"""Cost tables for the lessons: sliding windows against convolutionalised networks, and the memory of a
full-resolution network against an encoder-decoder of the same depth.

FLOPs are counted with ``FlopCounterMode`` (2 per multiply-add of convolutions and matrix products; see
``workbench.ops.cost``), on the ``meta`` device where a real run would take minutes. Times are medians
of real CPU or GPU runs on random weights, under ``torch.no_grad``.
"""

from __future__ import annotations

import torch

from workbench.analysis.depth_peers import EncoderDecoderNet, FullResolutionNet
from workbench.analysis.patch_classifier import PatchClassifier, convolutionalize
from workbench.models.fcn import bilinear_upsampling
from workbench.ops.cost import count_flops, saved_activation_bytes, time_call
from workbench.ops.shift_and_stitch import dense_network, shift_and_stitch
from workbench.ops.sliding_window import sliding_window, window_grid


def _meta_copy(classifier: PatchClassifier) -> PatchClassifier:
    with torch.device("meta"):
        return PatchClassifier(
            classifier.fc2.out_features,
            patch_size=classifier.patch_size,
            width=classifier.features[0].out_channels,
            hidden=classifier.fc1.out_features,
        )


def window_costs(
    classifier: PatchClassifier,
    image_size: tuple[int, int] = (360, 480),
    *,
    repeats: int = 1,
    time_dense_windows: bool = False,
) -> list[dict]:
    """Every way to score one image's windows: GFLOPs, seconds, outputs, and GFLOPs per output.

    Rows: the sliding window at the network's stride (4) and the convolutionalised network (the same
    outputs); the sliding window at stride 1, shift-and-stitch (16 passes), the dense (dilated) network
    (the same dense outputs); and the convolutionalised network followed by a x4 transposed convolution
    (bilinear, FCN's way to a dense map, interpolated rather than computed). The slow stride-1 sliding
    window is only timed when ``time_dense_windows`` is True (about 16 times the stride-4 time).
    """
    patch, stride = classifier.patch_size, classifier.stride
    net = convolutionalize(classifier).eval()
    dense, num_classes = dense_network(net), classifier.fc2.out_features
    upsample = bilinear_upsampling(num_classes, stride)
    image = torch.randn(1, 3, *image_size)
    meta_classifier, meta_image = _meta_copy(classifier), torch.empty(1, 3, *image_size, device="meta")

    def windows(s):
        return lambda: sliding_window(classifier, image, patch, s, batch_size=4096)

    ways = [
        (
            "sliding window, stride 4",
            lambda m, x: sliding_window(m, x, patch, stride, batch_size=10**9),
            windows(stride),
            window_grid(image_size, patch, stride),
        ),
        ("convolutionalised", None, lambda: net(image), window_grid(image_size, patch, stride)),
        (
            "sliding window, stride 1",
            lambda m, x: sliding_window(m, x, patch, 1, batch_size=10**9),
            windows(1) if time_dense_windows else None,
            window_grid(image_size, patch, 1),
        ),
        ("shift-and-stitch, 16 passes", None, lambda: shift_and_stitch(net, image, stride), None),
        ("dense network (dilated)", None, lambda: dense(image), None),
        ("convolutionalised + x4 transposed conv", None, lambda: upsample(net(image)), None),
    ]
    rows = []
    for name, meta_fn, run, grid in ways:
        flops = count_flops(meta_fn, meta_classifier, meta_image) if meta_fn else count_flops(run)
        outputs = grid if grid is not None else tuple(count_flops_shape(run))
        rows.append(
            {
                "method": name,
                "outputs": f"{outputs[0]} x {outputs[1]}",
                "GFLOPs": flops / 1e9,
                "MFLOPs per output": flops / 1e6 / (outputs[0] * outputs[1]),
                "seconds": time_call(run, repeats=repeats) if run else float("nan"),
            }
        )
    return rows


def count_flops_shape(run) -> tuple[int, int]:
    """``(H, W)`` of what ``run()`` returns."""
    with torch.no_grad():
        return tuple(run().shape[-2:])


def depth_peer_costs(
    image_size: tuple[int, int] = (360, 480), *, depths=(8, 16), width: int = 32, num_classes: int = 11
) -> list[dict]:
    """``FullResolutionNet`` against ``EncoderDecoderNet`` at each depth: activations kept for backward
    (MB, one image, measured), GFLOPs and parameters. Image sides must divide by ``2 ** (depth // 2 - 1)``."""
    rows = []
    for depth in depths:
        for net in (
            FullResolutionNet(num_classes, depth=depth, width=width),
            EncoderDecoderNet(num_classes, depth=depth, width=width),
        ):
            image = torch.randn(1, 3, *image_size, requires_grad=True)
            rows.append(
                {
                    "network": type(net).__name__,
                    "3x3 convs": depth,
                    "activations MB": saved_activation_bytes(net, image, exclude=net.parameters()) / 2**20,
                    "GFLOPs": count_flops(net, image.detach()) / 1e9,
                    "parameters": sum(p.numel() for p in net.parameters()),
                }
            )
    return rows
