"""The poly learning-rate schedule with linear warm-up."""

import pytest

from workbench.engine import lr_at


def test_poly_decay_values():
    assert lr_at(0, base_lr=0.1, total_steps=100) == pytest.approx(0.1)
    assert lr_at(50, base_lr=0.1, total_steps=100) == pytest.approx(0.1 * 0.5**0.9)
    assert lr_at(75, base_lr=0.1, total_steps=100, power=1.0) == pytest.approx(0.025)
    assert lr_at(100, base_lr=0.1, total_steps=100) == 0.0
    assert lr_at(500, base_lr=0.1, total_steps=100) == 0.0


def test_warmup_rises_linearly_then_poly_starts_at_the_peak():
    rates = [lr_at(s, base_lr=1.0, total_steps=14, warmup_steps=4, power=1.0) for s in range(14)]
    assert rates[:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert rates[4] == pytest.approx(1.0)
    assert rates[9] == pytest.approx(0.5)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="total_steps"):
        lr_at(0, base_lr=0.1, total_steps=0)
    with pytest.raises(ValueError, match="warmup_steps"):
        lr_at(0, base_lr=0.1, total_steps=10, warmup_steps=10)
    with pytest.raises(ValueError, match="step must be"):
        lr_at(-1, base_lr=0.1, total_steps=10)
