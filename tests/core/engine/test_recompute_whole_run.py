"""``Simulation.set_run`` takes a parsed edit of one run whole (the app's held slider), and
results cached on a simulation (basin labels, first hits) follow a recompute."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import parse_runfile
from lrsim.core.stats import basin_assignments, stats_table


def _data(lr: float = 0.01, label: str = "adam") -> dict:
    return {
        "steps": 80,
        "surface": {"name": "himmelblau"},
        "particles": {"random": {"n": 60, "seed": 1}},
        "runs": [
            {"label": label, "optimizer": {"name": "adam", "lr": lr, "betas": [0.8, 0.99]}},
            {"label": "sgd", "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9}},
        ],
    }


def _fresh(data: dict) -> Simulation:
    sim = Simulation(parse_runfile(data), engine="kernel")
    sim.run_to_end()
    return sim


def test_set_run_takes_a_parsed_edit_and_equals_a_fresh_build():
    sim = _fresh(_data())
    data = _data(lr=0.3)
    del data["runs"][0]["optimizer"]["betas"]  # a key taken out: not merged back
    edited = parse_runfile(data)
    sim.set_run(0, edited.runs[0])
    sim.run_to_end()
    fresh = _fresh(data)
    assert sim.runfile == edited
    for mine, theirs in zip(sim.runs, fresh.runs, strict=True):
        for name in ("x", "y", "loss", "lr", "frozen_at"):
            np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name), name)


def test_set_run_refuses_what_it_would_not_take_and_changes_nothing():
    sim = _fresh(_data())
    x = sim.runs[0].x.copy()
    with pytest.raises(ConfigError, match=r"runs\[0\]"):
        sim.set_run(0, parse_runfile(_data(label="renamed")).runs[0])
    with pytest.raises(ConfigError, match=r"runs\[1\]\.optimizer\.name"):
        sim.set_run(1, parse_runfile(_data()).runs[0])
    longer = {**_data(lr=0.3), "steps": 90}
    with pytest.raises(ConfigError, match="steps"):
        sim.set_run(0, parse_runfile(longer).runs[0])
    np.testing.assert_array_equal(sim.runs[0].x, x)
    assert sim.current_step == 80


@pytest.mark.parametrize("edit", ["restart", "set_run"])
def test_basin_labels_and_statistics_follow_a_recompute(edit):
    sim = _fresh(_data())
    stale_labels = basin_assignments(sim, 0)[1]
    stats_table(sim)  # fills the first-hits cache at this step count
    if edit == "restart":
        data = _data()
        data["particles"] = {"random": {"n": 60, "seed": 9}}
        sim.restart(Simulation(parse_runfile(data)).starts)
    else:
        data = _data(lr=2.0)  # Adam's steps cross into other basins
        sim.set_run(0, parse_runfile(data).runs[0])
    sim.run_to_end()
    fresh = Simulation(sim.runfile, engine="kernel")
    fresh.run_to_end()
    labels = basin_assignments(sim, 0)[1]
    np.testing.assert_array_equal(labels, basin_assignments(fresh, 0)[1])
    assert not np.array_equal(labels, stale_labels)  # the edit moved some particle's basin
    assert repr(stats_table(sim)) == repr(stats_table(fresh))  # nan != nan: compare the text
