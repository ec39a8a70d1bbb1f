"""DilatedConvExplorer: set a control, read the state it exposes."""

from workbench.ops.dilation import stacked_paths
from workbench.widgets import DilatedConvExplorer


def test_field_grows_with_rate_and_layers():
    w = DilatedConvExplorer(kernel_size=3, rate=1, layers=1)
    assert w.state["field"] == 3 and w.state["coverage"] == 1.0
    w.rate.value = 2
    assert w.state["field"] == 5 and w.state["kernel"].sum() == 9
    w.layers.value = 3
    assert w.state["field"] == 13 and w.state["rates"] == (2, 2, 2)
    assert (w.state["paths"] == stacked_paths(3, (2, 2, 2))).all()


def test_equal_rates_show_holes_that_hybrid_rates_fill():
    w = DilatedConvExplorer(kernel_size=3, rate=2, layers=2)
    assert w.state["coverage"] < 0.5 and "gridding" in w.info.value
    renders, image = w.state["renders"], w.stack_image.value
    w.pattern.value = "hybrid"
    assert w.state["rates"] == (1, 2) and w.state["coverage"] == 1.0 and "gridding" not in w.info.value
    assert w.state["renders"] == renders + 1 and w.stack_image.value != image
