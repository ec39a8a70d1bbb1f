"""FLOPs, saved activation bytes, the depth peers: against counts done by hand."""

import torch
from torch import nn

from workbench.analysis.depth_peers import EncoderDecoderNet, FullResolutionNet
from workbench.ops import count_flops, saved_activation_bytes


def test_convolution_flops_are_two_per_multiply_add():
    conv = nn.Conv2d(3, 5, 3)
    assert count_flops(conv, torch.randn(2, 3, 10, 12)) == 2 * 2 * 5 * 3 * 9 * 8 * 10


def test_flops_can_be_counted_on_the_meta_device():
    with torch.device("meta"):
        conv, images = nn.Conv2d(3, 5, 3), torch.empty(2, 3, 10, 12)
    assert count_flops(conv, images) == 2 * 2 * 5 * 3 * 9 * 8 * 10


def test_saved_bytes_are_the_conv_inputs_and_relu_outputs():
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3, padding=1))
    images = torch.randn(1, 3, 8, 8, requires_grad=True)
    # conv 1 saves the input, ReLU its output, which conv 2 saves too (one storage): float32 each
    assert saved_activation_bytes(net, images, exclude=net.parameters()) == (3 + 4) * 64 * 4
    assert saved_activation_bytes(net, images) > (3 + 4) * 64 * 4  # weights, unless excluded


def test_depth_peers_have_the_same_depth_and_the_activations_counted_by_hand():
    full, encdec = FullResolutionNet(3, depth=4, width=4), EncoderDecoderNet(3, depth=4, width=4)
    convs = [sum(isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3) for m in net.modules()) for net in (full, encdec)]
    images = torch.randn(1, 3, 16, 16, requires_grad=True)
    assert convs == [4, 4] and full(images).shape == encdec(images).shape == (1, 3, 16, 16)
    memory = [saved_activation_bytes(net, images, exclude=net.parameters()) for net in (full, encdec)]
    pixels = 16 * 16
    # full: the input, then four ReLU outputs (each also the next conv's saved input), float32
    assert memory[0] == (3 + 4 * 4) * pixels * 4
    # encoder-decoder: input and ReLU out at 16x16, max-pool indices (int64) at 8x8, pooled map and two ReLU
    # outputs at 8x8, then the upsampled map and the last ReLU out at 16x16
    assert memory[1] == (3 + 4) * pixels * 4 + 4 * (pixels // 4) * 8 + 3 * 4 * (pixels // 4) * 4 + 2 * 4 * pixels * 4


def test_deeper_encoder_decoders_save_a_growing_share_of_the_memory():
    images = torch.randn(1, 3, 32, 32, requires_grad=True)
    full, encdec = [], []
    for depth in (6, 10):  # 3 and 5 levels: 32 x 32 pools down to 8 x 8 and 2 x 2
        nets = FullResolutionNet(3, depth=depth, width=4), EncoderDecoderNet(3, depth=depth, width=4)
        for out, net in zip((full, encdec), nets):
            out.append(saved_activation_bytes(net, images, exclude=net.parameters()))
    # four more full-size convs cost four full-size maps; four more at 1/4 ... 1/256 of the pixels, little
    assert full[1] - full[0] == 4 * 4 * 32 * 32 * 4  # four more ReLU outputs, 4 channels, float32
    assert encdec[1] - encdec[0] < 0.05 * encdec[0] and encdec[1] / full[1] < encdec[0] / full[0] < 0.9
