"""Fuzzing run files (issue 9): whatever a file holds, the headless commands and the app's
open path answer within bounds with a result or one line naming the problem.

Each example mutates a small valid run file: a value anywhere replaced by a hostile
one (integers past float or int64 range, 1e308, nan, control characters, deep
nesting, wrong types), a key added or removed, or a whole random JSON document.
Properties: exit 0 with a CSV of finite numbers, or exit 2 with exactly one
printable ``lrsim:`` line, no internal error, and no output file; the app's
loader and engine raise nothing but ``ConfigError`` and never hold a non-finite
recorded value. 800 examples (export, stats and lr-find each) take ~8 s here with a warm
numba cache.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrsim.cli import main
from lrsim.core.engine import DEFAULT_MEMORY_BUDGET, Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.optim.registry import OPTIMIZERS
from lrsim.core.runfile import load_runfile
from lrsim.core.schedules import SCHEDULES
from lrsim.core.toml_writer import dumps_toml

BASE: dict[str, Any] = {
    "title": "fuzz",
    "steps": 12,
    "surface": {"name": "himmelblau", "domain": [[-5.0, 5.0], [-5.0, 5.0]]},
    "particles": {"points": [[1.0, 1.0], [-3.0, 2.0]]},
    "noise": {"sigma": 0.1, "seed": 1},
    "runs": [
        {
            "label": "a",
            "color": "#d62728",
            "optimizer": {"name": "adam", "lr": 0.1, "betas": [0.9, 0.999]},
            "schedule": {
                "name": "warmup",
                "warmup_steps": 3,
                "then": {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4},
            },
        },
        {
            "label": "b",
            "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9},
            "schedule": {"name": "step", "step_size": 5, "gamma": 0.5},
            "lr_scales": [1.0, 0.5],
        },
    ],
}

NAMES = ["warmup", "cyclic", "onecycle", "plateau", "cosine", "exponential", "step",
         "multistep", "polynomial", "constant", "linear", "inverse_time", "cosine_restarts",
         "sgd", "adam", "rmsprop", "adagrad", "quadratic", "rosenbrock", "log(x) + y**2",
         "x/y", "exp(exp(x*y))", "x**1e308 + y", "sqrt(x) - y", "(" * 60 + "x" + ")" * 60,
         "nx", "ny", "n", "seed"]  # fmt: skip
TEXTS = ["\x1b]0;title\x07", "line\nlrsim: forged", "\u202eevil", "=1+1", "", "#d62728\n"]
NUMBERS = [0, 1, -1, 2, 1e308, -1e308, 5e-324, 1e-308, float("nan"), float("inf"),
           10**400, 2**63, -(2**63) - 1, 10**19, 0.5, 1e10, -1000]  # fmt: skip

leaves = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(-3, 60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NAMES),
    st.sampled_from(TEXTS),
    st.text(max_size=8),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(NAMES + TEXTS), inner, max_size=3),
    ),
    max_leaves=8,
)


def _nest(depth: int) -> Any:
    value: Any = {"name": "constant"}
    for level in range(depth):
        value = {"name": "warmup", "warmup_steps": 1, "then": value} if level % 2 else [value]
    return value


def _containers(data: Any, found: list) -> list:
    """Every dict and list inside ``data`` (where a mutation can land)."""
    found.append(data)
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    for child in children:
        if isinstance(child, dict | list):
            _containers(child, found)
    return found


numbers = st.one_of(
    st.sampled_from(NUMBERS), st.integers(-3, 60), st.floats(-1e6, 1e6), st.floats()
)


def _tables(data: dict) -> list[dict]:
    """The optimizer and schedule tables (and a warm-up's ``then``) of every run."""
    tables = []
    for run in data["runs"]:
        tables += [run["optimizer"], run["schedule"]]
        if isinstance(run["schedule"].get("then"), dict):
            tables.append(run["schedule"]["then"])
    return tables


@st.composite
def run_files(draw) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(values)  # a whole random document
    data = copy.deepcopy(BASE)
    if draw(st.booleans()):  # parameters: mostly valid files that run, with extreme numbers
        for _ in range(draw(st.integers(1, 4))):
            tables = _tables(data)
            table = tables[draw(st.integers(0, len(tables) - 1))]
            registry = OPTIMIZERS if table["name"] in OPTIMIZERS else SCHEDULES
            if registry is SCHEDULES and draw(st.integers(0, 3)) == 0:
                table.clear()
                table["name"] = draw(st.sampled_from(sorted(SCHEDULES)))
            names = [spec.name for spec in registry[table["name"]].params]
            if names:
                table[draw(st.sampled_from(names))] = draw(numbers)
        return data
    for _ in range(draw(st.integers(1, 4))):
        places = _containers(data, [])
        place = places[draw(st.integers(0, len(places) - 1))]
        value = _nest(draw(st.integers(20, 40))) if draw(st.integers(0, 14)) == 0 else draw(values)
        if isinstance(place, dict):
            keys = list(place) + ["name", "lr", "then", "points", "formula", "random", "grid",
                                  "params", "domain", "extra\x1b"]  # fmt: skip
            key = draw(st.sampled_from(keys))
            if key in place and draw(st.booleans()) and len(place) > 1:
                del place[key]
            else:
                place[key] = value
        elif place:
            place[draw(st.integers(0, len(place) - 1))] = value
    return data


def _write(folder: Path, data: Any, as_toml: bool) -> Path:
    """The run file as TOML (when the project's writer can write it) or as JSON."""
    if as_toml:
        try:
            text = dumps_toml(data)
        except Exception:  # not a table of tables: only JSON can hold it
            pass
        else:
            path = folder / "run.toml"
            path.write_text(text, encoding="utf-8")
            return path
    path = folder / "run.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _check_command(args: list[str], out: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    message = err.getvalue()
    assert code in (0, 2), message
    if code == 0:
        assert message == ""
        return
    assert message.startswith("lrsim: ") and message.count("\n") == 1, message
    assert message[:-1].isprintable(), message
    assert "internal error" not in message
    assert not out.exists()


def _check_open_path(path: Path) -> None:
    """What the app does with a file: load it, build the simulation, run it."""
    try:
        runfile = load_runfile(path)
        simulation = Simulation(runfile, memory_budget=DEFAULT_MEMORY_BUDGET)
        simulation.run_to_end()
    except ConfigError as error:
        assert str(error)
        return
    columns = simulation.recorded_upto()
    for run in simulation.runs:
        for array in (run.x, run.y, run.loss, run.lr, run.momentum):
            assert np.isfinite(array[..., :columns]).all()


@settings(
    max_examples=800,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(run_files(), st.booleans())
def test_hostile_run_files_get_a_result_or_one_line(data, as_toml):
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), data, as_toml)
        out = Path(folder) / "out.csv"
        _check_command(["export", str(path), "-o", str(out), "-q"], out)
        if out.exists():
            text = out.read_text()
            assert "nan" not in text and "inf" not in text
        stats = Path(folder) / "stats.csv"
        _check_command(["stats", str(path), "-o", str(stats), "-q"], stats)
        curve = Path(folder) / "curve.csv"
        _check_command(["lr-find", str(path), "--steps", "20", "-o", str(curve), "-q"], curve)
        _check_open_path(path)
