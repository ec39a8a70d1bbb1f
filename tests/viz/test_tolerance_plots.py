import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest
from matplotlib.figure import Figure

import workbench as wb
from workbench.metrics import evaluate
from workbench.metrics.catalog import TOLERANCES


def _scores(shift):
    rng = np.random.default_rng(shift)
    target = np.repeat(np.repeat(rng.integers(0, 3, (2, 6, 8)), 8, 1), 8, 2)
    pred = np.roll(target, shift, axis=2)
    return evaluate(pred, target, 3, tolerances=True)


@pytest.mark.parametrize("key", ["boundary_f1", "nsd", "boundary_miou"])
def test_one_line_per_model_with_its_band_and_the_default_marked(key):
    ax = Figure().subplots()
    models = {"near": _scores(1), "far": _scores(4), "farther": _scores(7)}
    lines = wb.viz.plot_tolerance_curves(ax, models, key=key, image_size=(48, 64), resamples=20)
    assert [line.get_label() for line in lines] == list(models)
    model_lines = [line for line in ax.get_lines() if line.get_label() in models]
    assert len(model_lines) == 3 and len(ax.collections) == 3  # one interval band each
    np.testing.assert_array_equal(lines[1].get_xdata(), TOLERANCES)
    np.testing.assert_allclose(lines[1].get_ydata(), models["far"].tolerance_curve(key, intervals=False)["value"])
    default = [line for line in ax.get_lines() if line.get_label().startswith("default")]
    assert len(default) == 1 and default[0].get_xdata()[0] == wb.viz.default_tolerance(key, 48, 64)
    assert "(px)" in ax.get_xlabel() and ax.get_legend() is not None


def test_without_image_size_the_rule_is_stated():
    ax = Figure().subplots()
    wb.viz.plot_tolerance_curves(ax, {"a": _scores(2)}, key="nsd", intervals=False)
    assert len(ax.get_lines()) == 1 and not ax.collections
    assert "0.0075" in ax.get_legend().get_title().get_text()
