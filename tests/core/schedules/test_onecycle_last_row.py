"""One-cycle's last row follows PyTorch, as docs/run-config.md says ("One-cycle's last row")."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.errors import ConfigError
from lrsim.core.schedules import schedule_curves, validate_schedule


def _curves(steps: int, **params):
    config = validate_schedule(
        {"name": "onecycle", **params}, momentum_kind="momentum", steps=steps
    )
    return schedule_curves(config, base_lr=0.1, base_momentum=0.9, steps=steps)


def test_cos_rises_again_at_step_n_as_torch_reports_it():
    lr, momentum = _curves(150, max_lr=0.1)
    assert lr[149] == lr[:150].min()  # the minimum at N - 1
    assert lr[150] > lr[149] and lr[150] == pytest.approx(lr[148], rel=1e-9)
    assert momentum[150] < momentum[149] and momentum[150] == pytest.approx(momentum[148])


def test_linear_overshoots_below_the_minimum_at_step_n():
    lr, _ = _curves(10, max_lr=0.1, anneal_strategy="linear")
    assert lr[10] == pytest.approx(-0.0143, abs=5e-5)  # what PyTorch 2.13 reports
    assert np.all(lr[:10] > 0)


def test_more_steps_than_total_steps_are_refused_as_torch_raises():
    with pytest.raises(ConfigError) as error:
        _curves(151, max_lr=0.1, total_steps=150)
    assert error.value.field == "total_steps"
