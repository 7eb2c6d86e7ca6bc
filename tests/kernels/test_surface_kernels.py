"""The compiled surface kernels give the NumPy reference's numbers, as the engine calls them."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from lrsim.core.surfaces import SURFACES

# A second parameter vector for every surface that has parameters, so the kernels'
# use of p is checked away from the defaults too.
OTHER_PARAMS = {
    "quadratic": {"a": 2.5, "b": -0.5},
    "ill_conditioned": {"a": 0.3, "b": 50.0},
    "saddle": {"a": 0.5, "b": 3.0},
    "rosenbrock": {"a": -0.7, "b": 20.0},
    "rastrigin": {"A": 3.0},
    "ackley": {"a": 5.0, "b": 1.0, "c": 3.0},
    "two_basin": {"c": 0.3, "A": 2.0, "s": 0.6, "x0": -1.0, "y0": 1.5},
}


# Under NUMBA_DISABLE_JIT=1 (a coverage run of the kernel bodies) the kernels are plain
# Python: no dispatcher to inspect, and 0/0 or sin(inf) raise instead of giving nan.
compiled_only = pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="IEEE semantics and dispatcher options need compiled kernels"
)


@numba.njit
def _sweep(value_grad, xs, ys, p, out):
    """``value_grad`` called from compiled code, passed in as a function argument."""
    for i in range(xs.size):
        f, gx, gy = value_grad(xs[i], ys[i], p)
        out[0, i] = f
        out[1, i] = gx
        out[2, i] = gy


def _points(surface, p, n=300, seed=0):
    """Random points in the domain, its corners and the surface's critical points."""
    rng = np.random.default_rng(seed)
    (xmin, xmax), (ymin, ymax) = surface.domain
    xs = [rng.uniform(xmin, xmax, n), np.array([xmin, xmin, xmax, xmax])]
    ys = [rng.uniform(ymin, ymax, n), np.array([ymin, ymax, ymin, ymax])]
    critical = surface.critical_points(p)
    xs.append(np.array([pt.x for pt in critical]))
    ys.append(np.array([pt.y for pt in critical]))
    return np.concatenate(xs), np.concatenate(ys)


def _param_sets(name):
    surface = SURFACES[name]
    sets = [surface.param_vector({})]
    if name in OTHER_PARAMS:
        sets.append(surface.param_vector(OTHER_PARAMS[name]))
    return sets


# The kernels take sin/cos of 2 pi x by exact quarter-turn reduction (lrsim.core.surfaces.turns);
# NumPy's np.sin(2 * np.pi * x) first rounds the argument, an error of |2 pi x| * 1.1e-16
# that the derivative multiplies: allow that much more on the periodic surfaces.
TURNS = {"rastrigin": 5e-14, "ackley": 5e-14, "levi13": 5e-14}


@pytest.mark.parametrize("name", list(SURFACES))
def test_kernel_matches_reference(name):
    surface = SURFACES[name]
    relative_atol = TURNS.get(name, 1e-15)
    for p in _param_sets(name):
        xs, ys = _points(surface, p)
        got = np.empty((3, xs.size))
        _sweep(surface.value_grad, xs, ys, p, got)
        with np.errstate(invalid="ignore"):  # Ackley's 0/0 gradient at its minimum
            expected = np.array(surface.reference(xs, ys, p))
        for row, what in enumerate(("f", "gx", "gy")):
            scale = np.nanmax(np.abs(expected[row]))
            np.testing.assert_allclose(
                got[row],
                expected[row],
                rtol=1e-13,
                atol=relative_atol * scale,
                err_msg=f"{name} {what}",
            )


@pytest.mark.parametrize("name", list(SURFACES))
def test_kernel_called_from_python_returns_three_floats(name):
    surface = SURFACES[name]
    p = surface.param_vector({})
    (xmin, xmax), (ymin, ymax) = surface.domain
    result = surface.value_grad(0.3 * xmin + 0.7 * xmax, 0.6 * ymin + 0.4 * ymax, p)
    assert isinstance(result, tuple) and len(result) == 3
    assert all(isinstance(v, float) and math.isfinite(v) for v in result)


