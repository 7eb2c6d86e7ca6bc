"""Convergence statistics: numbers a lecturer can check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile
from lrsim.core.stats import compute_run_stats, stats_table


def _sim(surface, points, runs, steps=30):
    runfile = parse_runfile(
        {
            "steps": steps,
            "surface": {"name": surface},
            "particles": {"points": points},
            "runs": runs,
        }
    )
    sim = Simulation(runfile)
    sim.run_to_end()
    return sim


def test_iterations_on_a_bowl_match_the_closed_form():
    # GD with lr 0.5 on 0.5 (x^2 + y^2) halves the distance every step: 2^-k <= 1e-2 at k = 7,
    # and the loss 0.5 * 4^-k <= 1e-3 at k = 5
    sim = _sim("quadratic", [[1.0, 0.0], [0.0, -1.0]], [{"optimizer": {"name": "sgd", "lr": 0.5}}])
    stats = compute_run_stats(sim, 0)
    assert stats.iterations_to_dist_tol == 7
    assert stats.iterations_to_loss_tol == 5
    assert stats.reached_fraction == 1.0
    assert stats.final_loss_worst == 0.5 * 4.0**-30
    assert stats.basin_counts == {"global (0, 0)": 2}
    assert stats.global_fraction == 1.0
    assert stats.diverged == 0


def test_statistics_follow_the_playback_step():
    sim = _sim("quadratic", [[1.0, 0.0]], [{"optimizer": {"name": "sgd", "lr": 0.5}}])
    early = compute_run_stats(sim, 0, step=3)
    assert early.step == 3
    assert math.isnan(early.iterations_to_dist_tol)  # not there yet at step 3
    assert early.reached_fraction == 0.0
    assert early.final_loss_median == 0.5 * 4.0**-3


def test_basins_and_divergence_on_two_basin():
    # from inside the narrow well, lr 0.3 stays there (REFERENCE 3.16); lr 30 blows up
    runs = [
        {"label": "stuck", "optimizer": {"name": "sgd", "lr": 0.3}},
        {"label": "wild", "optimizer": {"name": "sgd", "lr": 30.0}},
    ]
    sim = _sim("two_basin", [[2.3, 1.6], [0.3, -0.2]], runs, steps=200)
    stuck, wild = stats_table(sim)
    assert stuck.basin_counts == {"local (1.92, 1.92)": 1, "global (0, 0)": 1}
    assert stuck.global_fraction == 0.5
    assert wild.diverged == 2
    assert wild.basin_counts == {}
    assert wild.global_fraction == 0.0


def test_surface_without_minima_reports_nan_distances():
    sim = _sim("saddle", [[1.0, 0.0]], [{"optimizer": {"name": "sgd", "lr": 0.1}}])
    stats = compute_run_stats(sim, 0)
    assert math.isnan(stats.distance_median) and stats.basin_counts == {}


def test_sharpness_is_the_hessian_at_the_end_points():
    # two_basin: the narrow local well has eigenvalues 4.313 / 4.831, the wide bowl 0.2 / 0.2
    runs = [{"label": "stuck", "optimizer": {"name": "sgd", "lr": 0.3}}]
    sim = _sim("two_basin", [[2.3, 1.6]], runs, steps=300)
    stats = compute_run_stats(sim, 0)
    assert abs(stats.sharpness_median - 4.831) < 2e-3
    assert abs(stats.flatness_median - 4.313) < 2e-3
    sim = _sim("two_basin", [[0.3, -0.2]], runs, steps=300)
    assert abs(compute_run_stats(sim, 0).sharpness_median - 0.2) < 1e-4


def test_basins_are_where_the_descent_ends_not_where_the_particle_is():
    from lrsim.core.stats import DIVERGED_BASIN, ELSEWHERE_BASIN, basin_assignments

    runs = [
        {"optimizer": {"name": "sgd", "lr": 30.0}},
        {"optimizer": {"name": "sgd", "lr": 1e-4}},
        {"optimizer": {"name": "sgd", "lr": 0.3}},
    ]
    sim = _sim("two_basin", [[0.3, -0.2], [2.3, 1.6]], runs, steps=200)
    minima, wild = basin_assignments(sim, 0)
    assert wild.tolist() == [DIVERGED_BASIN, DIVERGED_BASIN]
    kinds = [point.kind for point in minima]
    # lr 1e-4 barely moves, but each start already lies in a basin: the descent decides
    for run, step in ((1, None), (2, None), (2, 0)):
        _, labels = basin_assignments(sim, run, step)
        assert [kinds[i] for i in labels] == ["global_min", "local_min"]
    # on Easom's plateau the gradient underflows to 0: the descent cannot start
    flat = _sim("easom", [[-80.0, 70.0], [3.0, 3.2]], runs[1:2], steps=5)
    _, labels = basin_assignments(flat, 0)
    assert labels[0] == ELSEWHERE_BASIN and labels[1] >= 0


def test_a_rosenbrock_particle_in_the_valley_counts_for_the_minimum():
    # loss ~0.003 at 0.12 from (1, 1): the old 2 % radius called it "elsewhere"
    runs = [{"optimizer": {"name": "sgd", "lr": 1e-9}}]
    sim = _sim("rosenbrock", [[0.946, 0.892], [-1.5, 2.5]], runs, steps=1)
    assert sim.runs[0].loss[0, -1] < 0.01
    stats = compute_run_stats(sim, 0)
    assert stats.basin_counts == {"global (1, 1)": 2}
    assert stats.global_fraction == 1.0


def test_a_particle_orbiting_a_minimum_keeps_its_basin_at_every_step():
    from lrsim.core.stats import basin_assignments

    # plain GD with lr 0.5 in the narrow well overshoots the bottom at every step: a 2-cycle
    runs = [{"optimizer": {"name": "sgd", "lr": 0.5}}]
    sim = _sim("two_basin", [[2.3, 2.1]], runs, steps=120)
    distances = np.hypot(sim.runs[0].x[0] - 2.0, sim.runs[0].y[0] - 2.0)
    old_radius = 0.02 * math.hypot(6.0, 6.0)  # the former rule: 2 % of the domain diagonal
    assert distances[60:].max() > old_radius > distances[1:].min()  # it flickered
    labels = {int(basin_assignments(sim, 0, step)[1][0]) for step in range(121)}
    assert len(labels) == 1 and sim.critical_points()  # one basin at every step
    minima = [p for p in sim.critical_points() if p.kind in ("global_min", "local_min")]
    assert minima[labels.pop()].kind == "local_min"


def test_stats_command_writes_one_row_per_run(tmp_path):
    import csv

    from lrsim.cli import main

    out = tmp_path / "stats.csv"
    preset = "resources/presets/fixed-vs-decay.toml"
    assert main(["stats", preset, "-o", str(out), "-q"]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["label"] for r in rows][0] == "fixed lr 1.8"
    assert float(rows[2]["iterations_to_dist_tol"]) == 4.0
    assert float(rows[0]["sharpness_median"]) == pytest.approx(1.0, rel=1e-6)
    assert main(["stats", preset, "--loss-tol", "0"]) == 2


def test_statistics_under_a_stride_describe_the_recorded_step_they_show():
    runfile_data = {
        "steps": 12,
        "surface": {"name": "quadratic"},
        "particles": {"points": [[1.0, 0.0]]},
        "runs": [{"optimizer": {"name": "sgd", "lr": 0.5}}],
    }
    from lrsim.core.runfile import parse_runfile

    sim = Simulation(parse_runfile(runfile_data), stride=3)
    sim.run_to_end()
    stats = compute_run_stats(sim, 0, step=4)  # steps 0, 3, 6, ... are recorded
    assert stats.step == 3
    assert stats.final_loss_median == 0.5 * 4.0**-3
    assert compute_run_stats(sim, 0, step=-5).step == 0  # clamped, not an IndexError


@pytest.mark.parametrize("name", ["six_hump_camel", "himmelblau", "rastrigin", "rosenbrock"])
def test_the_atlas_gives_the_descents_own_answer(name):
    from lrsim.core.basins import BasinAtlas, classify
    from lrsim.core.surfaces import SURFACES

    surface = SURFACES[name]
    p = surface.param_vector({})
    minima = [c for c in surface.critical_points(p) if c.kind in ("global_min", "local_min")]
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(1)
    x = rng.uniform(x0 - 0.5, x1 + 0.5, 3000)  # a few outside the domain too
    y = rng.uniform(y0 - 0.5, y1 + 0.5, 3000)
    exact = classify(surface.reference, p, x, y, minima, surface.domain, 0.01)
    atlas = BasinAtlas(surface.reference, p, minima, surface.domain, 0.01)
    agree = np.mean(atlas.classify(x, y) == exact)
    assert agree > 0.995, agree
