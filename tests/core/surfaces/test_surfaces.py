"""Built-in surfaces: registry, parameters, gradients and critical points (REFERENCE 3).

Pure NumPy: these tests use the references, never compile a kernel
(tests/kernels checks the kernels give the references' numbers).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrsim.core.errors import ConfigError
from lrsim.core.surfaces import SURFACES, CriticalPoint, Surface, get_surface

CONTRACT_NAMES = {
    "quadratic",
    "ill_conditioned",
    "saddle",
    "rosenbrock",
    "himmelblau",
    "rastrigin",
    "ackley",
    "beale",
    "booth",
    "matyas",
    "goldstein_price",
    "three_hump_camel",
    "six_hump_camel",
    "styblinski_tang",
    "levi13",
    "easom",
    "two_basin",
}

# REFERENCE 3: (x, y, value as written there, kind). Values without a decimal point
# are exact; otherwise they hold to the digits given. Levi N.13's local minima are
# not in REFERENCE ("very many"): they are the six nearest, found and checked here.
REFERENCE_POINTS = {
    "quadratic": [(0, 0, "0", "global_min")],
    "ill_conditioned": [(0, 0, "0", "global_min")],
    "saddle": [(0, 0, "0", "saddle")],
    "rosenbrock": [(1, 1, "0", "global_min")],
    "himmelblau": [
        (3, 2, "0", "global_min"),
        (-2.805118, 3.131313, "0", "global_min"),
        (-3.779310, -3.283186, "0", "global_min"),
        (3.584428, -1.848127, "0", "global_min"),
        (-0.270845, -0.923039, "181.6165", "max"),
        (0.086678, 2.884255, "67.719", "saddle"),
        (-3.073026, -0.081353, "104.015", "saddle"),
        (3.385154, 0.073852, "13.312", "saddle"),
        (-0.127961, -1.953715, "178.337", "saddle"),
    ],
    "ackley": [
        (0, 0, "0", "global_min"),
        (0.952167, 0, "2.579928", "local_min"),
        (-0.952167, 0, "2.579928", "local_min"),
        (0, 0.952167, "2.579928", "local_min"),
        (0, -0.952167, "2.579928", "local_min"),
    ],
    "beale": [(3, 0.5, "0", "global_min"), (0, 1, "14.203125", "saddle")],
    "booth": [(1, 3, "0", "global_min")],
    "matyas": [(0, 0, "0", "global_min")],
    "goldstein_price": [
        (0, -1, "3", "global_min"),
        (-0.6, -0.4, "30.0", "local_min"),
        (1.8, 0.2, "84.0", "local_min"),
        (1.2, 0.8, "840.0", "local_min"),
    ],
    "three_hump_camel": [
        (0, 0, "0", "global_min"),
        (1.747552, -0.873776, "0.298638", "local_min"),
        (-1.747552, 0.873776, "0.298638", "local_min"),
        (1.070542, -0.535271, "0.877362", "saddle"),
        (-1.070542, 0.535271, "0.877362", "saddle"),
    ],
    "six_hump_camel": [
        (0.089842, -0.712656, "-1.031628", "global_min"),
        (-0.089842, 0.712656, "-1.031628", "global_min"),
        (1.703607, -0.796084, "-0.215464", "local_min"),
        (-1.703607, 0.796084, "-0.215464", "local_min"),
        (1.607105, 0.568651, "2.104250", "local_min"),
        (-1.607105, -0.568651, "2.104250", "local_min"),
        (0, 0, "0", "saddle"),
    ],
    "styblinski_tang": [
        (-2.903534, -2.903534, "-78.332331", "global_min"),
        (-2.903534, 2.746803, "-64.195612", "local_min"),
        (2.746803, -2.903534, "-64.195612", "local_min"),
        (2.746803, 2.746803, "-50.058893", "local_min"),
        (0.156731, 0.156731, "0.391225", "max"),
        (-2.903534, 0.156731, "-38.970553", "saddle"),
        (0.156731, -2.903534, "-38.970553", "saddle"),
        (2.746803, 0.156731, None, "saddle"),
        (0.156731, 2.746803, None, "saddle"),
    ],
    "levi13": [
        (1, 1, "1.35e-31", "global_min"),
        (0.670381, 1, "0.109874", "local_min"),
        (1.329619, 1, "0.109874", "local_min"),
        (0.671666, 1.266107, "0.288712", "local_min"),
        (0.671666, 0.733893, "0.288712", "local_min"),
        (1.328334, 1.266107, "0.288712", "local_min"),
        (1.328334, 0.733893, "0.288712", "local_min"),
    ],
    "easom": [(math.pi, math.pi, "-1", "global_min")],
    "two_basin": [
        (3.2e-13, 3.2e-13, "-3.95e-15", "global_min"),
        (1.917209, 1.917209, "0.167788", "local_min"),
        (1.489496, 1.489496, "0.372236", "saddle"),
    ],
}

# REFERENCE 3: Hessian eigenvalues (ascending) at (x, y), to the digits given (rounded or,
# as for Levi's 18 pi^2 + 2 = 179.65..., truncated).
REFERENCE_EIGENVALUES = [
    ("quadratic", 0, 0, "1", "1"),
    ("ill_conditioned", 0, 0, "1", "20"),
    ("saddle", 0, 0, "-2", "2"),
    ("rosenbrock", 1, 1, "0.399", "1001.6"),
    ("himmelblau", 3, 2, "25.7", "82.3"),
    ("rastrigin", 0, 0, "396.8", "396.8"),
    ("ackley", 0.952167, 0, "47.5", "55.1"),
    ("beale", 3, 0.5, "0.301", "49.0"),
    ("beale", 0, 1, "-27.75", "27.75"),
    ("booth", 1, 3, "2", "18"),
    ("matyas", 0, 0, "0.04", "1.0"),
    ("goldstein_price", 0, -1, "403", "965"),
    ("three_hump_camel", 0, 0, "1.586", "4.414"),
    ("styblinski_tang", -2.903534, -2.903534, "34.58", "34.58"),
    ("levi13", 1, 1, "2", "179.6"),
    ("easom", math.pi, math.pi, "3", "3"),
    ("two_basin", 0, 0, "0.2", "0.2"),
    ("two_basin", 1.917209, 1.917209, "4.313", "4.831"),
]

COORD_TOL = 5e-7 + 1e-12  # REFERENCE rounds coordinates to 6 decimals


def _rounded(actual: float, written: str, units: float = 0.5) -> bool:
    """``actual`` rounds to ``written``: within ``units`` of its last digit."""
    mantissa, _, exponent = written.lower().partition("e")
    decimals = len(mantissa.partition(".")[2]) - int(exponent or 0)
    return abs(actual - float(written)) <= units * 10.0**-decimals * (1.0 + 1e-9) + 1e-13


def _close(actual: float, written: str) -> bool:
    """Like ``_rounded``, but a value REFERENCE writes as an integer is exact (to 1e-9)."""
    if "." not in written and "e" not in written:
        return abs(actual - float(written)) <= 1e-9 * max(1.0, abs(float(written)))
    return _rounded(actual, written)


def _default(name: str) -> np.ndarray:
    return SURFACES[name].param_vector({})


def _gradient(surface: Surface, x, y, p):
    with np.errstate(all="ignore"):
        _, gx, gy = surface.reference(np.float64(x), np.float64(y), p)
    return gx, gy


def _hessian_eigenvalues(surface: Surface, x: float, y: float, p) -> np.ndarray:
    """Central differences of the analytic gradient (independent of the module's own)."""
    h = 1e-5 * max(1.0, abs(x), abs(y))
    columns = []
    for dx, dy in ((h, 0.0), (0.0, h)):
        plus = np.array(_gradient(surface, x + dx, y + dy, p))
        minus = np.array(_gradient(surface, x - dx, y - dy, p))
        columns.append((plus - minus) / (2.0 * h))
    hessian = np.array(columns).T
    return np.linalg.eigvalsh(0.5 * (hessian + hessian.T))


def _kind_of(eigenvalues: np.ndarray) -> str:
    low, high = eigenvalues
    if low > 0:
        return "min"
    if high < 0:
        return "max"
    assert low < 0 < high, eigenvalues
    return "saddle"


# --- registry -------------------------------------------------------------------------


def test_registry_holds_exactly_the_contract_names():
    assert set(SURFACES) == CONTRACT_NAMES
    for name, surface in SURFACES.items():
        assert surface.name == name
        assert get_surface(name) is surface


@pytest.mark.parametrize("bad", ["nope", "Rosenbrock", "", 3, None])
def test_unknown_surface_names_the_field_and_the_choices(bad):
    with pytest.raises(ConfigError) as caught:
        get_surface(bad)
    assert caught.value.field == "name"
    assert caught.value.problem.startswith(f"unknown surface {bad!r} (expected one of: ")
    assert "rosenbrock" in caught.value.problem and "two_basin" in caught.value.problem


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_surface_metadata_is_complete(name):
    surface = SURFACES[name]
    assert surface.title and surface.description.endswith(".")
    assert all(spec.kind == "float" and spec.doc for spec in surface.params)
    (xmin, xmax), (ymin, ymax) = surface.domain
    assert xmin < xmax and ymin < ymax
    assert isinstance(surface.log_scale, bool)


@pytest.mark.parametrize(
    "name, domain",
    [
        ("rosenbrock", ((-2, 2), (-1, 3))),
        ("himmelblau", ((-5, 5), (-5, 5))),
        ("rastrigin", ((-5.12, 5.12), (-5.12, 5.12))),
        ("ackley", ((-5, 5), (-5, 5))),
        ("beale", ((-4.5, 4.5), (-4.5, 4.5))),
        ("booth", ((-10, 10), (-10, 10))),
        ("matyas", ((-10, 10), (-10, 10))),
        ("goldstein_price", ((-2, 2), (-2, 2))),
        ("three_hump_camel", ((-5, 5), (-5, 5))),
        ("six_hump_camel", ((-3, 3), (-2, 2))),
        ("styblinski_tang", ((-5, 5), (-5, 5))),
        ("levi13", ((-10, 10), (-10, 10))),
        ("easom", ((-100, 100), (-100, 100))),
    ],
)
def test_domains_are_reference_domains(name, domain):
    assert SURFACES[name].domain == domain


def test_log_scale_is_suggested_where_values_span_decades():
    for name in ("rosenbrock", "beale", "goldstein_price"):
        assert SURFACES[name].log_scale
    for name in ("quadratic", "rastrigin", "ackley", "easom", "two_basin"):
        assert not SURFACES[name].log_scale


# --- parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, defaults",
    [
        ("quadratic", {"a": 1.0, "b": 1.0}),
        ("ill_conditioned", {"a": 1.0, "b": 20.0}),
        ("saddle", {"a": 1.0, "b": 1.0}),
        ("rosenbrock", {"a": 1.0, "b": 100.0}),
        ("rastrigin", {"A": 10.0}),
        ("ackley", {"a": 20.0, "b": 0.2, "c": 2.0 * math.pi}),
        ("two_basin", {"c": 0.1, "A": 0.6, "s": 0.35, "x0": 2.0, "y0": 2.0}),
        ("himmelblau", {}),
        ("easom", {}),
    ],
)
def test_param_vector_defaults_follow_params_order(name, defaults):
    surface = SURFACES[name]
    assert [spec.name for spec in surface.params] == list(defaults)
    vector = surface.param_vector({})
    assert vector.dtype == np.float64 and vector.shape == (len(defaults),)
    assert vector.tolist() == list(defaults.values())


