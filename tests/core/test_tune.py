"""`lrsim.core.tune` and `lrsim tune`: metrics as defined, batched, deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.cli import main
from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import load_runfile, parse_runfile, runfile_to_dict
from lrsim.core.tune import coarse_grid, refine_grid, run_metrics, tune_runfile


def _data(runs, steps=20, surface=None, n=8):
    return {
        "steps": steps,
        "surface": surface or {"name": "quadratic"},
        "particles": {"random": {"n": n, "seed": 1}},
        "runs": runs,
    }


def test_final_loss_is_the_median_with_diverged_particles_worst():
    # quadratic bowl: lr 1 lands on the minimum in one step, lr 10 multiplies by -9 a step
    data = _data(
        [{"optimizer": {"name": "sgd", "lr": 1.0}}, {"optimizer": {"name": "sgd", "lr": 10.0}}]
    )
    data["particles"] = {"points": [[1.0, 1.0], [2.0, -1.0], [-3.0, 0.5]]}
    sim = Simulation(parse_runfile(data))
    sim.run_to_end()
    assert sim.runs[1].diverged.all()
    assert list(run_metrics(sim, "final_loss")) == [0.0, np.inf]
    assert list(run_metrics(sim, "iterations")) == [1.0, 21.0]  # never: steps + 1


def test_iterations_is_the_median_first_step_under_the_tolerance():
    # SGD lr 0.5 on 0.5 x^2 halves x each step: loss 0.5 x0^2 / 4^t
    data = _data([{"optimizer": {"name": "sgd", "lr": 0.5}}], steps=30)
    data["particles"] = {"points": [[1.0, 0.0], [4.0, 0.0], [64.0, 0.0]]}
    sim = Simulation(parse_runfile(data))
    sim.run_to_end()
    # first t with 0.5 x0^2 / 4^t <= 1e-3: x0 = 1 -> 5, x0 = 4 -> 7, x0 = 64 -> 10
    assert run_metrics(sim, "iterations") == [7.0]
    assert run_metrics(sim, "iterations", loss_tol=0.6) == [2.0]  # 0, 2, 5


def test_grids_are_log_spaced_and_hold_the_run_s_own_value():
    grid = coarse_grid("lr", 0.003)
    assert grid[0] == 1e-4 and grid[-1] == 10.0 and 0.003 in grid
    ratios = np.diff(np.log10(grid[grid != 0.003]))
    assert np.allclose(ratios, 1 / 3, atol=0.01)
    assert coarse_grid("lr", 500.0)[-1] == 5000.0  # the range widens to cover the run
    momentum = coarse_grid("momentum", 0.9)
    assert momentum[0] == 0.0 and momentum[-1] == 0.999 and 0.9 in momentum
    fine = refine_grid("lr", grid, int(np.searchsorted(grid, 0.1)))
    assert len(fine) >= 6 and fine.min() > 0.0464 and fine.max() < 0.215


def test_sgd_on_the_bowl_finds_lr_one_in_two_simulations():
    runfile = parse_runfile(
        _data([{"optimizer": {"name": "sgd", "lr": 0.01}}, {"optimizer": {"name": "adam"}}])
    )
    result = tune_runfile(runfile)
    sgd, adam = result.runs
    (search,) = sgd.searches
    assert search.best_value == 1.0 and search.best_metric == 0.0
    assert search.start_value == 0.01 and search.start_metric > 0.0
    assert np.all(np.diff(search.values) > 0) and len(search.values) == len(search.metrics)
    assert result.simulations == 2  # coarse grids of both runs, then both refines
    assert result.candidate_runs == sum(len(t.searches[0].values) for t in result.runs)
    assert adam.searches[0].best_metric <= adam.searches[0].start_metric  # never worse
    assert result.runfile.runs[0].optimizer.written["lr"] == 1.0
    assert result.runfile.runs[1].optimizer.written == {
        "name": "adam",
        "lr": adam.searches[0].best_value,
    }


def test_tuning_is_deterministic_with_noise():
    data = _data(
        [{"optimizer": {"name": "adam", "lr": 0.1}}, {"optimizer": {"name": "sgd", "lr": 0.1}}],
        surface={"name": "himmelblau"},
    )
    data["noise"] = {"sigma": 2.0, "seed": 4}
    runfile = parse_runfile(data)
    first = tune_runfile(runfile, ("lr", "momentum"))
    second = tune_runfile(runfile, ("lr", "momentum"))
    assert runfile_to_dict(first.runfile) == runfile_to_dict(second.runfile)
    for a, b in zip(first.runs, second.runs, strict=True):
        for sa, sb in zip(a.searches, b.searches, strict=True):
            assert np.array_equal(sa.values, sb.values) and np.array_equal(sa.metrics, sb.metrics)


def test_momentum_and_runs_it_does_not_apply_to():
    runs = [
        {"optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.5, "nesterov": True}},
        {"optimizer": {"name": "adam", "lr": 0.05, "betas": [0.8, 0.95]}},
        {"optimizer": {"name": "adagrad", "lr": 0.5}},
        {"optimizer": {"name": "sgd"}, "schedule": {"name": "onecycle", "max_lr": 0.5}},
    ]
    result = tune_runfile(parse_runfile(_data(runs, surface={"name": "booth"})), ("momentum", "lr"))
    nesterov, adam, adagrad, onecycle = result.runs
    # nesterov refuses momentum 0: that candidate scores as the worst, nothing breaks
    assert nesterov.searches[0].metrics[nesterov.searches[0].values == 0.0][0] == np.inf
    assert result.runfile.runs[1].optimizer.written["betas"][1] == 0.95  # only beta1 is tuned
    assert result.runfile.runs[1].optimizer.written["betas"][0] == adam.searches[0].best_value
    assert adagrad.searches[0].skipped and "no momentum" in adagrad.searches[0].note
    assert not adagrad.searches[1].skipped
    assert onecycle.searches[0].skipped and onecycle.searches[1].skipped
    assert "onecycle" in onecycle.searches[1].note
    assert result.runfile.runs[3] == parse_runfile(_data(runs)).runs[3]


def test_bad_requests_name_the_option():
    runfile = parse_runfile(_data([{"optimizer": {"name": "sgd"}}]))
    for kwargs, field in (({"metric": "speed"}, "metric"), ({"params": ("beta",)}, "param")):
        with pytest.raises(ConfigError) as caught:
            tune_runfile(runfile, **kwargs)
        assert caught.value.field == field
    with pytest.raises(ConfigError) as caught:
        tune_runfile(runfile, ("lr",), "iterations", memory_budget=10_000)
    assert "memory budget" in caught.value.problem
    formula = parse_runfile(_data([{"optimizer": {"name": "sgd"}}], surface={"formula": "x + y"}))
    with pytest.raises(ConfigError) as caught:
        tune_runfile(formula, ("lr",), "iterations")
    assert caught.value.field == "--metric"


def test_cancel_stops_the_search():
    runfile = parse_runfile(_data([{"optimizer": {"name": "sgd"}}]))
    assert tune_runfile(runfile, cancel=lambda: True) is None


def test_cli_writes_a_tuned_run_file(tmp_path, capsys):
    source = tmp_path / "in.toml"
    source.write_text(
        'steps = 20\n[surface]\nname = "quadratic"\n[particles]\npoints = [[1.0, 2.0]]\n'
        '[[runs]]\noptimizer = { name = "sgd", lr = 0.01 }\n'
    )
    out = tmp_path / "tuned.toml"
    assert main(["tune", str(source), "-o", str(out), "-q", "--metric", "iterations"]) == 0
    printed = capsys.readouterr().out
    assert "best 1 -> iterations 1" in printed and "<- best" in printed
    assert load_runfile(out).runs[0].optimizer.written["lr"] == 1.0
    assert main(["tune", str(source), "-o", str(tmp_path / "no" / "t.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "t.toml" in err
    assert main(["tune", str(source), "--param", "eps"]) == 2
    assert "--param" in capsys.readouterr().err
    assert main(["tune", str(source), "--loss-tol", "0"]) == 2
    assert capsys.readouterr().err.startswith("lrsim: --loss-tol:")
    # the memory budget is the command's too: a tiny one refuses the search in one line
    assert main(["tune", str(source), "-q", "--metric", "iterations", "--memory-budget", "1K"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "memory budget" in err
