"""UnpoolingExplorer without a browser: pick a method and scale, read the state."""

import pytest
import torch
import torch.nn.functional as F

from workbench.widgets.unpooling import UnpoolingExplorer


@pytest.fixture(scope="module")
def explorer():
    return UnpoolingExplorer(size=8, scales=(2, 3, 4), scale=2, method="max")


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_every_method_matches_torch(explorer, scale):
    explorer.scale.value = scale
    x = explorer.input[None, None]
    pooled, indices = F.max_pool2d(x, scale, return_indices=True)
    explorer.method.value = "max"
    state = explorer.state
    torch.testing.assert_close(state["pooled"], pooled[0, 0])
    expected = torch.nn.MaxUnpool2d(scale)(pooled, indices, output_size=x.shape[-2:])[0, 0]
    torch.testing.assert_close(state["output"], expected)
    assert state["shapes"] == {"input": (8, 8), "pooled": tuple(pooled.shape[-2:]), "output": (8, 8)}
    rows, cols = state["sources"].T
    torch.testing.assert_close(explorer.input[rows, cols], pooled.reshape(-1))
    explorer.method.value = "nearest"
    torch.testing.assert_close(explorer.state["output"], F.interpolate(pooled, scale_factor=scale)[0, 0])
    explorer.method.value = "bed of nails"
    nails = explorer.state["output"]
    assert nails.shape == (8 // scale * scale,) * 2
    torch.testing.assert_close(nails[::scale, ::scale], pooled[0, 0])
    assert nails.count_nonzero() == pooled.count_nonzero()


def test_controls_only_pick_precomputed_results(explorer):
    assert len(explorer.walkthroughs) == 9
    renders = explorer.state["renders"]
    explorer.method.value, explorer.scale.value = "nearest", 3
    walk = explorer.walkthroughs[("nearest", 3)]
    assert explorer.state["output"] is walk.output
    assert explorer.state["renders"] > renders
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "nearest" in explorer.status.value


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="every scale <= size"):
        UnpoolingExplorer(size=3, scales=(2, 4), scale=2)
    with pytest.raises(ValueError, match="method must be one of"):
        UnpoolingExplorer(method="bilinear")