def test_param_vector_overrides_some_and_fills_the_rest():
    assert SURFACES["rosenbrock"].param_vector({"b": 10}).tolist() == [1.0, 10.0]
    assert SURFACES["two_basin"].param_vector({"x0": -1.5}).tolist() == [0.1, 0.6, 0.35, -1.5, 2.0]


@pytest.mark.parametrize(
    "name, overrides, field",
    [
        ("rosenbrock", {"c": 1.0}, "c"),
        ("himmelblau", {"a": 1.0}, "a"),
        ("rosenbrock", {"a": "1"}, "a"),
        ("rosenbrock", {"b": True}, "b"),
        ("rastrigin", {"A": math.nan}, "A"),
        ("two_basin", {"s": 0.0}, "s"),
        ("two_basin", {"c": -0.1}, "c"),
        ("ackley", {"c": 0.0}, "c"),
    ],
)
def test_bad_params_raise_config_error_naming_the_key(name, overrides, field):
    with pytest.raises(ConfigError) as caught:
        SURFACES[name].param_vector(overrides)
    assert caught.value.field == field


# --- formulas -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_gradient_matches_central_differences(name):
    surface = SURFACES[name]
    p = _default(name)
    rng = np.random.default_rng(1)
    (xmin, xmax), (ymin, ymax) = surface.domain
    x = rng.uniform(xmin, xmax, 200)
    y = rng.uniform(ymin, ymax, 200)
    f, gx, gy = surface.reference(x, y, p)
    hx = 1e-6 * np.maximum(1.0, np.abs(x))
    hy = 1e-6 * np.maximum(1.0, np.abs(y))
    fd_x = (surface.reference(x + hx, y, p)[0] - surface.reference(x - hx, y, p)[0]) / (2 * hx)
    fd_y = (surface.reference(x, y + hy, p)[0] - surface.reference(x, y - hy, p)[0]) / (2 * hy)
    scale = 1e-7 * (np.hypot(gx, gy) + 1e-3 * np.abs(f) + 1e-9)  # REFERENCE saw <= 3e-8
    assert np.all(np.abs(fd_x - gx) <= scale), np.max(np.abs(fd_x - gx) / scale)
    assert np.all(np.abs(fd_y - gy) <= scale), np.max(np.abs(fd_y - gy) / scale)


