"""The second release's schedules: transformers' WSD, inverse-sqrt and warm-up cosine, REX,
ConstantLR's factor / total_iters, SequentialLR; nesting limits; values torch accepts.

``hf_*`` below are transformers 5.x's LambdaLR factors copied operation by operation
(``transformers/optimization.py``), so the vectorised curves are checked against the
source's own arithmetic without transformers installed. The golden cases
(``tests/golden``) check the same schedules against transformers and torch themselves.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import load_runfile, parse_runfile, save_runfile
from lrsim.core.schedules import SCHEDULES, schedule_curves, validate_schedule
from lrsim.core.schedules._spec import MAX_NESTING, REGISTRY, writes_momentum

RTOL, ATOL = 1e-9, 1e-12


def curves(config, *, base_lr=0.1, base_momentum=0.9, steps=40, momentum_kind="momentum"):
    resolved = validate_schedule(config, momentum_kind=momentum_kind, steps=steps)
    return schedule_curves(resolved, base_lr=base_lr, base_momentum=base_momentum, steps=steps)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


# --- transformers' factors, as transformers computes them ----------------------------------


def hf_wsd(step, *, warmup, stable, decay, warmup_type, decay_type, ratio, cycles):
    if step < warmup:
        progress = float(step) / float(max(1, warmup))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        else:
            factor = 1.0 - math.sqrt(1.0 - progress)
        return max(0.0, factor * (1.0 - ratio) + ratio)
    if step < warmup + stable:
        return 1.0
    if step < warmup + stable + decay:
        progress = float(step - warmup - stable) / float(max(1, decay))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress))
        else:
            factor = 1.0 - math.sqrt(progress)
        return max(0.0, factor * (1.0 - ratio) + ratio)
    return ratio


def hf_inverse_sqrt(step, *, warmup, timescale):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    shift = timescale - warmup
    return 1.0 / math.sqrt((step + shift) / timescale)


def hf_cosine_min_lr(step, *, warmup, total, cycles, rate):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress))
    return max(0, factor * (1 - rate) + rate)


WSD_CASES = [
    {"num_warmup_steps": 6, "num_decay_steps": 12},
    {"num_warmup_steps": 5, "num_decay_steps": 10, "num_stable_steps": 20,
     "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.1},
    {"num_warmup_steps": 8, "num_decay_steps": 16, "num_training_steps": 30,
     "warmup_type": "1-sqrt", "decay_type": "linear", "min_lr_ratio": 0.05},
    {"num_warmup_steps": 0, "num_decay_steps": 0},
    {"num_warmup_steps": 4, "num_decay_steps": 30, "num_cycles": 1.5},  # negative stable phase
]  # fmt: skip


@pytest.mark.parametrize("params", WSD_CASES, ids=range(len(WSD_CASES)))
def test_wsd_is_transformers_factor_times_lr(params):
    steps, base_lr = 40, 0.3
    resolved = validate_schedule({"name": "wsd", **params}, momentum_kind=None, steps=steps)
    warmup, decay = resolved["num_warmup_steps"], resolved["num_decay_steps"]
    stable = resolved["num_stable_steps"]
    if stable is None:
        stable = resolved["num_training_steps"] - warmup - decay
    expected = [
        base_lr
        * hf_wsd(
            t, warmup=warmup, stable=stable, decay=decay, warmup_type=resolved["warmup_type"],
            decay_type=resolved["decay_type"], ratio=resolved["min_lr_ratio"],
            cycles=resolved["num_cycles"],
        )
        for t in range(steps + 1)
    ]  # fmt: skip
    lr, momentum = curves({"name": "wsd", **params}, base_lr=base_lr, steps=steps)
    close(lr, expected)
    assert np.all(momentum == 0.9)


def test_wsd_phases_and_defaults():
    lr, _ = curves({"name": "wsd", "num_warmup_steps": 4, "num_decay_steps": 6}, steps=20)
    assert lr[0] == 0.0 and lr[4] == 0.1 and np.all(lr[4:15] == 0.1)  # stable 20 - 4 - 6 = 10
    assert lr[14] == 0.1 and lr[15] < 0.1 and lr[20] == 0.0


@pytest.mark.parametrize(("warmup", "timescale"), [(8, None), (4, 2), (0, None), (0, 5), (10, 30)])
def test_inverse_sqrt_is_transformers_factor_times_lr(warmup, timescale):
    config = {"name": "inverse_sqrt", "num_warmup_steps": warmup}
    if timescale is not None:
        config["timescale"] = timescale
    used = timescale if timescale is not None else (warmup or 10_000)
    expected = [0.3 * hf_inverse_sqrt(t, warmup=warmup, timescale=used) for t in range(61)]
    close(curves(config, base_lr=0.3, steps=60)[0], expected)


def test_inverse_sqrt_reaches_lr0_at_the_end_of_the_warmup_then_halves_at_4x():
    lr, _ = curves({"name": "inverse_sqrt", "num_warmup_steps": 10}, steps=40)
    assert lr[10] == 0.1 and lr[5] == 0.05
    close(lr[40], 0.05)  # timescale 10: sqrt((40 + 0) / 10) = 2


@pytest.mark.parametrize(
    "params",
    [
        {"num_warmup_steps": 6, "min_lr": 0.005},
        {"num_warmup_steps": 5, "num_training_steps": 30, "min_lr_rate": 0.2},
        {"num_warmup_steps": 4, "num_cycles": 1.0},
        {"num_warmup_steps": 0, "num_cycles": 0.8, "min_lr_rate": 0.1},
        {"num_warmup_steps": 50},  # longer than the run
    ],
)
def test_warmup_cosine_is_transformers_factor_times_lr(params):
    steps, base_lr = 45, 0.04
    resolved = validate_schedule({"name": "warmup_cosine", **params}, momentum_kind=None, steps=45)
    if resolved["min_lr"] is not None:
        rate = resolved["min_lr"] / base_lr  # transformers: min_lr / optimizer.defaults["lr"]
    else:
        rate = resolved["min_lr_rate"] or 0.0
    expected = [
        base_lr
        * hf_cosine_min_lr(
            t, warmup=resolved["num_warmup_steps"], total=resolved["num_training_steps"],
            cycles=resolved["num_cycles"], rate=rate,
        )
        for t in range(steps + 1)
    ]  # fmt: skip
    close(curves({"name": "warmup_cosine", **params}, base_lr=base_lr, steps=steps)[0], expected)


def test_warmup_cosine_ends_on_its_floor():
    lr, _ = curves({"name": "warmup_cosine", "num_warmup_steps": 5, "min_lr": 0.01}, steps=30)
    assert lr[5] == 0.1
    close(lr[30], 0.01)


def test_rex_formula_endpoints_and_shape():
    lr, _ = curves({"name": "rex"}, base_lr=0.1, steps=40)
    z = np.arange(41) / 40
    close(lr[:40], 0.1 * (1 - z[:40]) / (1 - z[:40] / 2))
    assert lr[0] == 0.1 and lr[40] == 0.0
    close(lr[20], 0.1 * 2 / 3)  # z = 1/2: (1/2) / (3/4)
    linear = 0.1 * (1 - z)
    assert np.all(lr >= linear - 1e-15) and lr[30] > 1.5 * linear[30]  # high for longer


def test_rex_with_floor_and_short_budget_holds_eta_min():
    lr, _ = curves({"name": "rex", "total_steps": 25, "eta_min": 0.02}, base_lr=0.1, steps=40)
    z = np.arange(25) / 25
    close(lr[:25], 0.02 + 0.08 * (1 - z) / (1 - z / 2))
    assert np.all(lr[25:] == 0.02)


# --- ConstantLR ----------------------------------------------------------------------------


def test_bare_constant_changes_nothing():
    lr, _ = curves({"name": "constant"}, base_lr=0.1, steps=12)
    assert np.all(lr == 0.1)


def test_constant_factor_until_total_iters():
    lr, _ = curves({"name": "constant", "factor": 0.5, "total_iters": 4}, steps=8)
    assert lr.tolist() == [0.05] * 4 + [0.1] * 5


def test_constant_total_iters_zero_keeps_the_factor_as_torch_does():
    lr, _ = curves({"name": "constant", "factor": 0.25, "total_iters": 0}, steps=8)
    assert lr.tolist() == [0.025] * 9


def test_constant_factor_zero_is_refused_only_when_torch_would_divide_by_it():
    with pytest.raises(ConfigError) as info:
        validate_schedule({"name": "constant", "factor": 0}, momentum_kind=None, steps=10)
    assert info.value.field == "factor" and "ZeroDivisionError" in info.value.problem
    for total in (0, 11):  # never undone within the run: lr 0 throughout
        config = {"name": "constant", "factor": 0.0, "total_iters": total}
        assert np.all(curves(config, steps=10)[0] == 0.0)


# --- sequential ----------------------------------------------------------------------------

CHAIN = {
    "name": "sequential",
    "milestones": [6, 12],
    "schedules": [
        {"name": "constant", "factor": 0.5, "total_iters": 3},
        {"name": "constant", "factor": 0.25, "total_iters": 0},
        {"name": "exponential", "gamma": 0.9},
    ],
}


def test_sequential_children_count_from_their_milestones():
    lr, momentum = curves(CHAIN, base_lr=0.1, steps=16)
    expected = [0.05] * 3 + [0.1] * 3 + [0.1] * 6 + [0.1 * 0.9**k for k in range(5)]
    close(lr, expected)  # a ConstantLR switched in with total_iters 0 is torch's closed form: lr0
    assert np.all(momentum == 0.9)


def test_sequential_defaults_are_each_childs_span():
    config = {
        "name": "sequential", "milestones": [10],
        "schedules": [{"name": "cosine"}, {"name": "rex"}],
    }  # fmt: skip
    resolved = validate_schedule(config, momentum_kind=None, steps=30)
    assert resolved["schedules"][0]["T_max"] == 10 and resolved["schedules"][1]["total_steps"] == 20
    lr, _ = curves(config, steps=30)
    assert lr[10] == 0.1 and lr[30] == 0.0 and lr[9] < 0.01


def test_sequential_onecycle_starts_from_its_own_lr_and_a_warmup_ramps_to_the_optimizers():
    config = {
        "name": "sequential", "milestones": [5],
        "schedules": [
            {"name": "inverse_sqrt", "num_warmup_steps": 5},
            {"name": "onecycle", "max_lr": 1.0, "total_steps": 20},
        ],
    }  # fmt: skip
    lr, momentum = curves(config, base_lr=0.1, steps=20, momentum_kind="beta1")
    close(lr[:5], [0.0, 0.02, 0.04, 0.06, 0.08])
    close(lr[5], 1.0 / 25)
    # the onecycle constructor sets beta1 before the warm-up runs
    close(momentum[:6], [0.95] * 6)


def test_sequential_momentum_before_during_and_after_a_cycling_child():
    cyclic = {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.08, "step_size_up": 4,
              "base_momentum": 0.6, "max_momentum": 0.85}  # fmt: skip
    config = {
        "name": "sequential", "milestones": [8, 14],
        "schedules": [{"name": "exponential", "gamma": 0.95}, cyclic, {"name": "constant"}],
    }  # fmt: skip
    lr, momentum = curves(config, base_lr=0.05, base_momentum=0.5, steps=20)
    alone_lr, alone_momentum = curves(cyclic, steps=20)
    assert np.all(momentum[:8] == 0.85)  # written by CyclicLR's constructor, not the optimizer's
    close(momentum[8:14], alone_momentum[:6])
    close(lr[8:14], alone_lr[:6])
    assert np.all(momentum[14:] == alone_momentum[5])  # the last value it set stays


def test_sequential_without_milestones_is_its_one_child():
    config = {"name": "sequential", "schedules": [{"name": "cosine", "T_max": 9}]}
    close(curves(config, steps=9)[0], curves({"name": "cosine", "T_max": 9}, steps=9)[0])


SEQUENTIAL_ERRORS = [
    ({"name": "sequential"}, "schedules", "is required"),
    ({"name": "sequential", "schedules": []}, "schedules", "at least one"),
    ({"name": "sequential", "schedules": {"name": "cosine"}}, "schedules", "must be a list"),
    ({"name": "sequential", "schedules": ["cosine"]}, "schedules[0]", "must be a table"),
    ({"name": "sequential", "schedules": [{"name": "cosine"}] * 2}, "milestones",
     "one fewer entry than schedules (1), got 0"),
    ({"name": "sequential", "schedules": [{"name": "cosine"}] * 3, "milestones": [5, 5]},
     "milestones[1]", "must be increasing"),
    ({"name": "sequential", "schedules": [{"name": "cosine"}] * 2, "milestones": [0]},
     "milestones[0]", "must be positive"),
    ({"name": "sequential", "schedules": [{"name": "cosine"}, {"name": "plateau"}],
      "milestones": [3]}, "schedules[1].name", "SequentialLR"),
    ({"name": "sequential", "schedules": [{"name": "cosine"}, {"name": "cosine", "T_max": 0}],
      "milestones": [3]}, "schedules[1].T_max", "positive integer"),
    ({"name": "sequential", "schedules": [{"name": "cosine"}, {"name": "linear",
      "total_iters": 0}], "milestones": [3]}, "schedules[1].total_iters", "closed form"),
    ({"name": "warmup", "warmup_steps": 2, "then": {"name": "polynomial", "total_iters": 0}},
     "then.total_iters", "closed form"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "field", "words"), SEQUENTIAL_ERRORS)
def test_sequential_errors_name_the_field(config, field, words):
    with pytest.raises(ConfigError) as info:
        validate_schedule(config, momentum_kind=None, steps=20)
    assert info.value.field == field
    assert words in info.value.problem


RECIPE_ERRORS = [
    ({"name": "wsd", "num_decay_steps": 3}, "num_warmup_steps", "is required"),
    ({"name": "wsd", "num_warmup_steps": 3}, "num_decay_steps", "is required"),
    ({"name": "wsd", "num_warmup_steps": -1, "num_decay_steps": 3}, "num_warmup_steps",
     "non-negative"),
    ({"name": "wsd", "num_warmup_steps": 1, "num_decay_steps": 3, "num_stable_steps": -2},
     "num_stable_steps", "non-negative"),
    ({"name": "wsd", "num_warmup_steps": 1, "num_decay_steps": 3, "warmup_type": "exp"},
     "warmup_type", "'linear', 'cosine', '1-sqrt'"),
    ({"name": "wsd", "num_warmup_steps": 1, "num_decay_steps": 3, "min_lr_ratio": -0.1},
     "min_lr_ratio", "non-negative"),
    ({"name": "inverse_sqrt"}, "num_warmup_steps", "is required"),
    ({"name": "inverse_sqrt", "num_warmup_steps": 3, "timescale": 0}, "timescale", "positive"),
    ({"name": "warmup_cosine", "num_warmup_steps": 3, "min_lr": 0.1, "min_lr_rate": 0.1},
     "min_lr_rate", "not both"),
    ({"name": "warmup_cosine", "num_warmup_steps": 3, "min_lr": -0.1}, "min_lr", "non-negative"),
    ({"name": "rex", "total_steps": 0}, "total_steps", "positive integer"),
    ({"name": "rex", "eta_min": -1.0}, "eta_min", "non-negative"),
    ({"name": "constant", "factor": 1.5}, "factor", "[0, 1]"),
    ({"name": "constant", "total_iters": -1}, "total_iters", "non-negative"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "field", "words"), RECIPE_ERRORS)
def test_recipe_errors_name_the_field(config, field, words):
    with pytest.raises(ConfigError) as info:
        validate_schedule(config, momentum_kind=None, steps=20)
    assert info.value.field == field
    assert words in info.value.problem


# --- nesting is bounded, the work linear ----------------------------------------------------


def _nested_warmups(depth):
    config = {"name": "constant"}
    for _ in range(depth):
        config = {"name": "warmup", "warmup_steps": 1, "then": config}
    return config


def _nested_sequentials(depth):
    config = {"name": "constant"}
    for _ in range(depth):
        config = {"name": "sequential", "schedules": [config]}
    return config


@pytest.mark.parametrize(
    ("build", "prefix"), [(_nested_warmups, "then"), (_nested_sequentials, "schedules[0]")]
)
def test_nesting_is_limited_with_the_field_path(build, prefix):
    curves(build(MAX_NESTING), steps=20)
    with pytest.raises(ConfigError) as info:
        validate_schedule(build(MAX_NESTING + 1), momentum_kind=None, steps=20)
    assert info.value.field == ".".join([prefix] * (MAX_NESTING + 1))
    assert f"more than {MAX_NESTING} levels" in info.value.problem


def test_each_child_is_evaluated_once(monkeypatch):
    calls = []
    spec = REGISTRY["constant"]

    def counting(params, t, base_lr, base_momentum):
        calls.append(t.size)
        return spec.curve(params, t, base_lr, base_momentum)

    monkeypatch.setitem(
        REGISTRY, "constant", dataclasses.replace(spec, curve=counting, switched_in_curve=counting)
    )
    children = 500
    config = {
        "name": "sequential",
        "schedules": [{"name": "constant"}] * children,
        "milestones": list(range(1, children)),
    }
    curves(config, steps=children)
    assert len(calls) == children and sum(calls) <= 2 * children + 1
    calls.clear()
    curves(_nested_warmups(MAX_NESTING), steps=40)
    assert len(calls) == 1


def test_writes_momentum_looks_into_nested_schedules():
    cyclic = {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1}
    nested = {"name": "warmup", "warmup_steps": 2, "then": cyclic}
    seq = {"name": "sequential", "schedules": [{"name": "rex"}, nested], "milestones": [3]}
    resolved = validate_schedule(seq, momentum_kind="momentum", steps=10)
    assert writes_momentum(resolved)
    quiet = validate_schedule(
        {**seq, "schedules": [{"name": "rex"}, {**cyclic, "cycle_momentum": False}]},
        momentum_kind=None, steps=10,
    )  # fmt: skip
    assert not writes_momentum(quiet)


# --- what PyTorch accepts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"name": "plateau", "factor": 0.0},
        {"name": "plateau", "factor": -0.5},
        {"name": "plateau", "patience": 1.5, "cooldown": 2.5},
        {"name": "plateau", "patience": -1, "threshold": -1e-3, "eps": 0.0},
        {"name": "step", "step_size": 2, "gamma": 0},
        {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2.5,
         "step_size_down": 0, "mode": "exp_range", "gamma": 0},
        {"name": "onecycle", "max_lr": 0.0},
        {"name": "polynomial", "total_iters": 30, "power": -1.0},  # never reaches 0 in 20 steps
    ],
)  # fmt: skip
def test_values_pytorch_accepts_run(config):
    lr, momentum = curves(config, steps=20)
    assert np.all(np.isfinite(lr)) and np.all(np.isfinite(momentum))


def test_fractional_cyclic_step_sizes_follow_torchs_floats():
    lr, _ = curves(
        {"name": "cyclic", "base_lr": 0.0, "max_lr": 1.0, "step_size_up": 2.5,
         "cycle_momentum": False}, steps=6,
    )  # fmt: skip
    close(lr, [0.0, 0.4, 0.8, 0.8, 0.4, 0.0, 0.4])


def test_every_schedule_has_a_source_or_torch_class():
    for name, spec in SCHEDULES.items():
        assert spec.torch_class or spec.source or name in ("inverse_time", "warmup"), name


def test_sequential_round_trips_through_a_run_file(tmp_path: Path):
    data = {
        "steps": 20,
        "surface": {"name": "quadratic"},
        "particles": {"points": [[1.0, 1.0]]},
        "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": CHAIN}],
    }
    runfile = parse_runfile(data)
    path = tmp_path / "seq.toml"
    save_runfile(runfile, path)
    again = load_runfile(path)
    assert again.runs[0].schedule == runfile.runs[0].schedule
    assert again.runs[0].schedule["schedules"][1] == {
        "name": "constant", "factor": 0.25, "total_iters": 0,
    }  # fmt: skip


def test_a_warmup_before_a_onecycle_ramps_toward_the_optimizers_lr():
    config = {"name": "warmup", "warmup_steps": 4, "then": {"name": "onecycle", "max_lr": 1.0}}
    lr, momentum = curves(config, base_lr=0.1, steps=20, momentum_kind="beta1")
    close(lr[:4], [0.0, 0.025, 0.05, 0.075])  # toward the optimizer's 0.1, not max_lr
    close(lr[4], 1.0 / 25)  # then the one-cycle from its own max_lr / div_factor
    close(momentum[:5], [0.95] * 5)


def test_a_middle_child_is_checked_up_to_the_step_before_the_next_milestone():
    # torch steps child 0 to local step 9 only; OneCycleLR(total_steps=9) is fine there
    onecycle = {"name": "onecycle", "max_lr": 0.1, "total_steps": 9, "cycle_momentum": False}
    config = {"name": "sequential", "milestones": [10], "schedules": [onecycle, {"name": "rex"}]}
    lr, _ = curves(config, steps=20)
    assert np.all(np.isfinite(lr))
    with pytest.raises(ConfigError) as info:
        validate_schedule(
            {**config, "schedules": [{**onecycle, "total_steps": 8}, {"name": "rex"}]},
            momentum_kind=None, steps=20,
        )  # fmt: skip
    assert info.value.field == "schedules[0].total_steps"
    # ConstantLR divides by factor at local step total_iters: never reached at 10 here
    zero = {"name": "constant", "factor": 0.0, "total_iters": 10}
    assert np.all(curves({**config, "schedules": [zero, {"name": "rex"}]}, steps=20)[0][:10] == 0)


def test_warmup_cosine_min_lr_with_a_zero_lr_is_named_not_a_traceback():
    config = {"name": "warmup_cosine", "num_warmup_steps": 2, "min_lr": 0.01}
    with pytest.raises(ConfigError) as info:
        curves(config, base_lr=0.0, steps=10)
    assert info.value.field == "min_lr" and "min_lr_rate" in info.value.problem
    rate = {"name": "warmup_cosine", "num_warmup_steps": 2, "min_lr_rate": 0.1}
    assert np.all(curves(rate, base_lr=0.0, steps=10)[0] == 0.0)
