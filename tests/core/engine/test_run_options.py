"""Run options beyond PyTorch: per-coordinate lr scales and loss decay."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.reference_engine import simulate_run
from lrsim.core.runfile import load_runfile, parse_runfile, save_runfile

DECAY = {"name": "exponential", "gamma": 0.9}


def _sim(runs, surface="ill_conditioned", steps=30, points=((-4.0, 3.0), (2.0, -1.0))):
    runfile = parse_runfile(
        {
            "steps": steps,
            "surface": {"name": surface},
            "particles": {"points": [list(p) for p in points]},
            "runs": runs,
        }
    )
    sim = Simulation(runfile)
    sim.run_to_end()
    return runfile, sim


def test_lr_scales_follow_the_closed_form_on_a_bowl():
    # GD on 0.5 (x^2 + 20 y^2): x *= 1 - lr * sx, y *= 1 - lr * sy * 20 per step
    runs = [{"optimizer": {"name": "sgd", "lr": 0.5}, "lr_scales": [1.0, 0.05]}]
    _, sim = _sim(runs, steps=10)
    steps = np.arange(11)
    np.testing.assert_allclose(sim.runs[0].x[0], -4.0 * 0.5**steps, rtol=1e-14)
    np.testing.assert_allclose(sim.runs[0].y[0], 3.0 * 0.5**steps, rtol=1e-14)


def test_loss_decay_equals_lr_decay_for_plain_sgd_but_not_for_adam():
    runs = [
        {"optimizer": {"name": "sgd", "lr": 0.09}, "schedule": DECAY},
        {"optimizer": {"name": "sgd", "lr": 0.09}, "schedule": DECAY, "loss_decay": True},
        {"optimizer": {"name": "adam", "lr": 0.5}, "schedule": DECAY},
        {"optimizer": {"name": "adam", "lr": 0.5}, "schedule": DECAY, "loss_decay": True},
        {"optimizer": {"name": "adam", "lr": 0.5}},
    ]
    runfile, sim = _sim(runs)
    lr_decay, loss_decay = sim.runs[0], sim.runs[1]
    np.testing.assert_allclose(loss_decay.x, lr_decay.x, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(loss_decay.y, lr_decay.y, rtol=1e-12, atol=1e-15)
    assert np.all(loss_decay.lr == 0.09)  # the optimizer's rate stays put
    np.testing.assert_allclose(loss_decay.loss_scale_curve, 0.9 ** np.arange(31), rtol=1e-14)
    adam_lr, adam_loss, adam_constant = sim.runs[2], sim.runs[3], sim.runs[4]
    # Adam normalises the gradient's scale away: scaling the loss is not decaying the rate
    # (exactly so for the first update, whose step is lr * sign(g); later the second moment
    # lags the shrinking gradients, which slows Adam in a way of its own)
    np.testing.assert_allclose(adam_loss.x[:, 1], adam_constant.x[:, 1], rtol=1e-12)
    assert np.max(np.abs(adam_loss.x - adam_lr.x)) > 0.5
    for index in range(len(runs)):
        expected = simulate_run(runfile, index)
        np.testing.assert_allclose(sim.runs[index].x, expected["x"], rtol=1e-11, atol=1e-12)


def test_options_round_trip_and_validate(tmp_path):
    data = {
        "steps": 5,
        "surface": {"name": "quadratic"},
        "particles": {"points": [[1.0, 1.0]]},
        "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}, "lr_scales": [2.0, 0.5]}],
    }
    runfile = parse_runfile(data)
    save_runfile(runfile, tmp_path / "r.toml")
    assert load_runfile(tmp_path / "r.toml").runs[0].lr_scales == (2.0, 0.5)
    bad = dict(data, runs=[dict(data["runs"][0], lr_scales=[1.0, 0.0])])
    with pytest.raises(ConfigError, match=r"runs\[0\]\.lr_scales\[1\]"):
        parse_runfile(bad)
    plateau = dict(data["runs"][0], schedule={"name": "plateau"}, loss_decay=True)
    with pytest.raises(ConfigError, match=r"runs\[0\]\.loss_decay"):
        parse_runfile(dict(data, runs=[plateau]))


def test_runs_can_override_the_noise_and_share_the_draws():
    data = {
        "steps": 20,
        "surface": {"name": "quadratic"},
        "particles": {"random": {"n": 50, "seed": 1}},
        "noise": {"sigma": 2.0, "seed": 5},
        "runs": [
            {"optimizer": {"name": "sgd", "lr": 0.1}},
            {"optimizer": {"name": "sgd", "lr": 0.1}, "noise": {"batch_size": 4}},
            {"optimizer": {"name": "sgd", "lr": 0.1}, "noise": {"sigma": 0.0}},
        ],
    }
    runfile = parse_runfile(data)
    sim = Simulation(runfile)
    sim.run_to_end()
    quiet = sim.runs[2]
    # on a bowl the path is linear in the noise: batch 4 halves every deviation, same draws
    deviation_1 = sim.runs[0].x - quiet.x
    deviation_4 = sim.runs[1].x - quiet.x
    np.testing.assert_allclose(deviation_4, deviation_1 / 2, rtol=1e-9, atol=1e-12)
    for index in range(3):
        expected = simulate_run(runfile, index)
        np.testing.assert_allclose(sim.runs[index].x, expected["x"], rtol=1e-11, atol=1e-12)
    with pytest.raises(ConfigError, match=r"runs\[0\]\.noise\.seed"):
        parse_runfile(dict(data, runs=[dict(data["runs"][0], noise={"seed": 3})]))