@pytest.mark.parametrize(
    "name, x, y, value",
    [
        ("rosenbrock", -1.2, 1.0, "24.2"),
        ("quadratic", -4.0, 3.5, "14.125"),
        ("ill_conditioned", 1.0, 1.0, "10.5"),
        ("saddle", 1.0, 2.0, "-3"),
        ("beale", 0.0, -3.0, "14.203125"),
        ("booth", 0.0, 0.0, "74"),
        ("easom", math.pi, math.pi, "-1"),
    ],
)
def test_spot_values(name, x, y, value):
    f = SURFACES[name].reference(np.float64(x), np.float64(y), _default(name))[0]
    assert _close(float(f), value)


def test_ackley_is_zero_at_origin_where_its_gradient_is_undefined():
    surface = SURFACES["ackley"]
    with np.errstate(invalid="ignore"):
        f, gx, gy = surface.reference(np.float64(0.0), np.float64(0.0), _default("ackley"))
    assert f == 0.0 and np.isnan(gx) and np.isnan(gy)


# --- critical points ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFERENCE_POINTS))
def test_critical_points_are_reference_points(name):
    surface = SURFACES[name]
    found = list(surface.critical_points(_default(name)))
    expected = REFERENCE_POINTS[name]
    assert len(found) == len(expected)
    for x, y, value, kind in expected:
        matches = [pt for pt in found if abs(pt.x - x) <= COORD_TOL and abs(pt.y - y) <= COORD_TOL]
        assert len(matches) == 1, (x, y)
        assert matches[0].kind == kind, (x, y)
        assert value is None or _close(matches[0].value, value), (x, y, matches[0].value)


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_critical_points_are_stationary_with_the_kind_the_hessian_gives(name):
    surface = SURFACES[name]
    p = _default(name)
    points = surface.critical_points(p)
    assert points[0].kind == ("saddle" if name == "saddle" else "global_min")
    _check_points(surface, p, points)


