"""Receptive field arithmetic against the support of the input gradient of one unit (float64, random weights)."""

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from workbench.analysis import receptive_field
from workbench.models import create_model, list_models


def positive_weights_and_average_pools(model: nn.Module) -> nn.Module:
    """float64, positive random weights, identity BatchNorm, and max pools turned into average pools.

    With positive weights and a positive input every unit is positive, so no ReLU cuts a path and no sum
    cancels; a max pool would pass its gradient to one pixel, an average pool of the same geometry to all.
    """
    for _, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.MaxPool2d):
                setattr(module, child_name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding))
    generator = torch.Generator().manual_seed(0)
    model = model.double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand(p.shape, generator=generator, dtype=torch.float64) + 0.1)
    return model


def gradient_box(model: nn.Module, layer: str, unit: tuple[int, int], size: int) -> tuple[int, int, int, int]:
    """Bounding box ``(top, left, bottom, right)`` of the input pixels with a nonzero gradient of one unit."""
    out = {}
    handle = dict(model.named_modules())[layer].register_forward_hook(lambda m, a, o: out.setdefault("y", o))
    image = torch.rand(1, 3, size, size, dtype=torch.float64, requires_grad=True)
    try:
        model(image)
    except Exception:  # a head after the layer may not accept the size; the layer has run
        pass
    handle.remove()
    out["y"][0, :, unit[0], unit[1]].sum().backward()
    rows, cols = torch.nonzero(image.grad[0].abs().sum(0), as_tuple=True)
    return rows.min().item(), cols.min().item(), rows.max().item(), cols.max().item()


def clipped(box, size):
    top, left, bottom, right = box
    return max(top, 0), max(left, 0), min(bottom, size - 1), min(right, size - 1)


def test_resnet18_layer2_and_layer4_match_the_published_numbers():
    model = torchvision.models.resnet18()
    assert receptive_field(model, "layer2").size == (99, 99) and receptive_field(model, "layer2").jump == (8, 8)
    field = receptive_field(model, "layer4")
    assert field.size == (435, 435) and field.jump == (32, 32) and field.start == (-217, -217)


@pytest.mark.parametrize(
    "layer, unit, size",
    [("maxpool", (3, 5), 48), ("layer1", (6, 2), 64), ("layer2", (8, 9), 160), ("layer2", (0, 1), 64)],
)
def test_resnet18_field_is_the_gradient_support(layer, unit, size):
    model = positive_weights_and_average_pools(torchvision.models.resnet18())
    box = receptive_field(model, layer).box(*unit)
    assert gradient_box(model, layer, unit, size) == clipped(box, size)


def test_resnet18_layer4_field_is_the_gradient_support():
    model = positive_weights_and_average_pools(torchvision.models.resnet18())
    box = receptive_field(model, "layer4").box(7, 7)
    assert box == (7, 7, 441, 441)
    assert gradient_box(model, "layer4", (7, 7), 448) == box


class Branchy(nn.Module):
    """Dilation, a non-square kernel, explicit padding, a strided residual projection, slicing, a pool."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, (3, 5), stride=2, padding=(1, 0))
        self.b = nn.Conv2d(4, 4, 3, dilation=3, padding="same")
        self.skip = nn.Conv2d(3, 4, 1, stride=2)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1)
        self.c = nn.Conv2d(8, 4, 2, stride=1)

    def forward(self, x):
        a = self.a(F.pad(x, (2, 0, 1, 3)))
        skip = self.skip(x)[..., 1:, 1:]
        rows, cols = min(a.shape[-2], skip.shape[-2]), min(a.shape[-1], skip.shape[-1])
        y = torch.relu(self.b(a)[..., :rows, :cols] + skip[..., :rows, :cols])
        y = torch.cat([y, y * 2], dim=1)
        return self.c(self.pool(y))


@pytest.mark.parametrize("layer", ["a", "b", "pool", "c"])
def test_branchy_net_field_is_the_gradient_support_at_every_unit_inside_the_image(layer):
    # Near the border a dilated kernel may reach the image only through padding on one side (its taps
    # straddle it), so the support there is smaller than the clipped box: compare units inside the image.
    model, size = positive_weights_and_average_pools(Branchy()), 48
    field = receptive_field(model, layer, input_size=(size, size))
    units = [
        (i, j)
        for i in range(0, 24, 3)
        for j in range(0, 24, 3)
        if min(field.box(i, j)) >= 0 and max(field.box(i, j)) < size
    ]
    assert len(units) >= 4
    for unit in units:
        assert gradient_box(model, layer, unit, size) == field.box(*unit), (layer, unit)


def test_fields_reaching_into_zero_padding_are_clipped_by_the_image():
    model = positive_weights_and_average_pools(Branchy())
    field = receptive_field(model, "a", input_size=(40, 40))
    assert field.start == (-2, -2)  # F.pad's 1 top and 2 left rows, then the conv's own 1 row of padding
    for unit in [(0, 0), (1, 2), (3, 1)]:
        assert gradient_box(model, "a", unit, 40) == clipped(field.box(*unit), 40)


def test_unit_at_picks_the_unit_centred_nearest_to_a_pixel():
    field = receptive_field(torchvision.models.resnet18(), "layer2")
    assert field.center(0, 0) == (0.0, 0.0) and field.unit_at(17, 3, (8, 8)) == (2, 0)
    assert field.unit_at(1000, -5, (8, 8)) == (7, 0)


def test_upsampling_has_no_receptive_field_and_says_what_to_do():
    model = create_model("fcn32s", 3)
    with pytest.raises(ValueError, match="effective_receptive_field"):
        receptive_field(model, "upscore32")


def test_unknown_layer_lists_valid_names():
    with pytest.raises(ValueError, match="no layer 'layer9'.*conv1"):
        receptive_field(torchvision.models.resnet18(), "layer9")


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_has_a_field_for_its_first_encoder_stage(name):
    model = create_model(name, 3)
    layer = next(n for n, _ in model.named_modules() if n.endswith("encoder.layer1"))
    assert receptive_field(model, layer).size == (43, 43)
