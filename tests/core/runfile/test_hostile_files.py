"""Hostile run files: bounded work, one line naming the field, no NaN row (issue 9)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

from lrsim.cli import main
from lrsim.core import limits
from lrsim.core.engine import Simulation, over_budget
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import load_runfile, parse_runfile
from lrsim.core.schedules import REGISTRY, schedule_curves, validate_schedule
from lrsim.core.schedules._spec import MAX_NESTING

BASE = {
    "steps": 40,
    "surface": {"name": "quadratic"},
    "particles": {"points": [[1.0, 1.0], [-2.0, 0.5]]},
    "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
}


def _file(tmp_path: Path, text: str, name: str = "run.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _data(**run) -> dict:
    data = json.loads(json.dumps(BASE))
    data["runs"][0].update(run)
    return data


def _export(path: Path, tmp_path: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["export", str(path), "-o", str(tmp_path / "out.csv"), "-q"])
    return code, err.getvalue()


def _nested_warmups(levels: int) -> dict:
    schedule: dict = {"name": "constant"}
    for _ in range(levels):
        schedule = {"name": "warmup", "warmup_steps": 1, "then": schedule}
    return schedule


# ----------------------------------------------------------------------------- 1: nesting


def test_nested_warm_ups_evaluate_the_inner_schedule_once():
    """Work is linear in the nesting: the innermost curve is computed once, not 2^levels
    (the deepest nesting a schedule allows)."""
    calls = []
    constant = REGISTRY["constant"]
    # the innermost schedule starts at a milestone, so it runs through its switched-in curve
    attribute = "switched_in_curve" if constant.switched_in_curve else "curve"
    original = getattr(constant, attribute)

    def counting(params, t, base_lr, base_momentum):
        calls.append(len(t))
        return original(params, t, base_lr, base_momentum)

    object.__setattr__(constant, attribute, counting)
    try:
        config = validate_schedule(_nested_warmups(MAX_NESTING), momentum_kind="momentum", steps=40)
        lr, _ = schedule_curves(config, base_lr=0.1, base_momentum=0.0, steps=40)
    finally:
        object.__setattr__(constant, attribute, original)
    assert len(calls) == 1
    assert lr[0] == 0.0 and lr[-1] == pytest.approx(0.1)


@pytest.mark.parametrize("levels", [30, 900])
def test_deep_nesting_is_refused_naming_the_path(tmp_path, levels):
    data = _data(schedule=_nested_warmups(levels))
    code, err = _export(_file(tmp_path, json.dumps(data), "deep.json"), tmp_path)
    assert code == 2
    assert err.startswith("lrsim: runs[0].schedule.then") and "nested more than" in err
    assert err.count("\n") == 1 and len(err) < 300


@pytest.mark.parametrize(
    "text",
    [
        '{"steps": 5, "title": ' + "[" * 5000 + "]" * 5000 + "}",
        "steps = 5\ntitle = " + "[" * 5000 + "]" * 5000 + "\n",
        "steps = 5\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
    ],
    ids=["json-lists", "toml-lists", "toml-inline-tables"],
)
def test_decoder_recursion_is_one_line(tmp_path, text):
    code, err = _export(_file(tmp_path, text, "deep.txt"), tmp_path)
    assert code == 2 and "nested too deeply" in err and "Recursion" not in err


# ----------------------------------------------------------------------------- 5: budgets


def test_device_and_oversized_files_are_refused_unread(tmp_path):
    with pytest.raises(ConfigError, match="larger than 8 MB"):
        load_runfile("/dev/zero")
    big = tmp_path / "points.toml"
    with big.open("w") as stream:
        stream.write("steps = 5\n[particles]\npoints = [")
        stream.write("[1.0, 2.0], " * (limits.MAX_FILE_BYTES // 12 + 1))
        stream.write("]\n")
    with pytest.raises(ConfigError, match="larger than 8 MB") as caught:
        load_runfile(big)
    assert caught.value.field == str(big)


def test_schedule_curves_count_against_the_budget_of_every_simulation():
    """100 runs x 10^6 steps x 1 particle: refused by the app and render (stride allowed)
    as by export, before the curves (2.4 GB) are allocated."""
    data = json.loads(json.dumps(BASE))
    data["steps"] = 1_000_000
    data["particles"] = {"points": [[1.0, 1.0]]}
    data["runs"] = [{"optimizer": {"name": "sgd", "lr": 0.1}}] * 100
    runfile = parse_runfile(data)
    for allow_stride in (True, False):
        with pytest.raises(ConfigError, match="memory budget") as caught:
            Simulation(runfile, allow_stride=allow_stride)
        assert caught.value.field in ("steps", "particles")


def test_too_many_runs_are_refused():
    data = json.loads(json.dumps(BASE))
    data["runs"] = [{"optimizer": {"name": "sgd", "lr": 0.1}}] * (limits.MAX_RUNS + 1)
    with pytest.raises(ConfigError, match="at most 1000 runs") as caught:
        parse_runfile(data)
    assert caught.value.field == "runs"


def test_budget_message_shows_enough_digits():
    budget = 2 * 1024**3
    message = over_budget(budget + 72, budget)
    need, have = message.removeprefix("need ").split(", over the memory budget of ")
    assert need != have
    assert over_budget(3 * 1024**3, budget) == "need 3.0 GB, over the memory budget of 2.0 GB"


# ----------------------------------------------------------------------------- 7: no NaN


@pytest.mark.parametrize(
    "run",
    [
        {"schedule": {"name": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 1e308}},
        {
            "schedule": {
                "name": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "mode": "exp_range",
                "gamma": 1e10,
            }
        },
        {"schedule": {"name": "step", "step_size": 1, "gamma": 1e10}},
        {"schedule": {"name": "exponential", "k": -1000}},
        {"optimizer": {"name": "sgd", "lr": 1e308}, "schedule": {"name": "cosine"}},
    ],
    ids=["cyclic-step-size", "exp-range-gamma", "step-gamma", "exponential-k", "cosine-lr"],
)  # fmt: skip
def test_overflowing_schedules_are_refused_naming_the_schedule(tmp_path, run):
    code, err = _export(_file(tmp_path, json.dumps(_data(**run)), "run.json"), tmp_path)
    assert code == 2, err
    # a step size past int64 is refused as a parameter; the others by their curve
    assert err.startswith(
        ("lrsim: runs[0].schedule: the learning rate is ", "lrsim: runs[0].schedule.step_size_up")
    )
    assert "RuntimeWarning" not in err and err.count("\n") == 1
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("surface", "points", "field"),
    [
        ({"formula": "log(x)"}, [[-1.0, 1.0]], "particles.points[0]"),
        ({"name": "quadratic"}, [[1.0, 1.0], [1e308, 1.0]], "particles.points[1]"),
        ({"name": "quadratic", "params": {"a": 1e308}}, [[3.0, 1.0]], "surface.params"),
    ],
    ids=["log-of-negative", "point-at-1e308", "params-at-1e308"],
)
def test_a_start_with_a_non_finite_loss_is_refused(tmp_path, surface, points, field):
    data = _data()
    data["surface"], data["particles"] = surface, {"points": points}
    code, err = _export(_file(tmp_path, json.dumps(data), "run.json"), tmp_path)
    assert code == 2
    assert err.startswith(f"lrsim: {field}: the loss at ")
    assert not (tmp_path / "out.csv").exists()


def test_a_huge_finite_lr_is_divergence_not_an_error(tmp_path):
    """The contract: a diverging particle is a result (finite rows, frozen in bounds)."""
    path = _file(tmp_path, json.dumps(_data(optimizer={"name": "sgd", "lr": 1e300})), "r.json")
    code, err = _export(path, tmp_path)
    assert code == 0, err
    values = np.loadtxt(tmp_path / "out.csv", delimiter=",", skiprows=1, usecols=range(4, 9))
    assert np.isfinite(values).all()


# ----------------------------------------------------------------------------- 8: named fields


@pytest.mark.parametrize(
    ("optimizer", "expected"),
    [
        ("lr = " + "9" * 5000, "lrsim: {path}: line 7 (lr): holds a number with too many digits"),
        ("lr = " + "9" * 400, "lrsim: runs[0].optimizer.lr: integer beyond the 64-bit range"),
        ("lr = 1e400", "lrsim: runs[0].optimizer.lr: must be a finite number"),
        ("lr = 1.0, momentum = " + "9" * 30, "lrsim: runs[0].optimizer.momentum: integer beyond"),
    ],
    ids=["5000-digits", "400-digits", "past-float-range", "past-int64"],
)
def test_huge_numbers_name_the_field_or_the_line(tmp_path, optimizer, expected):
    toml = (
        'steps = 5\n[surface]\nname = "quadratic"\n[particles]\npoints = [[1.0, 1.0]]\n'
        f"[[runs]]\noptimizer = {{ name = 'sgd', {optimizer} }}\n"
    )
    path = _file(tmp_path, toml)
    code, err = _export(path, tmp_path)
    assert code == 2
    assert err.startswith(expected.format(path=path)) and err.count("\n") == 1


def test_an_integer_past_float_range_in_json_names_the_field(tmp_path):
    data = _data(optimizer={"name": "sgd", "lr": 10**400})
    code, err = _export(_file(tmp_path, json.dumps(data), "run.json"), tmp_path)
    assert code == 2 and err.startswith("lrsim: runs[0].optimizer.lr: ")


def test_a_float_past_range_is_not_finite(tmp_path):
    text = json.dumps(_data(optimizer={"name": "sgd", "lr": 1.0})).replace(
        '"lr": 1.0', '"lr": 1e999'
    )
    code, err = _export(_file(tmp_path, text, "run.json"), tmp_path)
    assert code == 2 and err.startswith("lrsim: runs[0].optimizer.lr: must be a finite number")


# ----------------------------------------------------------------------------- 9: escapes


def test_unknown_keys_are_echoed_escaped(tmp_path):
    data = _data()
    data["\x1b]0;pwned\x07\nlrsim: fake"] = 1
    code, err = _export(_file(tmp_path, json.dumps(data), "run.json"), tmp_path)
    assert code == 2
    assert err.count("\n") == 1 and "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;pwned\\x07\\nlrsim: fake" in err


def test_labels_with_control_characters_are_refused():
    with pytest.raises(ConfigError, match="control characters") as caught:
        parse_runfile(_data(label="clear\x1b[2J"))
    assert caught.value.field == "runs[0].label"


def test_stats_and_lr_find_print_labels_escaped(tmp_path, capsys):
    data = _data(label="\u202eevil")
    path = _file(tmp_path, json.dumps(data), "run.json")
    assert main(["stats", str(path), "-q"]) == 0
    assert main(["lr-find", str(path), "-q"]) in (0, 2)
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\\u202eevil" in out


@pytest.mark.parametrize("label", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx"])
def test_formula_labels_are_quoted_in_the_csv(tmp_path, label):
    if "\t" in label:
        with pytest.raises(ConfigError):
            parse_runfile(_data(label=label))
        return
    path = _file(tmp_path, json.dumps(_data(label=label)), "run.json")
    assert main(["export", str(path), "-o", str(tmp_path / "t.csv"), "-q"]) == 0
    assert main(["stats", str(path), "-o", str(tmp_path / "s.csv"), "-q"]) == 0
    for name in ("t.csv", "s.csv"):
        second = (tmp_path / name).read_text().splitlines()[1]
        assert second.split(",")[1] == "'" + label


# ----------------------------------------------------------------------------- 12: smaller


def test_a_colour_with_a_trailing_newline_is_refused():
    with pytest.raises(ConfigError, match="colour") as caught:
        parse_runfile(_data(color="#d62728\n"))
    assert caught.value.field == "runs[0].color"


def test_duplicate_json_keys_are_refused(tmp_path):
    path = _file(tmp_path, '{"steps": 5, "steps": 6}', "dup.json")
    with pytest.raises(ConfigError, match="'steps' appears twice"):
        load_runfile(path)


def test_lr_find_blames_its_options_for_a_range_past_float(tmp_path):
    path = _file(tmp_path, json.dumps(_data()), "run.json")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["lr-find", str(path), "--min-lr", "1e-308", "--max-lr", "1e308"])
    assert code == 2 and err.getvalue().startswith("lrsim: --max-lr: ")


def test_lr_find_blames_steps_when_its_stability_check_passes_the_budget(tmp_path):
    """One constant-lr run per lr of a 100,000-step sweep: refused, not 160 GB allocated."""
    data = _data(optimizer={"name": "sgd", "lr": 0.1})
    data["particles"] = {"points": [[1.0, 1.0]]}
    path = _file(tmp_path, json.dumps(data), "run.json")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["lr-find", str(path), "--steps", "100000", "--max-lr", "1.5"])
    assert code == 2 and err.getvalue().startswith("lrsim: --steps: ")
    assert "memory budget" in err.getvalue()