@compiled_only
@pytest.mark.parametrize("name", list(SURFACES))
def test_kernel_is_cached_numpy_error_model_without_fastmath(name):
    kernel = SURFACES[name].value_grad
    assert isinstance(kernel, numba.core.registry.CPUDispatcher)
    assert kernel.targetoptions.get("error_model") == "numpy"
    assert not kernel.targetoptions.get("fastmath", False)
    assert type(kernel._cache).__name__ == "FunctionCache"  # cache=True, so the app starts fast
    assert kernel.py_func.__module__ == "lrsim.core.surfaces.kernels"  # module level, not a closure
    assert kernel.py_func.__closure__ is None


@compiled_only
@pytest.mark.parametrize("name", list(SURFACES))
@pytest.mark.parametrize(
    "x, y",
    [(math.inf, 0.5), (-math.inf, math.inf), (math.nan, 1.0), (0.5, math.nan), (1e308, -1e308)],
)
def test_non_finite_inputs_give_ieee_results_not_exceptions(name, x, y):
    surface = SURFACES[name]
    result = surface.value_grad(x, y, surface.param_vector({}))
    assert len(result) == 3 and all(isinstance(v, float) for v in result)


def _default(name):
    return SURFACES[name].param_vector({})


@compiled_only
def test_ackley_is_exactly_zero_at_origin_with_nan_gradient_like_autograd():
    f, gx, gy = SURFACES["ackley"].value_grad(0.0, 0.0, _default("ackley"))
    assert f == 0.0
    assert math.isnan(gx) and math.isnan(gy)


def test_ackley_gradient_is_exact_zero_along_the_axis_direction():
    f, gx, gy = SURFACES["ackley"].value_grad(0.0, 0.5, _default("ackley"))
    assert gx == 0.0 and gy != 0.0


def test_beale_is_constant_on_x_zero_and_flat_in_x_at_one_one():
    kernel = SURFACES["beale"].value_grad
    p = _default("beale")
    for y in (-4.5, -1.0, 0.0, 0.3, 1.0, 2.0, 4.5):
        assert kernel(0.0, y, p)[0] == 14.203125
    assert kernel(1.0, 1.0, p)[1] == 0.0


@pytest.mark.parametrize(
    "name, x, y, value",
    [
        ("rosenbrock", 1.0, 1.0, 0.0),
        ("himmelblau", 3.0, 2.0, 0.0),
        ("booth", 1.0, 3.0, 0.0),
        ("matyas", 0.0, 0.0, 0.0),
        ("goldstein_price", 0.0, -1.0, 3.0),
        ("easom", math.pi, math.pi, -1.0),
        ("rastrigin", 0.0, 0.0, 0.0),
        ("quadratic", 0.0, 0.0, 0.0),
        ("saddle", 0.0, 0.0, 0.0),
    ],
)
def test_exact_values_at_minima(name, x, y, value):
    assert SURFACES[name].value_grad(x, y, _default(name))[0] == value


def test_levi13_minimum_is_exactly_zero_with_exact_turn_reduction():
    # libm gives sin(fl(3 pi))^2 = 1.35e-31 (REFERENCE 3.12); reducing 1.5 turns exactly gives 0
    f = SURFACES["levi13"].value_grad(1.0, 1.0, _default("levi13"))[0]
    assert f == 0.0
    assert math.sin(3.0 * math.pi) ** 2 < 1e-30


@pytest.mark.parametrize("name", list(SURFACES))
def test_evaluate_grid_is_the_kernel_on_the_meshgrid(name):
    surface = SURFACES[name]
    p = surface.param_vector({})
    (xmin, xmax), (ymin, ymax) = surface.domain
    xs = np.linspace(xmin, xmax, 7)  # odd counts: the grid holds the origin for Ackley
    ys = np.linspace(ymin, ymax, 5)
    grid = surface.evaluate_grid(xs, ys, p)
    assert grid.shape == (5, 7) and grid.dtype == np.float64
    expected = [[surface.value_grad(x, y, p)[0] for x in xs] for y in ys]
    assert grid.tolist() == expected
    with np.errstate(invalid="ignore"):
        reference = surface.reference(*np.meshgrid(xs, ys), p)[0]
    np.testing.assert_allclose(grid, reference, rtol=1e-13, atol=1e-15 * np.max(np.abs(reference)))


def test_evaluate_grid_accepts_lists_and_int_arrays():
    surface = SURFACES["rosenbrock"]
    grid = surface.evaluate_grid([-1, 0, 1], np.arange(2), surface.param_vector({}))
    assert grid.tolist() == [[104.0, 1.0, 100.0], [4.0, 101.0, 0.0]]
