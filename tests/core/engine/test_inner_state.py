"""The inner-state series the app shows: effective step sizes and averaged points."""

from __future__ import annotations

import numpy as np

from lrsim.core.inner_state import inner_series
from lrsim.core.optim.registry import OPTIMIZER_ENTRIES, OPTIMIZERS
from lrsim.core.runfile import parse_runfile
from lrsim.core.step_anatomy import StepAnatomy


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


def test_every_optimizer_declares_what_the_panel_and_the_anatomy_read():
    """Each entry names its effective step and computes it from its own slots (L-BFGS, on
    its own kernel path, is marked as having none); an adaptive one per coordinate (the
    anatomy reshapes it to (particles, 2)); an averaged point is a pair of rows."""
    rng = np.random.default_rng(0)
    particles = 5
    for name, item in OPTIMIZER_ENTRIES.items():
        assert item.effective, name
        if item.path == "lbfgs":
            assert item.effective_step is None and not item.adaptive, name
            assert item.split is None and item.averaged is None, name
            continue
        params = item.spec.resolve({})
        slots = rng.uniform(0.1, 1.0, size=(item.spec.n_slots, particles))
        values = np.asarray(item.effective_step(slots, 0.01, 0.9, 3.0, params), dtype=float)
        assert values.shape in ((particles,), (2, particles)), name
        assert np.isfinite(values).all() and (values > 0).all(), name
        if item.adaptive:
            assert values.shape == (2, particles), name
        if item.averaged is not None:
            x, y = rng.normal(size=particles), rng.normal(size=particles)
            ax, ay = item.averaged(slots, x, y, 0.9)
            assert np.shape(ax) == np.shape(ay) == (particles,), name


def test_every_optimizer_runs_through_the_panel_and_the_anatomy():
    """The inner-state series and the step anatomy of every registered id, from its entry."""
    runfile = _runfile([{"name": name} for name in OPTIMIZERS], steps=3)
    inner = inner_series(runfile)
    anatomy = StepAnatomy(runfile)
    for r, (name, item) in enumerate(OPTIMIZER_ENTRIES.items()):
        assert inner[r].what == item.effective, name
        assert (inner[r].averaged is not None) == (item.averaged is not None), name
        assert not np.isnan(inner[r].effective[1:]).all(), name
        a = anatomy.at(r, 1)
        assert a.exact == (item.split is not None), name
        assert (a.effective is not None) == item.adaptive, name
        assert (a.gradient_label, a.momentum_label) == item.split_labels, name


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
