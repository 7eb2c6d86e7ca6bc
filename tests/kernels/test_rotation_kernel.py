"""Rotated surfaces: the fused kernel against the NumPy reference engine, and the gradient."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.dispatch import surface_id
from lrsim.core.engine import Simulation
from lrsim.core.reference_engine import simulate_run
from lrsim.core.runfile import parse_runfile
from lrsim.core.surfaces import SURFACES
from lrsim.core.surfaces.rotation import cos_sin, rotated_value_grad_block, rotation_vector

# near R (1, 1), where Levi's ripples are calm (see test_engine_vs_reference.py)
CALM_DOMAINS = {"levi13": [[-0.4, 1.2], [0.6, 2.2]], "easom": [[1.0, 5.0], [1.0, 5.0]]}
RUNS = [
    {"optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9}},
    {"optimizer": {"name": "adam", "lr": 0.05}},
    {"optimizer": {"name": "rmsprop", "lr": 0.01}, "schedule": {"name": "cosine"}},
]


CALM_RUNS = [  # test_engine_vs_reference's: steps small enough for Levi's steep ripples
    {"optimizer": {"name": "adam", "lr": 0.02}, "schedule": {"name": "cosine"}},
    {"optimizer": {"name": "sgd", "lr": 1e-3, "momentum": 0.5}},
]


def _runfile(surface: dict, angle: float, runs=RUNS) -> dict:
    return parse_runfile(
        {
            "steps": 40,
            "surface": {**surface, "rotate": angle},
            "particles": {"random": {"n": 30, "seed": 5}},
            "runs": runs,
        }
    )


def _assert_engine_matches_reference(runfile):
    sim = Simulation(runfile)
    sim.run_to_end()
    for index, run in enumerate(sim.runs):
        expected = simulate_run(runfile, index)
        for key in ("x", "y", "loss"):
            np.testing.assert_allclose(
                getattr(run, key), expected[key], rtol=1e-11, atol=1e-12, err_msg=key
            )


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_every_built_in_turned_matches_the_reference(name):
    surface = {"name": name, **({"domain": CALM_DOMAINS[name]} if name in CALM_DOMAINS else {})}
    _assert_engine_matches_reference(_runfile(surface, 30.0, CALM_RUNS))


@pytest.mark.parametrize("angle", [45.0, 90.0, -120.0, 359.5])
def test_turned_formula_matches_the_reference(angle):
    surface = {"formula": "(x - 1)**2 + 4*(y + 0.5)**2 + 0.1*x*y**3"}
    _assert_engine_matches_reference(_runfile(surface, angle))


def test_kernel_gradient_is_r_times_the_gradient_at_r_inverse_p():
    reference = SURFACES["rosenbrock"].reference
    p = SURFACES["rosenbrock"].param_vector({})
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(-2, 2, 50), rng.uniform(-1, 3, 50)
    c, s = cos_sin(33.0)
    f, gx, gy = np.empty(50), np.empty(50), np.empty(50)
    which = surface_id(SURFACES["rosenbrock"].value_grad)
    rotated_value_grad_block(which, rotation_vector(33.0), xs, ys, p, f, gx, gy)
    u, v = c * xs + s * ys, -s * xs + c * ys
    f0, gu, gv = reference(u, v, p)
    np.testing.assert_allclose(f, f0, rtol=1e-14)
    np.testing.assert_allclose(gx, c * gu - s * gv, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(gy, s * gu + c * gv, rtol=1e-13, atol=1e-13)
    # and it is the gradient of f_rot: central differences agree
    h = 1e-6
    fx = (reference(c * (xs + h) + s * ys, -s * (xs + h) + c * ys, p)[0]
          - reference(c * (xs - h) + s * ys, -s * (xs - h) + c * ys, p)[0]) / (2 * h)  # fmt: skip
    np.testing.assert_allclose(gx, fx, rtol=1e-6, atol=1e-5)


def test_unrotated_block_is_the_plain_block():
    from lrsim.core.dispatch import value_grad_block

    p = SURFACES["himmelblau"].param_vector({})
    xs, ys = np.linspace(-5, 5, 70), np.linspace(5, -5, 70)
    plain = [np.empty(70) for _ in range(3)]
    turned = [np.empty(70) for _ in range(3)]
    which = surface_id(SURFACES["himmelblau"].value_grad)
    value_grad_block(which, xs, ys, p, *plain)
    rotated_value_grad_block(which, rotation_vector(0.0), xs, ys, p, *turned)
    for a, b in zip(plain, turned, strict=True):
        assert np.array_equal(a, b)
