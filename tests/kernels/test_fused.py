"""The fused per-pair kernels give the generic kernel's numbers bit for bit.

Each (surface, rule) pair's fused kernel (``lrsim.core.fused``) does the generic
kernel's float operations in the same order, so a CSV never depends on which of the
two ran (the app switches once a pair is compiled). Every optimizer rule runs here on
one of several surfaces, noise on and off, recording every step and every k-th.
"""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core import fused, fused_source, kernel, stepping
from lrsim.core.engine import Simulation
from lrsim.core.optim.registry import OPTIMIZER_ENTRIES, RULES
from lrsim.core.runfile import parse_runfile

# one optimizer per rule of the registry (checked below), each with a non-default setting
OPTIMIZERS = [
    ({"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True}, "rastrigin"),
    ({"name": "adagrad", "lr": 0.1, "lr_decay": 0.01}, "rosenbrock"),
    ({"name": "adadelta", "lr": 1.0, "weight_decay": 0.1}, "himmelblau"),
    ({"name": "rmsprop", "lr": 0.01, "centered": True, "momentum": 0.5}, "ackley"),
    ({"name": "adam", "lr": 0.05, "amsgrad": True}, "rastrigin"),
    ({"name": "nadam", "lr": 0.05}, "beale"),
    ({"name": "radam", "lr": 0.05}, "six_hump_camel"),
    ({"name": "adamax", "lr": 0.05}, "levi13"),
    ({"name": "lion", "lr": 0.02, "weight_decay": 0.1}, "styblinski_tang"),
    ({"name": "rprop", "lr": 0.02}, "goldstein_price"),
    ({"name": "asgd", "lr": 0.005, "t0": 10.0, "lambd": 0.01}, "easom"),
    ({"name": "adafactor", "lr": 0.05, "weight_decay": 0.01}, "two_basin"),
    ({"name": "schedulefree_adamw", "lr": 0.05, "warmup_steps": 5}, "saddle"),
    ({"name": "schedulefree_sgd", "lr": 0.005, "weight_decay": 0.01}, "matyas"),
    ({"name": "prodigy", "d0": 0.01, "use_bias_correction": True}, "booth"),
]


def _runfile(surface: str, optimizer: dict, noise: bool, n: int, steps: int = 40, **run):
    data = {
        "steps": steps,
        "surface": {"name": surface},
        "particles": {"random": {"n": n, "seed": 3}},
        "runs": [{"optimizer": optimizer, "schedule": {"name": "cosine"}, **run}],
    }
    if noise:
        data["noise"] = {"sigma": 0.3, "seed": 5}
    return parse_runfile(data)


def _simulate(runfile, use_fused: bool, stride, monkeypatch) -> Simulation:
    sim = Simulation(runfile, stride=stride, engine="kernel")
    run = sim._states[0]
    if use_fused:
        fused.compile_pair(run.surface, run.rule, parallel=sim.n_particles >= 512)
        assert stepping.fused_module(sim, run, 1) is not None, "the fused kernel is not used"
        sim.run_to_end()
    else:
        with monkeypatch.context() as patch:
            patch.setattr(stepping, "fused_module", lambda *args: None)
            sim.run_to_end()
    return sim


def _assert_identical(a: Simulation, b: Simulation) -> None:
    for ra, rb in zip(a.runs, b.runs, strict=True):
        for name in ("x", "y", "loss"):
            assert np.array_equal(getattr(ra, name), getattr(rb, name), equal_nan=True), name
        assert np.array_equal(ra.frozen_at, rb.frozen_at)
    for sa, sb in zip(a._states, b._states, strict=True):
        assert np.array_equal(sa.state, sb.state, equal_nan=True)


def test_every_rule_is_covered():
    rules = {OPTIMIZER_ENTRIES[optimizer["name"]].update for optimizer, _ in OPTIMIZERS}
    assert rules == set(RULES)


@pytest.mark.parametrize("optimizer, surface", OPTIMIZERS, ids=[o["name"] for o, _ in OPTIMIZERS])
@pytest.mark.parametrize("noise", [False, True], ids=["exact", "noisy"])
@pytest.mark.parametrize("stride", [None, 3], ids=["every", "strided"])
def test_fused_equals_generic(optimizer, surface, noise, stride, monkeypatch):
    runfile = _runfile(surface, optimizer, noise, n=300)  # a full block and a partial one
    _assert_identical(
        _simulate(runfile, True, stride, monkeypatch),
        _simulate(runfile, False, stride, monkeypatch),
    )


@pytest.mark.parametrize("optimizer, surface", OPTIMIZERS, ids=[o["name"] for o, _ in OPTIMIZERS])
@pytest.mark.parametrize("n", [1, fused_source.FEW], ids=["one", "few"])
def test_a_few_particles_step_by_step_equal_generic(optimizer, surface, n, monkeypatch):
    """A drag or a slider (one particle per run) takes the particle-major path."""
    runfile = _runfile(surface, optimizer, n > 1, n=n, loss_decay=n > 1)
    _assert_identical(
        _simulate(runfile, True, 3 if n > 1 else None, monkeypatch),
        _simulate(runfile, False, 3 if n > 1 else None, monkeypatch),
    )


@pytest.mark.parametrize("n", [9, 100, 300], ids=["few_and_block", "half_blocks", "blocks"])
@pytest.mark.parametrize("index", [0, 3, 4], ids=lambda i: OPTIMIZERS[i][0]["name"])
def test_a_small_swarm_shared_among_cores_equals_generic(index, n, monkeypatch):
    """Fewer than two blocks, split between the cores (each range on its own copy of its
    state), give the numbers of one range on one core."""
    optimizer, surface = OPTIMIZERS[index]
    runfile = _runfile(surface, optimizer, True, n=n, loss_decay=True)
    monkeypatch.setattr(stepping, "SPLIT_WORK", 0)
    monkeypatch.setattr(stepping, "SPLIT_PARTICLES", 2)
    calls = []
    sim = Simulation(runfile, stride=3, engine="kernel")
    run = sim._states[0]
    module = fused.compile_pair(run.surface, run.rule, parallel=True)
    with monkeypatch.context() as patch:
        patch.setattr(stepping, "fused_module", lambda *args: module)
        patch.setattr(
            module, "advance_parallel", lambda *a, f=module.advance_parallel: calls.append(f(*a))
        )
        sim.run_to_end()
    assert calls, "the swarm was not shared among the cores"
    _assert_identical(sim, _simulate(runfile, False, 3, monkeypatch))


@pytest.mark.parametrize("kept", [True, False], ids=["table_kept", "table_per_call"])
@pytest.mark.parametrize("n", [2, 40], ids=["few", "blocks"])
def test_in_pieces_and_long_runs_equal_generic(n, kept, monkeypatch):
    """Chunks that start past step 0 read the constants of their own steps, from the
    run's kept table or (a run longer than ``KEPT_TABLE_STEPS``) from the call's own."""
    if not kept:
        monkeypatch.setattr(stepping, "KEPT_TABLE_STEPS", 100)
    runfile = _runfile("rastrigin", {"name": "adam", "lr": 0.05}, True, n=n, steps=2500)
    sims = []
    for use_fused in (True, False):
        sim = Simulation(runfile, engine="kernel")
        run = sim._states[0]
        module = fused.compile_pair(run.surface, run.rule, parallel=True) if use_fused else None
        with monkeypatch.context() as patch:
            patch.setattr(stepping, "fused_module", lambda *args, chosen=module: chosen)
            for _ in range(3):
                sim.advance(7)
            sim.run_to(1100)
            sim.run_to_end()
        sims.append(sim)
        assert (sims[0]._states[0].constants is not None) == kept
    _assert_identical(*sims)


@pytest.mark.parametrize("n", [1, 40], ids=["few", "blocks"])
def test_an_edit_computes_the_constants_again(n, monkeypatch):
    """The fused kernels read the rule's per-step constants from a table kept per run; an
    edit of the momentum curve or the hyper-parameters must drop it: the numbers equal a
    fresh build of the edited run file."""
    optimizer = {"name": "adam", "lr": 0.05}
    runfile = _runfile("rastrigin", optimizer, False, n=n)
    sim = Simulation(runfile, engine="kernel")
    run = sim._states[0]
    module = fused.compile_pair(run.surface, run.rule, parallel=True)
    monkeypatch.setattr(stepping, "fused_module", lambda *args: module)
    sim.run_to_end()
    # an lr keeps the table; beta2 (a hyper-parameter), then beta1 (the momentum curve,
    # written in place) drop it
    edits = (({"lr": 0.02}, True), ({"betas": (0.9, 0.99)}, False), ({"betas": (0.5, 0.99)}, False))
    for edit, kept in edits:
        table = run.constants
        sim.set_run_params(0, **edit)
        sim.run_to_end()
        assert (run.constants is table) == kept
        optimizer = {**optimizer, **edit}
        edited = _runfile("rastrigin", optimizer, False, n=n)
        _assert_identical(sim, _simulate(edited, False, None, monkeypatch))


@pytest.mark.parametrize("n", [40, 2], ids=["blocks", "few"])
@pytest.mark.parametrize("lr", [0.5, 3.0], ids=["some_diverge", "all_diverge"])
def test_fused_freezes_as_generic(lr, n, monkeypatch):
    runfile = _runfile("rosenbrock", {"name": "sgd", "lr": lr}, True, n=n)
    a = _simulate(runfile, True, None, monkeypatch)
    assert a.runs[0].diverged.any()
    _assert_identical(a, _simulate(runfile, False, None, monkeypatch))


def test_fused_parallel_and_loss_decay_equal_generic(monkeypatch):
    optimizer = {"name": "adam", "lr": 0.05}
    runfile = _runfile(
        "rastrigin", optimizer, True, n=kernel.PARALLEL_THRESHOLD + 77, loss_decay=True
    )
    _assert_identical(
        _simulate(runfile, True, 2, monkeypatch), _simulate(runfile, False, 2, monkeypatch)
    )


def test_not_fused_where_the_generic_kernel_runs():
    base = {"steps": 3, "particles": {"points": [[1.0, 1.0]]}}
    cases = [
        {
            "surface": {"name": "rastrigin", "rotate": 30},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
        },
        {
            "surface": {"formula": "x**2 + y**2"},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
        },
        {"surface": {"name": "rastrigin"}, "runs": [{"optimizer": {"name": "lbfgs", "lr": 0.1}}]},
        {
            "surface": {"name": "rastrigin"},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": {"name": "plateau"}}],
        },
    ]
    for case in cases:
        sim = Simulation(parse_runfile({**base, **case}), engine="kernel")
        assert stepping.fused_module(sim, sim._states[0], 10**12) is None, case


def test_the_app_compiles_a_new_pair_in_a_child(monkeypatch, tmp_path):
    """In the app the generic kernel serves while a child process compiles the pair."""
    from lrsim.core import warmup

    started = []
    monkeypatch.setattr(fused, "_folder", lambda: tmp_path)  # nothing compiled or marked here
    monkeypatch.setattr(fused, "_modules", {})
    monkeypatch.setattr(fused, "_children", {})
    monkeypatch.setattr(fused, "_started", set())
    monkeypatch.setattr(warmup, "spawn", lambda *command: started.append(command))
    monkeypatch.setattr(warmup, "kernels_ready", lambda: True)
    monkeypatch.setattr(warmup, "_app", True)
    assert fused.kernel_for(4, 1, 10**12) is None
    assert started == [("lrsim.core.fused", "4", "1")]
    monkeypatch.setattr(warmup, "_app", False)
    assert fused.kernel_for(4, 1, 10) is None  # a command: too little work to repay a compile
