"""The anatomy of a step: gradient part + momentum part is the recorded update."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.runfile import load_runfile, parse_runfile
from lrsim.core.step_anatomy import StepAnatomy

OPTIMIZERS = [
    {"name": "sgd", "lr": 0.01},
    {"name": "sgd", "lr": 0.01, "momentum": 0.9},
    {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    {"name": "sgd", "lr": 0.01, "momentum": 0.8, "dampening": 0.3},
    {"name": "adam", "lr": 0.3},
    {"name": "adam", "lr": 0.3, "amsgrad": True, "weight_decay": 0.05},
    {"name": "adamw", "lr": 0.3, "weight_decay": 0.1},
    {"name": "adagrad", "lr": 0.5},
]


def _runfile(noise=False):
    data = {
        "steps": 25,
        "surface": {"name": "booth"},
        "particles": {"points": [[-7.0, 6.0], [6.0, -5.0], [0.5, 0.2]]},
        "runs": [{"optimizer": o} for o in OPTIMIZERS],
    }
    if noise:
        data["noise"] = {"sigma": 0.7, "batch_size": 1, "seed": 3}
    return parse_runfile(data)


@pytest.mark.parametrize("noise", [False, True])
def test_the_parts_add_up_to_the_recorded_update(noise):
    runfile = _runfile(noise)
    recorded = Simulation(runfile)
    recorded.run_to_end()
    anatomy = StepAnatomy(runfile)
    for t in (0, 1, 2, 10, 24):
        for r, optimizer in enumerate(OPTIMIZERS):
            a = anatomy.at(r, t)
            run = recorded.runs[r]
            col = list(recorded.recorded_steps).index(t)
            assert np.array_equal(a.position[:, 0], run.x[:, col])
            want = np.stack([run.x[:, col + 1] - run.x[:, col], run.y[:, col + 1] - run.y[:, col]])
            assert np.allclose(a.update, want.T, rtol=0, atol=0), optimizer
            assert a.exact, optimizer
            total = a.gradient_part + a.momentum_part
            scale = np.abs(a.update).max() + 1e-300
            assert np.abs(total - a.update).max() <= 1e-12 * scale, (optimizer, t)


def test_the_gradient_part_is_minus_lr_g_and_the_first_step_has_no_momentum():
    path = "resources/presets/momentum-two-arrows.toml"
    anatomy = StepAnatomy(load_runfile(path))
    a = anatomy.at(1, 0)  # momentum 0.9: torch's first buffer is g itself
    x, y = -4.5, -3.0
    g = np.array([0.5 * (x + y) + 50 * (x - y), 0.5 * (x + y) - 50 * (x - y)])
    assert np.allclose(a.gradient_part[0], -0.01 * g, rtol=1e-12)
    assert np.all(a.momentum_part == 0.0)
    b = anatomy.at(1, 5)
    assert np.any(b.momentum_part != 0.0)
    c = anatomy.at(2, 3)  # Adam: the effective step, per coordinate
    assert c.effective.shape == (1, 2) and np.all(c.effective > 0)
    assert anatomy.at(0, 4).effective is None
    again = anatomy.at(1, 5)  # after a step back (a fresh replay): the same numbers
    assert np.array_equal(again.momentum_part, b.momentum_part)
    assert np.array_equal(again.update, b.update)


def test_other_optimizers_give_the_update_only():
    runfile = parse_runfile(
        {
            "steps": 5,
            "surface": {"name": "booth"},
            "particles": {"points": [[1.0, 2.0]]},
            "runs": [{"optimizer": {"name": "lion", "lr": 0.1}}],
        }
    )
    a = StepAnatomy(runfile).at(0, 2)
    assert not a.exact and a.gradient_part is None and a.update.shape == (1, 2)
