"""ReceptiveFieldExplorer: set a control, read the state it exposes."""

import numpy as np
import pytest

from workbench.analysis import receptive_field
from workbench.data import SyntheticShapes
from workbench.models import create_model
from workbench.widgets import ReceptiveFieldExplorer, encoder_stages


@pytest.fixture(scope="module")
def explorer():
    image, _ = SyntheticShapes(num_images=1, image_size=(40, 56), seed=0)[0]
    return ReceptiveFieldExplorer(
        image, {"fcn32s": create_model("fcn32s", 3), "pspnet": create_model("pspnet", 3)}, num_samples=1, scale=1
    )


def test_encoder_stages_are_the_direct_children_of_the_encoder():
    stages = encoder_stages(create_model("unet", 3))
    assert list(stages) == ["conv1", "maxpool", "layer1", "layer2", "layer3", "layer4"]
    assert stages["conv1"] == "net.encoder.conv1"


def test_moving_the_pixel_moves_the_box_by_the_jump(explorer):
    explorer.model.value, explorer.layer.value = "fcn32s", "layer2"
    explorer.x.value, explorer.y.value = 20, 20
    field = receptive_field(create_model("fcn32s", 3), "encoder.layer2")
    assert explorer.state["field"] == field and explorer.state["module"] == "encoder.layer2"
    unit = explorer.state["unit"]
    assert unit == (3, 3) and explorer.state["box"] == field.box(3, 3)  # centres at 8 i: 20 is halfway, the later wins
    explorer.x.value = 29
    assert explorer.state["unit"] == (3, 4) and explorer.state["box"][1] == field.box(3, 3)[1] + 8


def test_pixels_the_unit_cannot_see_are_dimmed(explorer):
    explorer.model.value, explorer.layer.value = "fcn32s", "maxpool"
    explorer.x.value, explorer.y.value = 30, 20
    top, left, bottom, right = explorer.state["box"]
    rgb, shown = explorer.rgb, explorer.state["rgb"]
    assert (bottom - top, right - left) == (10, 10)
    inside = (slice(top + 1, top + 4), slice(left + 1, right))  # above the yellow 3 x 3 centre mark
    np.testing.assert_array_equal(shown[inside], rgb[inside])
    assert (shown[:top].astype(int) <= rgb[:top].astype(int)).all() and (shown[:top] != rgb[:top]).any()


def test_changing_the_model_keeps_a_layer_it_has(explorer):
    explorer.model.value = "fcn32s"
    explorer.layer.value = "layer4"
    renders = explorer.state["renders"]
    explorer.model.value = "pspnet"  # cut after layer2: the deepest stage it has is chosen
    assert explorer.layer.options == ("conv1", "maxpool", "layer1", "layer2")
    assert explorer.state["layer"] == "layer2" and explorer.state["renders"] > renders
    assert explorer.erf.value != b"" and explorer.precomputed["pspnet"].erf.max() == 1.0