def _check_points(surface: Surface, p: np.ndarray, points) -> None:
    kinds = [pt.kind for pt in points]
    assert kinds == sorted(kinds, key=("global_min", "local_min", "saddle", "max").index)
    for pt in points:
        assert isinstance(pt, CriticalPoint) and isinstance(pt.value, float)
        with np.errstate(invalid="ignore"):
            f = surface.reference(np.float64(pt.x), np.float64(pt.y), p)[0]
        assert pt.value == float(f)
        if surface.name == "ackley" and (pt.x, pt.y) == (0.0, 0.0):
            assert pt.kind == "global_min" and pt.value == 0.0  # a cusp: no gradient to check
            continue
        gx, gy = _gradient(surface, pt.x, pt.y, p)
        assert math.hypot(gx, gy) <= 1e-9 * max(1.0, abs(pt.value)), (pt, gx, gy)
        kind = _kind_of(_hessian_eigenvalues(surface, pt.x, pt.y, p))
        assert pt.kind.endswith(kind), (pt, kind)
    minima = [pt.value for pt in points if pt.kind.endswith("_min")]
    globals_ = [pt.value for pt in points if pt.kind == "global_min"]
    if minima:
        assert globals_ and max(globals_) <= min(minima) + 1e-9 * max(1.0, abs(min(minima)))


@pytest.mark.parametrize("name, x, y, low, high", REFERENCE_EIGENVALUES)
def test_hessian_eigenvalues_at_reference_points(name, x, y, low, high):
    eigenvalues = _hessian_eigenvalues(SURFACES[name], x, y, _default(name))
    assert _rounded(eigenvalues[0], low, 1.0), eigenvalues
    assert _rounded(eigenvalues[1], high, 1.0), eigenvalues


