"""Runs are resolved once, by the parser; everything after it reads the resolved records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.export import export_csv
from lrsim.core.optim.base import OptimizerSpec
from lrsim.core.reference_engine import simulate_run
from lrsim.core.runfile import (
    edited_run,
    edited_runfile,
    load_runfile,
    parse_runfile,
    read_runfile_data,
    runfile_to_dict,
)
from lrsim.core.schedules import resolved as resolved_module
from lrsim.core.state_export import simulate_with_state

PRESETS = Path(__file__).resolve().parents[3] / "resources" / "presets"


@pytest.fixture
def resolutions(monkeypatch):
    """Counts of optimizer resolutions and (top-level) schedule validations."""
    counts = {"optimizer": 0, "schedule": 0}
    resolve, validate = OptimizerSpec.resolve, resolved_module.validate_schedule

    def counted_resolve(self, given):
        counts["optimizer"] += 1
        return resolve(self, given)

    def counted_validate(*args, **kwargs):
        counts["schedule"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(OptimizerSpec, "resolve", counted_resolve)
    monkeypatch.setattr(resolved_module, "validate_schedule", counted_validate)
    return counts


@pytest.mark.parametrize("preset", ["plateau", "fixed-vs-decay", "lbfgs-rosenbrock"])
def test_parse_resolves_each_run_once_and_nothing_after_it(preset, resolutions, tmp_path):
    runfile = load_runfile(PRESETS / f"{preset}.toml")
    runs = len(runfile.runs)
    assert resolutions == {"optimizer": runs, "schedule": runs}
    sim = Simulation(runfile, allow_stride=False, engine="kernel")
    state = simulate_with_state(sim)
    export_csv(sim, tmp_path / "out.csv", state=state)
    simulate_run(runfile, 0)
    sim.restart()
    assert resolutions == {"optimizer": runs, "schedule": runs}


def test_an_edited_run_is_resolved_again_once(resolutions):
    runfile = load_runfile(PRESETS / "plateau.toml")
    sim = Simulation(runfile, engine="kernel")
    before = dict(resolutions)
    sim.set_run_params(2, lr=3.0, schedule={"patience": 2})
    assert resolutions == {"optimizer": before["optimizer"] + 1, "schedule": before["schedule"] + 1}
    run = sim.runfile.runs[2]
    assert run.optimizer.lr == 3.0 and run.schedule.params["patience"] == 2
    assert run.schedule.per_particle and sim.runs[2].per_particle_lr


@pytest.mark.parametrize("preset", sorted(PRESETS.glob("*.toml")), ids=lambda p: p.stem)
def test_presets_resolve_and_save_as_written(preset):
    raw = read_runfile_data(preset)
    runfile = parse_runfile(raw)
    saved = runfile_to_dict(runfile)
    for run, written, table in zip(runfile.runs, raw["runs"], saved["runs"], strict=True):
        assert table["optimizer"] == written["optimizer"]  # as written: no defaults added
        assert table["schedule"] == written.get("schedule", {"name": "constant"})
        assert run.optimizer.name == written["optimizer"]["name"]
        assert run.optimizer.lr == run.optimizer.params["lr"]
        assert run.schedule.steps == runfile.steps
        lrs, moms = run.schedule.curves(run.optimizer.lr, run.optimizer.base_momentum)
        assert lrs.shape == moms.shape == (runfile.steps + 1,)
        assert run.schedule.per_particle == (run.schedule.kernel_vector().size > 0)
    assert parse_runfile(saved) == runfile


def test_a_new_length_resolves_the_runs_again():
    runfile = load_runfile(PRESETS / "wsd-vs-cosine.toml")
    with pytest.raises(ValueError, match="edited_runfile"):
        replace(runfile, steps=runfile.steps // 2)
    shorter = edited_runfile(runfile, steps=runfile.steps // 2)
    assert shorter == parse_runfile({**runfile_to_dict(runfile), "steps": runfile.steps // 2})
    for long, short in zip(runfile.runs, shorter.runs, strict=True):
        assert short.schedule.steps == shorter.steps
        assert short.schedule.written == long.schedule.written


def test_edited_run_checks_as_the_parser_does():
    runfile = load_runfile(PRESETS / "plateau.toml")
    run = runfile.runs[2]
    with pytest.raises(ConfigError, match=r"runs\[2\]\.loss_decay: cannot follow a plateau"):
        edited_run(run, runfile.steps, 2, loss_decay=True)
    with pytest.raises(ConfigError, match=r"runs\[0\]\.optimizer\.lr: must be >= 0"):
        edited_run(run, runfile.steps, optimizer={"name": "sgd", "lr": -1.0})
    faster = edited_run(run, runfile.steps, optimizer={**run.optimizer.written, "lr": 9.0})
    assert faster.optimizer.lr == 9.0 and faster.schedule == run.schedule
    assert np.array_equal(faster.optimizer.hyper, run.optimizer.hyper)
