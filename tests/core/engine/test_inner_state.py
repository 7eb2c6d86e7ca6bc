"""The inner-state series the app shows: effective step sizes and averaged points."""

from __future__ import annotations

import numpy as np

from lrsim.core.inner_state import EFFECTIVE, inner_series
from lrsim.core.optim.specs import OPTIMIZERS
from lrsim.core.runfile import parse_runfile


def _runfile(optimizers, steps=30, schedule=None):
    return parse_runfile(
        {
            "steps": steps,
            "surface": {"name": "booth"},
            "particles": {"points": [[-7.0, 6.0], [6.0, -5.0], [0.0, 0.0]]},
            "runs": [
                {"optimizer": o, **({"schedule": schedule} if schedule else {})} for o in optimizers
            ],
        }
    )


def test_every_optimizer_has_an_effective_step():
    assert set(EFFECTIVE) == set(OPTIMIZERS)


def test_sgd_shows_the_scheduled_lr_and_prodigy_d_times_lr():
    runfile = _runfile(
        [{"name": "sgd", "lr": 0.01}, {"name": "prodigy", "d0": 0.01}], schedule={"name": "cosine"}
    )
    sgd, prodigy = inner_series(runfile)
    assert np.isnan(sgd.effective[0])
    lrs = 0.01 * (1 + np.cos(np.pi * np.arange(30) / 30)) / 2
    np.testing.assert_allclose(sgd.effective[1:], lrs, rtol=1e-12)
    assert prodigy.what == "d * lr"
    # d starts at d0 (the first update cannot estimate it) and then grows: the step it finds
    assert prodigy.effective[1] == 0.01 * 1.0
    assert prodigy.effective[10] > 10 * prodigy.effective[1]


def test_adam_effective_step_is_lr_over_rms():
    (adam,) = inner_series(_runfile([{"name": "adam", "lr": 0.1}], steps=3))
    # first update: v_hat = g^2, so lr / (|g| + eps) per coordinate; median over them
    assert adam.what == "lr / (sqrt(v_hat) + eps)"
    assert 0 < adam.effective[1] < 0.1


def test_averaged_points_for_schedule_free_and_asgd():
    sf, asgd, adam = inner_series(
        _runfile(
            [
                {"name": "schedulefree_sgd", "lr": 0.02},
                {"name": "asgd", "lr": 0.02, "t0": 5},
                {"name": "adam", "lr": 0.1},
            ]
        )
    )
    assert adam.averaged is None
    assert sf.averaged.shape == (3, 31, 2) and np.isnan(sf.averaged[:, 0]).all()
    assert np.isfinite(sf.averaged[:, 1:]).all()
    # Schedule-Free's weights are uniform for a constant lr: c = 1 / n
    np.testing.assert_allclose(sf.effective[1:], 1 / np.arange(1, 31), rtol=1e-12)
    # ASGD's average equals theta until t0, then lags it
    assert np.isfinite(asgd.averaged[:, 1:]).all()