def test_rastrigin_lists_every_critical_point_in_its_domain():
    surface = SURFACES["rastrigin"]
    points = surface.critical_points(_default("rastrigin"))
    kinds = [pt.kind for pt in points]
    assert kinds.count("global_min") == 1 and kinds.count("local_min") == 120
    assert kinds.count("saddle") == 220 and kinds.count("max") == 100
    (xmin, xmax), (ymin, ymax) = surface.domain
    for pt in points:
        assert xmin <= pt.x <= xmax and ymin <= pt.y <= ymax
        if pt.kind.endswith("_min"):  # near an integer point, pulled slightly towards 0
            i, j = round(pt.x), round(pt.y)
            assert abs(pt.x) <= abs(i) and abs(pt.x - i) < 0.03 and abs(pt.y - j) < 0.03
            assert 0.97 * (i * i + j * j) <= pt.value <= i * i + j * j
    by_place = {(round(pt.x, 6), round(pt.y, 6)): pt for pt in points}
    assert by_place[(0.994959, 0.0)].value == pytest.approx(0.994959, abs=1e-6)
    assert by_place[(-0.994959, 0.994959)].value == pytest.approx(1.989918, abs=1e-6)
    assert by_place[(0.502546, 0.0)].kind == "saddle"
    assert by_place[(0.502546, 0.0)].value == pytest.approx(20.251, abs=5e-4)


def test_critical_points_are_cached_per_parameter_vector():
    surface = SURFACES["rastrigin"]
    assert surface.critical_points(_default("rastrigin")) is surface.critical_points(
        np.array([10.0])
    )


def test_critical_points_reject_a_wrong_length_vector():
    with pytest.raises(ConfigError):
        SURFACES["rosenbrock"].critical_points(np.array([1.0]))


# --- critical points under changed parameters -----------------------------------------


def _points(name, **overrides):
    surface = SURFACES[name]
    p = surface.param_vector(overrides)
    points = surface.critical_points(p)
    _check_points(surface, p, points)
    return [(pt.x, pt.y, pt.kind) for pt in points]


def test_rosenbrock_minimum_moves_to_a_a_squared():
    assert _points("rosenbrock", a=2.0) == [(2.0, 4.0, "global_min")]
    assert _points("rosenbrock", a=-0.5, b=3.0) == [(-0.5, 0.25, "global_min")]
    assert _points("rosenbrock", b=-1.0) == [(1.0, 1.0, "saddle")]


def test_quadratic_family_kind_follows_the_curvatures():
    assert _points("quadratic", a=-1.0) == [(0.0, 0.0, "saddle")]
    assert _points("quadratic", a=-1.0, b=-2.0) == [(0.0, 0.0, "max")]
    assert _points("ill_conditioned", a=0.5) == [(0.0, 0.0, "global_min")]
    assert _points("saddle", b=-1.0) == [(0.0, 0.0, "global_min")]


def test_ackley_ripple_minima_scale_with_the_ripple_period():
    points = _points("ackley", c=math.pi)
    assert points[0] == (0.0, 0.0, "global_min")
    assert len(points) == 5
    for x, y, kind in points[1:]:
        assert kind == "local_min" and 1.7 < max(abs(x), abs(y)) < 2.0 and min(abs(x), abs(y)) == 0


def test_rastrigin_without_ripples_is_a_bowl():
    assert _points("rastrigin", A=0.0) == [(0.0, 0.0, "global_min")]
    assert _points("rastrigin", A=0.05) == [(0.0, 0.0, "global_min")]
    assert len(_points("rastrigin", A=1.0)) < 441


@pytest.mark.parametrize(
    "overrides, kinds",
    [
        ({}, ["global_min", "local_min", "saddle"]),
        ({"A": 0.1}, ["global_min"]),  # the well is too shallow to hold a minimum
        ({"A": 3.0}, ["global_min", "local_min", "saddle"]),  # the well becomes the global one
        ({"x0": 3.0, "y0": -1.0, "s": 0.1}, ["global_min", "local_min", "saddle"]),
        ({"s": 0.01, "A": 100.0}, ["global_min", "local_min", "saddle"]),
        ({"x0": 0.0, "y0": 0.0}, ["global_min"]),
        ({"A": -0.6}, ["global_min", "saddle", "max"]),
    ],
)
def test_two_basin_points_follow_the_well(overrides, kinds):
    points = _points("two_basin", **overrides)
    assert [kind for _, _, kind in points] == kinds


def test_two_basin_deep_well_is_the_global_minimum():
    (x, y, kind), *_ = _points("two_basin", A=3.0)
    assert kind == "global_min" and x == pytest.approx(1.98376, abs=1e-5) and x == y
