"""The recompute API gives the numbers a fresh Simulation of the edited run file gives, bit
for bit, and reuses the simulation's buffers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import edited_run, parse_runfile

STEPS = 60


def _runfile(noise=0.0):
    return parse_runfile(
        {
            "steps": STEPS,
            "surface": {"name": "rastrigin"},
            "particles": {"random": {"n": 37, "seed": 3}},
            "noise": {"sigma": noise, "seed": 5},
            "runs": [
                {"optimizer": {"name": "adam", "lr": 0.05}, "schedule": {"name": "cosine"}},
                {"optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9}},
                {
                    "optimizer": {"name": "rmsprop", "lr": 0.01},
                    "schedule": {"name": "plateau", "patience": 2, "factor": 0.5},
                },
                {
                    "optimizer": {"name": "lion", "lr": 0.01},
                    "schedule": {"name": "step", "step_size": 7},
                },
                {"optimizer": {"name": "lbfgs", "lr": 0.5}, "noise": {"sigma": 0.0}},
            ],
        }
    )


def _assert_same(sim: Simulation, fresh: Simulation) -> None:
    assert sim.current_step == fresh.current_step
    np.testing.assert_array_equal(sim.starts, fresh.starts)
    for mine, theirs in zip(sim.runs, fresh.runs, strict=True):
        for name in ("x", "y", "loss", "lr", "momentum", "lr_curve", "momentum_curve",
                     "frozen_at"):  # fmt: skip
            np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name), name)
    for mine, theirs in zip(sim._states, fresh._states, strict=True):
        np.testing.assert_array_equal(mine.state, theirs.state)
        np.testing.assert_array_equal(mine.hyper, theirs.hyper)


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_set_run_params_equals_fresh_build(noise):
    sim = Simulation(_runfile(noise), engine="kernel")
    sim.run_to_end()
    buffers = [run.x for run in sim.runs] + [s.state for s in sim._states]
    sim.set_run_params(0, lr=0.02, betas=(0.8, 0.99), schedule={"T_max": 30})
    assert sim.current_step == 0
    sim.run_to_end()
    sim.set_run_params(1, momentum=0.5)
    sim.set_run_params(2, lr=0.03, schedule={"patience": 1})
    sim.set_run_params(3, lr=0.002, schedule={"gamma": 0.5})
    sim.set_run_params(4, lr=0.25)
    sim.run_to_end()
    assert all(
        a is b
        for a, b in zip(
            buffers, [r.x for r in sim.runs] + [s.state for s in sim._states], strict=True
        )
    )
    runs = list(_runfile(noise).runs)
    edits = {
        0: ({"lr": 0.02, "betas": (0.8, 0.99)}, {"T_max": 30}),
        1: ({"momentum": 0.5}, {}),
        2: ({"lr": 0.03}, {"patience": 1}),
        3: ({"lr": 0.002}, {"gamma": 0.5}),
        4: ({"lr": 0.25}, {}),
    }
    for index, (optimizer, schedule) in edits.items():
        run = runs[index]
        runs[index] = edited_run(
            run,
            run.schedule.steps,
            index,
            optimizer={**run.optimizer.written, **optimizer},
            schedule={**run.schedule.written, **schedule},
        )
    fresh = Simulation(replace(_runfile(noise), runs=tuple(runs)), engine="kernel")
    fresh.run_to_end()
    _assert_same(sim, fresh)
    assert sim.runfile == fresh.runfile


def test_restart_from_new_starts_equals_fresh_build():
    sim = Simulation(_runfile(0.2), engine="kernel")
    sim.run_to(STEPS // 2)
    starts = sim.starts[::-1] * 0.5
    sim.restart(starts=starts)
    sim.run_to_end()
    points = tuple(map(tuple, starts.tolist()))
    edited = replace(
        _runfile(0.2), particles=replace(_runfile().particles, points=points, random=None)
    )
    fresh = Simulation(edited, engine="kernel")
    fresh.run_to_end()
    _assert_same(sim, fresh)
    sim.restart()  # same starts again: the same numbers
    sim.run_to_end()
    _assert_same(sim, fresh)


def test_edits_that_need_new_buffers_are_refused_and_change_nothing():
    sim = Simulation(_runfile(), engine="kernel")
    sim.run_to_end()
    before = sim.runs[0].x.copy()
    with pytest.raises(ConfigError, match=r"runs\[0\].optimizer.name"):
        sim.set_run_params(0, name="sgd")
    with pytest.raises(ConfigError, match=r"runs\[0\].schedule.name"):
        sim.set_run_params(0, schedule={"name": "plateau"})
    with pytest.raises(ConfigError, match=r"runs\[1\].optimizer"):
        sim.set_run_params(1, lr=-1.0)
    with pytest.raises(ConfigError, match=r"particles.points"):
        sim.restart(starts=np.zeros((3, 2)))
    assert sim.current_step == STEPS
    np.testing.assert_array_equal(sim.runs[0].x, before)


def test_restart_to_a_start_with_no_finite_loss_is_refused_and_changes_nothing():
    sim = Simulation(_runfile(0.2), engine="kernel")
    sim.run_to(STEPS // 2)
    runfile, columns = sim.runfile, [run.x.copy() for run in sim.runs]
    states = [s.state.copy() for s in sim._states]
    starts = sim.starts.copy()
    starts[4] = (1e200, 0.0)  # finite, but its loss overflows to inf
    with pytest.raises(ConfigError, match=r"particles.points\[4\]"):
        sim.restart(starts=starts)
    assert sim.runfile is runfile and sim.current_step == STEPS // 2
    for mine, before in zip([r.x for r in sim.runs] + [s.state for s in sim._states],
                            columns + states, strict=True):  # fmt: skip
        np.testing.assert_array_equal(mine, before)


def test_a_drag_then_a_slider_equals_a_fresh_build_of_both_edits():
    """The dragged points are written into the run file only when it is read; a slider
    edit in between keeps them."""
    sim = Simulation(_runfile(0.3), engine="kernel")
    sim.run_to_end()
    starts = sim.starts + 0.25
    sim.restart(starts=starts)
    sim.set_run_params(1, lr=0.02)
    sim.run_to_end()
    sim.restart(starts=starts * 0.5)  # a second move before anyone read the first
    sim.run_to_end()
    points = tuple(map(tuple, (starts * 0.5).tolist()))
    base = _runfile(0.3)
    runs = list(base.runs)
    runs[1] = edited_run(runs[1], STEPS, 1, optimizer={**runs[1].optimizer.written, "lr": 0.02})
    edited = replace(
        base,
        particles=replace(base.particles, points=points, random=None),
        runs=tuple(runs),
    )
    fresh = Simulation(edited, engine="kernel")
    fresh.run_to_end()
    _assert_same(sim, fresh)
    assert sim.runfile == edited
    assert sim.runfile is sim.runfile  # built once: views compare it by identity


def _swarm(n: int, steps: int, runs: int):
    return parse_runfile(
        {
            "steps": steps,
            "surface": {"name": "rastrigin"},
            "particles": {"random": {"n": n, "seed": 0}},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.01 * (r + 1)}} for r in range(runs)],
        }
    )


def test_run_to_end_does_a_tiny_rest_in_one_chunk_and_a_large_one_in_several():
    sim = Simulation(_swarm(1000, 200, 3), engine="kernel")  # 600,000 particle-steps
    calls = []
    sim.run_to_end(progress=lambda step, end: calls.append(step))
    assert calls == [200]
    sim.set_run_params(0, lr=0.05)  # a chunk is as long as the runs behind allow
    calls.clear()
    sim.run_to_end(progress=lambda step, end: calls.append(step), chunk_particle_steps=80_000)
    assert calls == [80, 160, 200]
    calls.clear()
    big = Simulation(_swarm(5000, 400, 1), engine="kernel")  # 2,000,000
    big.run_to_end(progress=lambda step, end: calls.append(step))
    assert len(calls) > 1 and calls[0] == 20 and calls[-1] == 400  # 100,000 particle-steps first


@pytest.mark.parametrize("read_first", [False, True])
def test_columns_of_the_earlier_run_read_as_nan(read_first):
    """A restarted run's old columns are never seen: NaN when read before the next
    run_to, and NaN past the step that run_to computed when not."""
    sim = Simulation(_runfile(0.2), engine="kernel")
    sim.run_to_end()
    starts = sim.starts * 0.5
    sim.restart(starts=starts)
    sim.set_run_params(2, lr=0.02)  # the plateau run: its per-particle lr columns too
    if read_first:
        for run in sim.runs:
            np.testing.assert_array_equal(run.x[:, 0], starts[:, 0])
            assert np.isnan(run.x[:, 1:]).all() and np.isnan(run.loss[:, 1:]).all()
        assert np.isnan(sim.runs[2].lr[:, 1:]).all()
    sim.run_to(STEPS // 3)
    base = _runfile(0.2)
    runs = list(base.runs)
    runs[2] = edited_run(runs[2], STEPS, 2, optimizer={**runs[2].optimizer.written, "lr": 0.02},
                         schedule=dict(runs[2].schedule.written))  # fmt: skip
    points = tuple(map(tuple, starts.tolist()))
    particles = replace(base.particles, points=points, random=None)
    fresh = Simulation(replace(base, particles=particles, runs=tuple(runs)), engine="kernel")
    fresh.run_to(STEPS // 3)
    _assert_same(sim, fresh)
    assert np.isnan(sim.runs[0].y[:, STEPS // 3 + 1 :]).all()
