"""LR range test: the suggested bounds respect the known stability limits; CSV and command."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lrsim.cli import main
from lrsim.core.errors import ConfigError
from lrsim.core.lr_find import (
    CSV_COLUMNS,
    DEFAULT_SMOOTHING,
    lr_range_test,
    round_lr,
    smooth_curve,
    write_curve_csv,
)
from lrsim.core.runfile import parse_runfile, runfile_to_dict, save_runfile


def _runfile(surface: str, optimizer: dict, *, n: int = 128, params: dict | None = None, **extra):
    data = {
        "steps": 60,
        "surface": {"name": surface, **({"params": params} if params else {})},
        "particles": {"random": {"n": n, "seed": 3}},
        "runs": [
            {
                "label": "tested",
                "optimizer": optimizer,
                "schedule": {"name": "step", "step_size": 5},
            },
            {"label": "other", "optimizer": {"name": "adam", "lr": 0.1}},
        ],
        **extra,
    }
    return parse_runfile(data)


@pytest.fixture(scope="module")
def quadratic_sgd():
    return lr_range_test(_runfile("quadratic", {"name": "sgd", "lr": 0.3}))


@pytest.fixture(scope="module")
def rosenbrock_sgd():
    return lr_range_test(_runfile("rosenbrock", {"name": "sgd", "lr": 1e-3}))


# ----------------------------------------------------------------------------- suggestions


def test_quadratic_sgd_upper_bound_is_below_the_stability_limit(quadratic_sgd):
    # GD on 0.5 (x^2 + y^2) multiplies the gap by (1 - lr)^2: stable only while lr < 2
    result = quadratic_sgd
    assert result.suggested_lower < result.suggested_upper < 2.0
    # ... and it is the largest lr of the sweep's grid below 2 (grid ratio 10^0.07)
    gamma = result.lrs[1] / result.lrs[0]
    assert result.suggested_upper * gamma > 2.0
    i_upper = int(np.flatnonzero(result.stable_lrs == result.suggested_upper)[0])
    assert result.stable[: i_upper + 1].all() and not result.stable[i_upper + 1]


def test_ill_conditioned_sgd_upper_bound_respects_the_steep_direction():
    # curvature 20 along y: stable only while lr < 2 / 20, although the sweep's loss
    # keeps falling (along x) well past 0.1
    result = lr_range_test(_runfile("ill_conditioned", {"name": "sgd", "lr": 0.01}))
    assert result.suggested_lower < result.suggested_upper < 0.1
    assert result.suggested_upper > 0.1 / (result.lrs[1] / result.lrs[0])
    assert result.lr_at_min > 0.1  # the lag the constant-lr check corrects


def test_ill_conditioned_params_are_the_surfaces_not_a_default():
    result = lr_range_test(
        _runfile("ill_conditioned", {"name": "sgd", "lr": 0.01}, params={"b": 50.0})
    )
    assert result.suggested_upper < 2 / 50


def test_rosenbrock_curve_has_a_minimum(rosenbrock_sgd):
    result = rosenbrock_sgd
    i_min = int(np.argmin(result.smoothed))
    assert 0 < i_min < result.steps
    assert result.smoothed[i_min] < 0.1 * result.smoothed[0]
    assert not np.isfinite(result.smoothed[-1]) or result.smoothed[-1] > result.smoothed[i_min]
    assert result.lr_at_min == result.lrs[i_min]
    assert result.suggested_lower < result.suggested_upper <= result.lr_at_min
    assert result.diverging_from > result.suggested_upper
    assert result.diverged_fraction[-1] > 0.5  # SGD at lr 10 on Rosenbrock: gone


def test_adam_never_diverges_on_the_bowl_and_the_minimum_bounds_it():
    result = lr_range_test(_runfile("quadratic", {"name": "adam", "lr": 0.01}))
    assert math.isnan(result.diverging_from)
    assert not result.diverged_fraction.any()
    assert result.suggested_upper == result.lr_at_min
    assert result.suggested_lower < result.suggested_upper


def test_lower_bound_is_the_steepest_descent_or_a_quarter_of_the_upper(
    quadratic_sgd, rosenbrock_sgd
):
    for result in (quadratic_sgd, rosenbrock_sgd):
        assert result.suggested_lower == min(result.steepest, result.suggested_upper / 4)
        i_steep = int(np.flatnonzero(result.lrs == result.steepest)[0])
        i_min = int(np.flatnonzero(result.lrs == result.lr_at_min)[0])
        slope = np.gradient(result.smoothed[: i_min + 1], np.log(result.lrs[: i_min + 1]))
        assert slope[i_steep] == slope.min() < 0


def test_sweep_is_an_exponential_schedule_and_keeps_the_optimizer(quadratic_sgd):
    result = quadratic_sgd
    t = np.arange(result.steps + 1)
    gamma = (10.0 / 1e-6) ** (1 / 100)
    assert result.steps == 100
    np.testing.assert_allclose(result.lrs, 1e-6 * gamma**t, rtol=1e-12)
    assert result.lrs[-1] == pytest.approx(10.0, rel=1e-12)
    assert result.loss[0] == 1.0  # the start, relative to itself
    # momentum kept: heavy-ball SGD is stable further out on the bowl (lr < 2 (1 + beta))
    # but a sweep with momentum peaks earlier; the result differs from plain SGD
    momentum = lr_range_test(_runfile("quadratic", {"name": "sgd", "lr": 0.3, "momentum": 0.9}))
    assert momentum.suggested_upper != result.suggested_upper


def test_run_index_and_random_starts():
    runfile = _runfile("quadratic", {"name": "sgd", "lr": 0.3}, n=3)
    adam = lr_range_test(runfile, 1, particles=64, steps=50)
    assert adam.run_index == 1 and adam.run.label == "other"
    assert adam.steps == 50
    same = lr_range_test(runfile, 1, particles=64, steps=50)
    np.testing.assert_array_equal(adam.loss, same.loss)  # seeded
    other_seed = lr_range_test(runfile, 1, particles=64, steps=50, seed=1)
    assert not np.array_equal(adam.loss, other_seed.loss)


def test_median_ignores_a_minority_of_diverging_particles():
    # SGD on Rosenbrock: particles diverge one after another; the curve is finite until
    # more than half have gone, then +inf (and so is the smoothed curve)
    result = lr_range_test(_runfile("rosenbrock", {"name": "sgd", "lr": 1e-3}))
    some = (result.diverged_fraction > 0) & (result.diverged_fraction < 0.5)
    assert some.any() and np.isfinite(result.loss[some]).all()
    most = result.diverged_fraction > 0.5
    assert np.isinf(result.loss[most]).all() and np.isinf(result.smoothed[most]).all()
    assert np.all(np.diff(result.diverged_fraction) >= 0)


def test_smoothing_is_lag_free_and_one_means_none():
    lrs = np.geomspace(1e-6, 10, 101)
    values = 1 / (1 + (lrs / 1e-3) ** 2)  # a clean descent centred on 1e-3
    np.testing.assert_array_equal(smooth_curve(values, 1.0), values)
    smoothed = smooth_curve(values, DEFAULT_SMOOTHING)
    half = lambda curve: lrs[np.argmin(np.abs(curve - 0.5))]  # noqa: E731
    assert half(smoothed) == pytest.approx(half(values), rel=0.2)  # no lag to the right
    assert np.isinf(smooth_curve(np.array([1.0, 0.5, np.inf, np.inf]), 0.4)[2:]).all()


def test_noise_is_kept_in_the_sweep():
    quiet = lr_range_test(_runfile("quadratic", {"name": "sgd", "lr": 0.3}, n=16))
    noisy = lr_range_test(
        _runfile("quadratic", {"name": "sgd", "lr": 0.3}, n=16, noise={"sigma": 1.0})
    )
    assert not np.array_equal(quiet.loss, noisy.loss)
    assert noisy.suggested_upper < 2.0


# ----------------------------------------------------------------------------- schedules


def test_to_cyclic_and_to_onecycle_give_valid_runs(quadratic_sgd):
    result = quadratic_sgd
    lower, upper = round_lr(result.suggested_lower), round_lr(result.suggested_upper)
    cyclic = result.to_cyclic()
    assert dict(cyclic.schedule.written) == {
        "name": "cyclic",
        "base_lr": lower,
        "max_lr": upper,
        "step_size_up": 60 // 4,
        "cycle_momentum": False,
    }
    assert cyclic.label == "tested" and dict(cyclic.optimizer.written) == {"name": "sgd", "lr": 0.3}
    onecycle = result.to_onecycle()
    assert onecycle.schedule.written["max_lr"] == upper
    start = upper / onecycle.schedule.written["div_factor"]  # div_factor has 3 digits, rounded up
    assert lower * 0.99 < start <= lower
    # the runs drop into the run file and parse
    for run in (cyclic, onecycle, result.to_cyclic(1, lower=0.01, upper=0.1, cycles=3)):
        data = runfile_to_dict(replace(result.runfile, runs=(run, *result.runfile.runs)))
        assert parse_runfile(data).runs[0] == run


def test_schedule_tables_take_overrides_and_refuse_bad_bounds(quadratic_sgd):
    table = quadratic_sgd.cyclic_schedule(0.01, 0.5, cycles=1, mode="triangular2")
    assert table["step_size_up"] == 30 and table["mode"] == "triangular2"
    assert quadratic_sgd.to_onecycle(pct_start=0.25).schedule.written["pct_start"] == 0.25
    with pytest.raises(ConfigError) as error:
        quadratic_sgd.to_cyclic(lower=0.5, upper=0.1)
    assert error.value.field == "lower"
    with pytest.raises(ConfigError) as error:
        quadratic_sgd.to_onecycle(pct_start=1.5)
    assert error.value.field == "schedule.pct_start"
    with pytest.raises(ConfigError) as error:
        quadratic_sgd.to_cyclic(7)
    assert error.value.field == "run"


def test_rounding_never_raises_a_bound():
    assert round_lr(1.9952623149688795) == 1.99
    assert round_lr(0.0933254300796991) == 0.0933
    assert round_lr(2.0) == 2.0 and round_lr(0.001) == 0.001
    assert round_lr(25.06, up=True) == 25.1 and round_lr(25.0, up=True) == 25.0


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_lr": 1.0, "max_lr": 1.0}, "max_lr"),
        ({"min_lr": 2.0, "max_lr": 1.0}, "max_lr"),
        ({"min_lr": 0.0}, "min_lr"),
        ({"min_lr": -1e-3}, "min_lr"),
        ({"max_lr": float("inf")}, "max_lr"),
        ({"steps": 9}, "steps"),
        ({"steps": 10.5}, "steps"),
        ({"particles": 0}, "particles"),
        ({"smoothing": 0.0}, "smoothing"),
        ({"smoothing": 1.5}, "smoothing"),
        ({"run_index": 2}, "run_index"),
    ],
    ids=lambda value: str(value),
)
def test_bad_arguments_name_the_option(kwargs, field):
    runfile = _runfile("quadratic", {"name": "sgd", "lr": 0.3}, n=4)
    run_index = kwargs.pop("run_index", 0)
    with pytest.raises(ConfigError) as error:
        lr_range_test(runfile, run_index, **kwargs)
    assert error.value.field == field


def test_a_flat_start_gives_a_clear_error():
    runfile = parse_runfile(
        {
            "steps": 10,
            "surface": {"name": "easom"},
            "particles": {"points": [[-80.0, 70.0], [60.0, -90.0]]},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
        }
    )
    with pytest.raises(ConfigError, match="falls by less than") as error:
        lr_range_test(runfile)
    assert error.value.field == "particles"


# ----------------------------------------------------------------------------- CSV, command


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def test_curve_csv_round_trips(rosenbrock_sgd, tmp_path):
    out = tmp_path / "curve.csv"
    write_curve_csv(rosenbrock_sgd, out)
    assert out.read_text().splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = _read_csv(out)
    assert [int(row["step"]) for row in rows] == list(range(rosenbrock_sgd.steps + 1))
    for column, values in (
        ("lr", rosenbrock_sgd.lrs),
        ("loss", rosenbrock_sgd.loss),
        ("smoothed", rosenbrock_sgd.smoothed),
        ("diverged_fraction", rosenbrock_sgd.diverged_fraction),
    ):
        np.testing.assert_array_equal([float(row[column]) for row in rows], values)
    assert "inf" in {row["loss"] for row in rows}  # past divergence, read back as inf
    assert list(tmp_path.iterdir()) == [out]  # no temporary left behind


@pytest.fixture
def runfile_path(tmp_path) -> Path:
    path = tmp_path / "ill.toml"
    save_runfile(_runfile("ill_conditioned", {"name": "sgd", "lr": 0.01}), path)
    return path


def test_command_prints_the_suggestion_and_writes_the_curve(runfile_path, tmp_path, capsys):
    out = tmp_path / "curve.csv"
    assert main(["lr-find", str(runfile_path), "-o", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "suggested lr range: " in printed and "steepest descent at" in printed
    lower, upper = printed.split("suggested lr range: ")[1].split("\n")[0].split(" .. ")
    assert float(lower) < float(upper) < 0.1
    rows = _read_csv(out)
    assert len(rows) == 101 and float(rows[-1]["lr"]) == pytest.approx(10.0)


def test_command_options(runfile_path, capsys):
    args = ["lr-find", str(runfile_path), "--run", "1", "--min-lr", "1e-4", "--max-lr", "1"]
    assert main([*args, "--steps", "40", "--particles", "32", "--smoothing", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("run 1 (other), 40 steps:")
    lower, upper = printed.split("suggested lr range: ")[1].split("\n")[0].split(" .. ")
    assert 1e-4 <= float(lower) < float(upper) <= 1.0


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--min-lr", "1", "--max-lr", "0.5"], "--max-lr:"),
        (["--min-lr", "-1"], "--min-lr:"),
        (["--steps", "3"], "--steps:"),
        (["--run", "5"], "--run:"),
        (["--particles", "0"], "--particles:"),
        (["--smoothing", "0"], "--smoothing:"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_command_errors_are_one_line_naming_the_option(
    runfile_path, tmp_path, capsys, options, named
):
    out = tmp_path / "curve.csv"
    out.write_text("keep me\n")
    assert main(["lr-find", str(runfile_path), *options, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lrsim: {named}") and err.count("\n") == 1
    assert out.read_text() == "keep me\n"


def test_command_refuses_a_missing_output_folder(runfile_path, tmp_path, capsys):
    assert main(["lr-find", str(runfile_path), "-o", str(tmp_path / "no" / "c.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_command_default_smoothing_is_the_cores():
    from lrsim.cli import build_parser

    args = build_parser().parse_args(["lr-find", "x.toml"])
    assert args.smoothing == DEFAULT_SMOOTHING
    assert (args.min_lr, args.max_lr, args.steps) == (1e-6, 10.0, 100)


def test_core_module_imports_no_qt():
    code = (
        "import sys, lrsim.core.lr_find, lrsim.commands.lr_find;"
        "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
