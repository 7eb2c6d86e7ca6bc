"""L-BFGS's numba path against its plain-Python reference (one step(closure) per row)."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.lbfgs_kernel import cubic_interpolate
from lrsim.core.optim import lbfgs
from lrsim.core.reference_engine import simulate_run
from lrsim.core.runfile import parse_runfile

RUNS = [
    {"optimizer": {"name": "lbfgs", "lr": 0.05, "max_iter": 3}},
    {"optimizer": {"name": "lbfgs", "max_iter": 2, "line_search_fn": "strong_wolfe"}},
    {
        "optimizer": {"name": "lbfgs", "lr": 0.1, "history_size": 2, "max_eval": 3},
        "schedule": {"name": "step", "step_size": 3, "gamma": 0.5},
    },
]


def _runfile(surface, runs, steps=6, **more):
    return parse_runfile(
        {
            "steps": steps,
            "surface": {"name": surface},
            "particles": {"random": {"n": 25, "seed": 5}},
            "runs": runs,
            **more,
        }
    )


@pytest.mark.parametrize("surface", ["himmelblau", "booth", "three_hump_camel"])
def test_kernel_matches_reference(surface):
    runfile = _runfile(surface, RUNS)
    sim = Simulation(runfile)
    sim.run_to(2)
    sim.run_to_end()  # in two blocks: the history carries over
    for index in range(len(RUNS)):
        expected = simulate_run(runfile, index)
        run = sim.runs[index]
        for key in ("x", "y", "loss"):
            np.testing.assert_allclose(
                getattr(run, key), expected[key], rtol=1e-10, atol=1e-11, err_msg=key
            )
        np.testing.assert_array_equal(run.frozen_at, expected["frozen_at"])
        assert not np.allclose(run.x[:, -1], run.x[:, 0])  # it moved


def test_cubic_interpolation_matches_the_reference():
    rng = np.random.default_rng(3)
    for _ in range(200):
        a, fa, ga, b, fb, gb = rng.normal(size=6)
        lo, hi = sorted(rng.normal(size=2))
        for bounds in (None, (lo, hi)):
            expected = lbfgs.cubic_interpolate(a, fa, ga, b, fb, gb, bounds)
            actual = cubic_interpolate(
                a, fa, ga, b, fb, gb, bounds is not None, *(bounds or (0.0, 0.0))
            )
            assert actual == expected


def test_quadratic_is_solved_in_one_row_with_strong_wolfe():
    runfile = parse_runfile(
        {
            "steps": 2,
            "surface": {"name": "booth"},
            "particles": {"points": [[-7.0, 6.0]]},
            "runs": [{"optimizer": {"name": "lbfgs", "line_search_fn": "strong_wolfe"}}],
        }
    )
    sim = Simulation(runfile)
    sim.run_to_end()
    # from loss 1e2 to below 1e-8 in a single step(closure) call (it stops on tolerance_change)
    assert sim.runs[0].loss[0, 0] > 100 and sim.runs[0].loss[0, 1] < 1e-8
    assert abs(sim.runs[0].x[0, 1] - 1.0) < 1e-4 and abs(sim.runs[0].y[0, 1] - 3.0) < 1e-4


@pytest.mark.parametrize(
    "run, more, field",
    [
        ({"schedule": {"name": "plateau"}}, {}, "runs[0].schedule.name"),
        ({}, {"noise": {"sigma": 0.1}}, "runs[0].noise"),
        ({"lr_scales": [1.0, 0.5]}, {}, "runs[0].lr_scales"),
        ({"loss_decay": True, "schedule": {"name": "cosine"}}, {}, "runs[0].loss_decay"),
    ],
)
def test_options_that_assume_one_gradient_per_row_are_refused(run, more, field):
    runfile = _runfile("booth", [{"optimizer": {"name": "lbfgs"}, **run}], **more)
    with pytest.raises(ConfigError) as raised:
        Simulation(runfile)
    assert raised.value.field == field


@pytest.mark.parametrize(
    "given, field",
    [({"max_iter": 0}, "max_iter"), ({"history_size": 0}, "history_size"),
     ({"max_eval": 0}, "max_eval"), ({"line_search_fn": "wolfe"}, "line_search_fn")],
)  # fmt: skip
def test_bad_parameters_name_the_field(given, field):
    with pytest.raises(ConfigError) as raised:
        lbfgs.SPEC.resolve(given)
    assert raised.value.field == field
