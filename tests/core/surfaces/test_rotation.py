"""``[surface] rotate``: parsing, saving, the turned maths; rotate = 0 changes nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.export import export_csv
from lrsim.core.runfile import load_runfile, parse_runfile, runfile_to_dict, save_runfile
from lrsim.core.surfaces.rotation import RotatedSurface, cos_sin, rotation_vector


def _data(rotate=None, **surface):
    surface = surface or {"name": "himmelblau"}
    if rotate is not None:
        surface["rotate"] = rotate
    return {
        "steps": 20,
        "surface": surface,
        "particles": {"random": {"n": 25, "seed": 2}},
        "runs": [{"optimizer": {"name": "adam", "lr": 0.1}}],
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("45", "number of degrees"),
        (True, "number of degrees"),
        (361.0, "between -360 and 360"),
        (-1e300, "between -360 and 360"),
        (10**400, "64-bit range"),  # JSON integers have no size limit
    ],
)
def test_a_bad_angle_names_the_field(value, problem):
    with pytest.raises(ConfigError) as caught:
        parse_runfile(_data(value))
    assert caught.value.field == "surface.rotate" and problem in caught.value.problem


def test_rotate_round_trips_through_the_writer(tmp_path):
    runfile = parse_runfile(_data(30))
    assert runfile.surface.rotate == 30.0
    path = tmp_path / "turned.toml"
    save_runfile(runfile, path)
    assert "rotate = 30.0" in path.read_text()
    assert load_runfile(path) == runfile
    formula = parse_runfile(_data(-15.5, formula="x**2 + 3*y**2"))
    assert parse_runfile(runfile_to_dict(formula)).surface.rotate == -15.5
    assert "rotate" not in runfile_to_dict(parse_runfile(_data(0.0)))["surface"]


@pytest.mark.parametrize("angle", [None, 0, 0.0, -0.0, 360, -360.0])
def test_no_turn_is_bit_identical_to_no_key(angle, tmp_path):
    plain = Simulation(parse_runfile(_data()))
    turned = Simulation(parse_runfile(_data(angle)))
    assert rotation_vector(angle).size == 0 and turned.rotation.size == 0
    assert not isinstance(turned.surface, RotatedSurface)
    for sim, name in ((plain, "a.csv"), (turned, "b.csv")):
        sim.run_to_end()
        export_csv(sim, tmp_path / name)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_quarter_turns_are_exact():
    assert cos_sin(90) == (0.0, 1.0) and cos_sin(-90) == (0.0, -1.0)
    assert cos_sin(180) == (-1.0, 0.0) and cos_sin(270) == (0.0, -1.0)
    assert cos_sin(450 - 360) == (0.0, 1.0)
    c, s = cos_sin(30)
    assert c == math.cos(math.radians(30)) and s == math.sin(math.radians(30))


def test_reference_is_f_of_r_inverse_p():
    sim = Simulation(parse_runfile(_data(90)))
    base = sim.surface.base
    xs, ys = np.array([1.0, -2.5, 3.0]), np.array([0.5, 4.0, -1.0])
    f, gx, gy = sim.surface.reference(xs, ys, sim.surface_params)
    f0, gu, gv = base.reference(ys, -xs, sim.surface_params)  # R^-1 (x, y) = (y, -x)
    assert np.array_equal(f, f0)
    assert np.array_equal(gx, -gv) and np.array_equal(gy, gu)  # R (gu, gv) = (-gv, gu)


@pytest.mark.parametrize("angle", [30.0, 90.0, -135.0])
def test_critical_points_turn_with_the_surface(angle):
    sim = Simulation(parse_runfile(_data(angle)))
    base = sim.surface.base.critical_points(sim.surface_params)
    turned = sim.critical_points()
    assert len(turned) == len(base) == 9
    c, s = cos_sin(angle)
    for original, point in zip(base, turned, strict=True):
        assert point.kind == original.kind and point.value == original.value
        assert point.x == pytest.approx(c * original.x - s * original.y, abs=1e-12)
        assert point.y == pytest.approx(s * original.x + c * original.y, abs=1e-12)
        at = np.array([point.x]), np.array([point.y])
        _, gx, gy = sim.surface.reference(*at, sim.surface_params)
        assert abs(gx[0]) < 1e-8 and abs(gy[0]) < 1e-8  # still a critical point


def test_formula_minima_are_searched_in_the_box_given():
    data = _data(90, formula="(x - 3)**2 + (y - 1)**2", domain=[[-5.0, 5.0], [-5.0, 5.0]])
    sim = Simulation(parse_runfile(data))
    (point,) = sim.critical_points()
    assert point.kind == "global_min"
    assert (point.x, point.y) == pytest.approx((-1.0, 3.0), abs=1e-6)
    assert sim.domain == ((-5.0, 5.0), (-5.0, 5.0))  # the domain stays the box given
    # a minimum turned out of the box is not listed
    outside = _data(90, formula="(x - 3)**2 + (y - 1)**2", domain=[[0.0, 5.0], [0.0, 5.0]])
    assert Simulation(parse_runfile(outside)).critical_points() == ()


def test_views_grid_is_the_turned_surface():
    sim = Simulation(parse_runfile(_data(45)))
    xs, ys = np.linspace(-5, 5, 7), np.linspace(-4, 4, 5)
    grid = sim.surface.evaluate_grid(xs, ys, sim.surface_params)
    gx, gy = np.meshgrid(xs, ys)
    expected = sim.surface.reference(gx.ravel(), gy.ravel(), sim.surface_params)[0]
    np.testing.assert_allclose(grid.ravel(), expected, rtol=1e-14)
    assert sim.surface.name == "himmelblau" and "45" in sim.surface.title


def test_statistics_follow_the_turn():
    """Distance to the turned minima, iterations and sharpness: SGD's are the same turned."""
    from lrsim.core.stats import stats_table

    c, s = cos_sin(60.0)
    starts = [[-3.0, 2.0], [1.0, 4.0], [2.5, -3.5]]
    base = {
        "steps": 60,
        "surface": {"name": "himmelblau"},
        "particles": {"points": starts},
        "runs": [{"optimizer": {"name": "sgd", "lr": 0.005}}],
    }
    turned = {
        **base,
        "surface": {"name": "himmelblau", "rotate": 60.0},
        "particles": {"points": [[c * x - s * y, s * x + c * y] for x, y in starts]},
    }
    tables = []
    for data in (base, turned):
        sim = Simulation(parse_runfile(data), allow_stride=False)
        sim.run_to_end()
        tables.append(stats_table(sim)[0])
    plain, rotated = tables
    assert rotated.iterations_to_loss_tol == plain.iterations_to_loss_tol
    assert rotated.iterations_to_dist_tol == plain.iterations_to_dist_tol
    assert rotated.global_fraction == plain.global_fraction == 1.0
    assert rotated.distance_median == pytest.approx(plain.distance_median, abs=1e-12)
    assert rotated.sharpness_median == pytest.approx(plain.sharpness_median, rel=1e-6)
    assert sorted(rotated.basin_counts.values()) == sorted(plain.basin_counts.values())
