"""Schedules: closed-form values, PyTorch's conventions, momentum cycling, validation.

Values marked "REFERENCE" are sequences verified against PyTorch 2.13.0 in
shared/reference/REFERENCE.md section 1. ``naive_*`` below are step-by-step
ports of torch's own (recursive, stateful) ``get_lr`` code, so the vectorised
closed forms are checked against torch's algorithm without torch installed.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsim.core.errors import ConfigError
from lrsim.core.schedules import SCHEDULES, ScheduleSpec, schedule_curves, validate_schedule

RTOL, ATOL = 1e-9, 1e-12  # the conformance rule of REFERENCE 0.4


def curves(config, *, base_lr=0.1, base_momentum=0.9, steps=20, momentum_kind="beta1"):
    resolved = validate_schedule(config, momentum_kind=momentum_kind, steps=steps)
    return schedule_curves(resolved, base_lr=base_lr, base_momentum=base_momentum, steps=steps)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


# --- registry ------------------------------------------------------------------------------

CONTRACT_NAMES = {
    "constant", "linear", "step", "multistep", "exponential", "cosine", "cosine_restarts",
    "cyclic", "onecycle", "polynomial", "plateau", "inverse_time", "warmup",
    "wsd", "inverse_sqrt", "warmup_cosine", "rex", "sequential",
}  # fmt: skip


def test_registry_has_every_contract_schedule():
    assert set(SCHEDULES) == CONTRACT_NAMES
    assert all(
        isinstance(spec, ScheduleSpec) and spec.name == name for name, spec in SCHEDULES.items()
    )


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_spec_is_documented_for_the_gui(name):
    spec = SCHEDULES[name]
    assert spec.title and spec.doc and "lr" in spec.doc
    names = [param.name for param in spec.params]
    assert len(names) == len(set(names))
    for param in spec.params:
        assert param.doc and "\n" not in param.doc and len(param.doc) <= 100, param.name
    assert spec.cycles_momentum == (name in ("cyclic", "onecycle"))
    assert spec.sets_own_lr == (name in ("cyclic", "onecycle"))


# sample configs used by several tests: every schedule, some variants
SAMPLES = {
    "constant": {"name": "constant"},
    "linear": {"name": "linear", "start_factor": 0.5, "end_factor": 0.1, "total_iters": 8},
    "step": {"name": "step", "step_size": 3, "gamma": 0.5},
    "multistep": {"name": "multistep", "milestones": [2, 5, 5], "gamma": 0.5},
    "exponential": {"name": "exponential", "gamma": 0.9},
    "exponential_k": {"name": "exponential", "k": 0.1},
    "inverse_time": {
        "name": "inverse_time", "decay_rate": 0.5, "decay_steps": 3, "staircase": True,
    },
    "polynomial": {"name": "polynomial", "total_iters": 10, "power": 2.0},
    "cosine": {"name": "cosine", "T_max": 7, "eta_min": 0.001},
    "cosine_restarts": {"name": "cosine_restarts", "T_0": 3, "T_mult": 2},
    "cyclic": {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
    "cyclic_hann": {
        "name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 6,
        "mode": "exp_range", "gamma": 0.99, "window": "hann",
    },
    "onecycle": {"name": "onecycle", "max_lr": 0.1},
    "onecycle_3": {
        "name": "onecycle", "max_lr": 0.1, "three_phase": True, "anneal_strategy": "linear",
    },
    "plateau": {"name": "plateau", "patience": 2},
    "warmup": {"name": "warmup", "warmup_steps": 4, "then": {"name": "cosine", "eta_min": 0.001}},
    "warmup_cyclic": {
        "name": "warmup", "warmup_steps": 4, "start_factor": 0.2,
        "then": {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
    },
    "constant_factor": {"name": "constant", "factor": 0.5, "total_iters": 3},
    "wsd": {"name": "wsd", "num_warmup_steps": 3, "num_decay_steps": 5},
    "inverse_sqrt": {"name": "inverse_sqrt", "num_warmup_steps": 3},
    "warmup_cosine": {"name": "warmup_cosine", "num_warmup_steps": 3, "min_lr": 0.01},
    "rex": {"name": "rex"},
    "sequential": {
        "name": "sequential", "milestones": [4, 9],
        "schedules": [{"name": "linear"}, {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1,
                                          "step_size_up": 2}, {"name": "cosine"}],
    },
}  # fmt: skip


@pytest.mark.parametrize("config", SAMPLES.values(), ids=SAMPLES.keys())
def test_curves_are_float64_of_length_steps_plus_one(config):
    lr, momentum = curves(config, steps=20)
    for array in (lr, momentum):
        assert array.dtype == np.float64 and array.shape == (21,)
        assert array.flags.c_contiguous and np.all(np.isfinite(array))


@pytest.mark.parametrize("config", SAMPLES.values(), ids=SAMPLES.keys())
def test_validation_is_idempotent(config):
    once = validate_schedule(config, momentum_kind="momentum", steps=20)
    assert once["name"] == config["name"]
    assert validate_schedule(once, momentum_kind="momentum", steps=20) == once


@pytest.mark.parametrize("config", SAMPLES.values(), ids=SAMPLES.keys())
def test_zero_steps_gives_row_zero_only(config):
    lr, momentum = curves(config, steps=1)
    lr0, momentum0 = schedule_curves(
        validate_schedule(config, momentum_kind="beta1", steps=1),
        base_lr=0.1, base_momentum=0.9, steps=0,
    )  # fmt: skip
    assert lr0.tolist() == lr[:1].tolist() and momentum0.tolist() == momentum[:1].tolist()


# --- closed forms and REFERENCE sequences -------------------------------------------------

SEQUENCES = [
    pytest.param({"name": "constant"}, [0.1] * 4, id="constant"),
    pytest.param(
        {"name": "step", "step_size": 3, "gamma": 0.5},
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025],
        id="step-REFERENCE",
    ),
    pytest.param(
        {"name": "multistep", "milestones": [2, 5, 5], "gamma": 0.5},
        [0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125],
        id="multistep-REFERENCE-repeated-milestone",
    ),
    pytest.param(
        {"name": "multistep", "milestones": [5, 2, 5], "gamma": 0.5},
        [0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125],
        id="multistep-unsorted",
    ),
    pytest.param(
        {"name": "multistep", "milestones": [0, 3]}, [0.01, 0.01, 0.01, 0.001], id="multistep-0"
    ),
    pytest.param(
        {"name": "linear"},
        [0.1 * (1 / 3 + (2 / 3) * min(t, 5) / 5) for t in range(8)],
        id="linear-torch-defaults",
    ),
    pytest.param(
        {"name": "linear", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 4},
        [0.1, 0.075, 0.05, 0.025, 0.0, 0.0],
        id="linear-decay-holds",
    ),
    pytest.param(
        {"name": "exponential", "gamma": 0.5}, [0.1, 0.05, 0.025, 0.0125], id="exponential-gamma"
    ),
    pytest.param(
        {"name": "exponential", "k": 1.0},
        [0.1 * math.exp(-t) for t in range(4)],
        id="exponential-k",
    ),
    pytest.param(
        {"name": "inverse_time", "decay_rate": 1.0},
        [0.1, 0.05, 0.1 / 3, 0.025],
        id="inverse_time",
    ),
    pytest.param(
        {"name": "inverse_time", "decay_rate": 1.0, "decay_steps": 2},
        [0.1, 0.1 / 1.5, 0.05, 0.1 / 2.5, 0.1 / 3],
        id="inverse_time-decay_steps",
    ),
    pytest.param(
        {"name": "inverse_time", "decay_rate": 1.0, "decay_steps": 2, "staircase": True},
        [0.1, 0.1, 0.05, 0.05, 0.1 / 3],
        id="inverse_time-staircase",
    ),
    pytest.param(
        {"name": "polynomial", "total_iters": 4, "power": 2.0},
        [0.1, 0.05625, 0.025, 0.00625, 0.0, 0.0],
        id="polynomial-reaches-zero",
    ),
    pytest.param(
        {"name": "polynomial"}, [0.1, 0.08, 0.06, 0.04, 0.02, 0.0, 0.0], id="polynomial-defaults"
    ),
    pytest.param(
        {
            "name": "cyclic",
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 3,
            "step_size_down": 5,
            "mode": "triangular2",
        },
        [0.01, 0.04, 0.07, 0.10, 0.082, 0.064, 0.046, 0.028, 0.01, 0.025, 0.04, 0.055],
        id="cyclic-triangular2-REFERENCE",
    ),  # fmt: skip
    pytest.param(
        {
            "name": "cyclic",
            "base_lr": 0.0,
            "max_lr": 1.0,
            "step_size_up": 2,
            "mode": "exp_range",
            "gamma": 0.5,
        },
        [0.0, 0.5 * 0.5, 1.0 * 0.25, 0.5 * 0.125, 0.0, 0.5 * 0.5**5],
        id="cyclic-exp_range-on-iterations",
    ),  # fmt: skip
    pytest.param(
        {"name": "cyclic", "base_lr": 0.0, "max_lr": 1.0, "step_size_up": 2, "step_size_down": 0},
        [0.0, 0.5, 0.0, 0.5, 0.0],
        id="cyclic-sawtooth",
    ),
]


@pytest.mark.parametrize(("config", "expected"), SEQUENCES)
def test_known_sequence(config, expected):
    lr, _ = curves(config, steps=len(expected) - 1)
    close(lr, expected)


def test_step_boundary_is_row_step_size():
    """Updates 1..S use lr0; row S (used by update S+1) shows lr0 * gamma."""
    lr, _ = curves({"name": "step", "step_size": 100}, steps=200)
    assert lr[99] == 0.1 and lr[100] == pytest.approx(0.01) and lr[200] == pytest.approx(0.001)


def test_exponential_k_equals_gamma_exp_minus_k():
    lr_k, _ = curves({"name": "exponential", "k": 0.05}, steps=300)
    lr_gamma, _ = curves({"name": "exponential", "gamma": math.exp(-0.05)}, steps=300)
    np.testing.assert_allclose(lr_k, lr_gamma, rtol=1e-13)


def test_cosine_is_not_clamped_past_t_max():
    lr, _ = curves({"name": "cosine", "T_max": 100}, steps=200)
    assert lr[0] == 0.1 and lr[100] == 0.0  # cos(pi) = -1 exactly
    close(lr[[50, 150, 200]], [0.05, 0.04999999999999995, 0.09999999999999994])  # REFERENCE
    close(lr[:101], 0.1 * (1 + np.cos(np.pi * np.arange(101) / 100)) / 2)


def test_cosine_t_max_defaults_to_run_steps():
    config = validate_schedule({"name": "cosine", "eta_min": 0.01}, momentum_kind=None, steps=40)
    assert config["T_max"] == 40
    lr, _ = schedule_curves(config, base_lr=0.5, base_momentum=0.0, steps=40)
    assert lr[0] == 0.5 and lr[-1] == 0.01


def test_cosine_restarts_t_mult_2_restarts_at_10_30_70_150():
    lr, _ = curves({"name": "cosine_restarts", "T_0": 10, "T_mult": 2}, steps=200)
    restarts = [t for t in range(1, 201) if lr[t] > lr[t - 1]]
    assert restarts == [10, 30, 70, 150]  # REFERENCE
    assert all(lr[t] == 0.1 for t in [0, 10, 30, 70, 150])
    # eta_min is never reached: the last value of a cycle of length T_i
    for end, length in [(9, 10), (29, 20), (69, 40), (149, 80)]:
        close(lr[end], 0.1 * (1 + math.cos(math.pi * (length - 1) / length)) / 2)


def test_cosine_restarts_t_mult_1_is_periodic():
    lr, _ = curves({"name": "cosine_restarts", "T_0": 7, "eta_min": 0.01}, steps=70)
    close(lr, 0.01 + 0.09 * (1 + np.cos(np.pi * (np.arange(71) % 7) / 7)) / 2)


# --- OneCycleLR --------------------------------------------------------------------------


def test_onecycle_row_zero_is_torchs_cos_value_exactly():
    lr, momentum = curves({"name": "onecycle", "max_lr": 0.1}, steps=10)
    assert lr[0] == 0.0040000000000000036  # REFERENCE: not 0.004, torch's cos formula
    assert momentum[0] == 0.95


def test_onecycle_peak_end_and_extrapolation():
    lr, momentum = curves({"name": "onecycle", "max_lr": 0.1}, steps=10)
    assert int(np.argmax(lr)) == 2 and lr[2] == 0.1  # peak at pct_start * N - 1
    assert momentum[2] == 0.85
    close(lr[9], 0.1 / 25 / 1e4)  # eta_min at N - 1
    close(lr[10], lr[8])  # torch extrapolates past N - 1: the cosine bounces back


def test_onecycle_linear_overshoots_negative_at_n():
    config = {"name": "onecycle", "max_lr": 0.1, "anneal_strategy": "linear"}
    lr, momentum = curves(config, steps=10)
    assert lr[0] == 0.004
    close(lr[10], -0.014285257142857138)  # REFERENCE: -0.0143, never used for an update
    close(momentum[10], 0.95 + 0.1 / 7)  # 0.964 > max_momentum


def test_onecycle_three_phase_endpoints():
    config = {"name": "onecycle", "max_lr": 1.0, "total_steps": 100, "pct_start": 0.25,
              "three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0}  # fmt: skip
    lr, momentum = curves(config, steps=100)
    close(lr[[0, 24, 48, 99]], [0.1, 1.0, 0.1, 0.001])
    close(momentum[[0, 24, 48, 99]], [0.95, 0.85, 0.95, 0.95])


def test_onecycle_total_steps_from_epochs():
    config = validate_schedule(
        {"name": "onecycle", "max_lr": 0.1, "epochs": 4, "steps_per_epoch": 25},
        momentum_kind="momentum",
        steps=60,
    )
    assert config["total_steps"] == 100
    lr, _ = schedule_curves(config, base_lr=9.9, base_momentum=0.0, steps=60)
    assert int(np.argmax(lr)) == 29


def test_onecycle_curves_reject_steps_past_total():
    config = validate_schedule({"name": "onecycle", "max_lr": 0.1}, momentum_kind="beta1", steps=10)
    with pytest.raises(ConfigError) as info:
        schedule_curves(config, base_lr=0.1, base_momentum=0.9, steps=11)
    assert info.value.field == "total_steps"


def test_onecycle_ignores_optimizer_lr_and_momentum():
    a = curves({"name": "onecycle", "max_lr": 0.1}, base_lr=0.5, base_momentum=0.0, steps=30)
    b = curves({"name": "onecycle", "max_lr": 0.1}, base_lr=0.001, base_momentum=0.99, steps=30)
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_onecycle_without_momentum_cycling_keeps_optimizer_momentum():
    config = {"name": "onecycle", "max_lr": 0.1, "cycle_momentum": False}
    _, momentum = curves(config, base_momentum=0.3, momentum_kind=None, steps=10)
    assert momentum.tolist() == [0.3] * 11


# --- CyclicLR: momentum cycling and windows ----------------------------------------------


def test_cyclic_cycles_adams_beta1_by_default():
    config = {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4}
    lr, beta1 = curves(config, base_lr=0.5, base_momentum=0.9, steps=16)
    close(lr[[0, 4, 8]], [0.001, 0.01, 0.001])  # the optimizer's lr 0.5 is ignored
    assert beta1[0] == 0.9 and beta1[4] == 0.8 and beta1[8] == 0.9  # REFERENCE: 0.9 -> 0.8 -> 0.9
    close(beta1[2], 0.85)
    close(beta1 - 0.9, -(lr - 0.001) / 0.009 * 0.1)  # opposite to the lr


def test_cyclic_row_zero_momentum_is_max_momentum_even_for_sgd_without_momentum():
    config = {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2,
              "base_momentum": 0.5, "max_momentum": 0.7}  # fmt: skip
    _, momentum = curves(config, base_momentum=0.0, momentum_kind="momentum", steps=4)
    close(momentum, [0.7, 0.6, 0.5, 0.6, 0.7])


def test_cyclic_without_momentum_cycling():
    config = {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "cycle_momentum": False}
    _, momentum = curves(config, base_momentum=0.0, momentum_kind=None, steps=5)
    assert momentum.tolist() == [0.0] * 6


def test_cyclic_triangle_equals_clr_paper_formula():
    """REFERENCE 1.9: symmetric triangular CyclicLR is Smith's formula."""
    size = 7
    lr, _ = curves({"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": size},
                   steps=100)  # fmt: skip
    t = np.arange(101)
    cycle = np.floor(1 + t / (2 * size))
    x = np.abs(t / size - 2 * cycle + 1)
    np.testing.assert_allclose(lr, 0.01 + 0.09 * np.maximum(0, 1 - x), rtol=0, atol=1e-15)


WINDOWS = {
    "triangle": lambda h: h,
    "welch": lambda h: 1 - (1 - h) ** 2,
    "hann": lambda h: (1 - np.cos(np.pi * h)) / 2,
}


@pytest.mark.parametrize("window", WINDOWS)
def test_cyclic_window_shapes(window):
    config = {"name": "cyclic", "base_lr": 0.0, "max_lr": 1.0, "step_size_up": 4,
              "step_size_down": 2, "window": window}  # fmt: skip
    lr, momentum = curves(config, steps=6)
    heights = np.array([0, 0.25, 0.5, 0.75, 1, 0.5, 0])
    close(lr, WINDOWS[window](heights))
    close(momentum, 0.9 - 0.1 * WINDOWS[window](heights))
    assert lr[0] == 0.0 and lr[6] == 0.0 and momentum[0] == 0.9  # each cycle starts at base


def test_windows_known_midpoints():
    config = {"name": "cyclic", "base_lr": 0.0, "max_lr": 1.0, "step_size_up": 4}
    welch, _ = curves({**config, "window": "welch"}, steps=4)
    hann, _ = curves({**config, "window": "hann"}, steps=4)
    close(welch, [0.0, 0.4375, 0.75, 0.9375, 1.0])
    close(hann, [0.0, (1 - math.sqrt(0.5)) / 2, 0.5, (1 + math.sqrt(0.5)) / 2, 1.0])


@pytest.mark.parametrize("window", ["welch", "hann"])
def test_window_takes_the_modes_amplitude(window):
    """triangular2 halves the window's height each cycle, for lr and momentum alike."""
    base = {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "window": window}
    one, m_one = curves(base, steps=30)
    two, m_two = curves({**base, "mode": "triangular2"}, steps=30)
    cycle = np.floor(1 + np.arange(31) / 6)
    close(two - 0.01, (one - 0.01) / 2 ** (cycle - 1))
    close(0.9 - m_two, (0.9 - m_one) / 2 ** (cycle - 1))


# --- warm-up (SequentialLR) -------------------------------------------------------------


def test_warmup_then_cosine_joins_at_w():
    config = validate_schedule(
        {"name": "warmup", "warmup_steps": 10, "then": {"name": "cosine", "eta_min": 0.001}},
        momentum_kind="momentum",
        steps=50,
    )
    assert config["then"] == {"name": "cosine", "T_max": 40, "eta_min": 0.001}
    lr, momentum = schedule_curves(config, base_lr=0.1, base_momentum=0.9, steps=50)
    close(lr[:10], 0.1 * np.arange(10) / 10)
    assert lr[0] == 0.0 and lr[10] == 0.1 and lr[50] == 0.001
    close(lr[10:], 0.001 + 0.099 * (1 + np.cos(np.pi * np.arange(41) / 40)) / 2)  # REFERENCE 1.11
    assert momentum.tolist() == [0.9] * 51


def test_warmup_start_factor_and_default_constant():
    lr, _ = curves({"name": "warmup", "warmup_steps": 4, "start_factor": 0.2}, steps=6)
    close(lr, [0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1])


def test_warmup_then_step_counts_from_the_join():
    config = {"name": "warmup", "warmup_steps": 2, "then": {"name": "step", "step_size": 3}}
    lr, _ = curves(config, base_lr=1.0, steps=9)
    close(lr, [0.0, 0.5, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01])


def test_warmup_then_cyclic_holds_max_momentum_during_the_warmup():
    """torch's CyclicLR sets max_momentum when constructed, before SequentialLR warms up."""
    config = {"name": "warmup", "warmup_steps": 3,
              "then": {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2,
                       "max_momentum": 0.95}}  # fmt: skip
    lr, momentum = curves(config, base_lr=0.3, base_momentum=0.5, steps=7)
    close(lr, [0.0, 0.1, 0.2, 0.01, 0.055, 0.1, 0.055, 0.01])
    close(momentum, [0.95, 0.95, 0.95, 0.95, 0.875, 0.8, 0.875, 0.95])


def test_warmup_then_onecycle_uses_remaining_steps():
    config = validate_schedule(
        {"name": "warmup", "warmup_steps": 5, "then": {"name": "onecycle", "max_lr": 0.2}},
        momentum_kind="beta1",
        steps=25,
    )
    assert config["then"]["total_steps"] == 20
    lr, _ = schedule_curves(config, base_lr=0.1, base_momentum=0.9, steps=25)
    assert int(np.argmax(lr)) == 5 + 5  # peak of the onecycle at 0.3 * 20 - 1
    assert lr[4] == pytest.approx(0.08)


def test_warmup_longer_than_run():
    lr, _ = curves({"name": "warmup", "warmup_steps": 100, "then": {"name": "cosine"}}, steps=10)
    close(lr, 0.1 * np.arange(11) / 100)


def test_nested_warmup():
    config = {"name": "warmup", "warmup_steps": 2,
              "then": {"name": "warmup", "warmup_steps": 2, "start_factor": 0.5}}  # fmt: skip
    lr, _ = curves(config, base_lr=1.0, steps=5)
    close(lr, [0.0, 0.5, 0.5, 0.75, 1.0, 1.0])


def test_plateau_curve_is_constant_and_params_resolved():
    config = validate_schedule({"name": "plateau"}, momentum_kind=None, steps=10)
    assert config == {"name": "plateau", "mode": "min", "factor": 0.1, "patience": 10,
                      "threshold": 1e-4, "threshold_mode": "rel", "cooldown": 0,
                      "min_lr": 0.0, "eps": 1e-8}  # fmt: skip
    lr, momentum = schedule_curves(config, base_lr=0.3, base_momentum=0.0, steps=10)
    assert lr.tolist() == [0.3] * 11 and momentum.tolist() == [0.0] * 11


# --- resolution -----------------------------------------------------------------------------


def test_defaults_are_pytorchs():
    assert validate_schedule({"name": "linear"}, momentum_kind=None, steps=9) == {
        "name": "linear", "start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5,
    }  # fmt: skip
    cyclic = validate_schedule(
        {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1}, momentum_kind="momentum", steps=9
    )
    assert cyclic["step_size_up"] == 2000 and cyclic["step_size_down"] is None
    assert (cyclic["mode"], cyclic["gamma"], cyclic["cycle_momentum"]) == ("triangular", 1.0, True)
    assert (cyclic["base_momentum"], cyclic["max_momentum"], cyclic["window"]) == (
        0.8,
        0.9,
        "triangle",
    )
    onecycle = validate_schedule({"name": "onecycle", "max_lr": 1}, momentum_kind="beta1", steps=9)
    assert onecycle["total_steps"] == 9 and onecycle["max_lr"] == 1.0
    assert isinstance(onecycle["max_lr"], float)
    assert (onecycle["pct_start"], onecycle["div_factor"], onecycle["final_div_factor"]) == (
        0.3, 25.0, 1e4,
    )  # fmt: skip
    warmup = validate_schedule({"name": "warmup", "warmup_steps": 2}, momentum_kind=None, steps=9)
    assert warmup == {
        "name": "warmup", "warmup_steps": 2, "start_factor": 0.0,
        "then": {"name": "constant", "factor": 1.0, "total_iters": 5},
    }  # fmt: skip


def test_integral_floats_and_ints_are_coerced():
    config = validate_schedule(
        {"name": "step", "step_size": 3.0, "gamma": 1}, momentum_kind=None, steps=9
    )
    assert config == {"name": "step", "step_size": 3, "gamma": 1.0}
    assert type(config["step_size"]) is int and type(config["gamma"]) is float


def test_input_table_is_not_mutated():
    table = {"name": "warmup", "warmup_steps": 2, "then": {"name": "cosine"}}
    validate_schedule(table, momentum_kind=None, steps=9)
    assert table == {"name": "warmup", "warmup_steps": 2, "then": {"name": "cosine"}}


# --- validation errors --------------------------------------------------------------------

COSINE = {"name": "cosine"}
CYCLIC = {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1}
ONECYCLE = {"name": "onecycle", "max_lr": 0.1}

ERRORS = [
    # (config, momentum_kind, steps, field, words in the problem)
    ({"name": "foo"}, None, 10, "name", "unknown schedule 'foo' (expected one of: constant"),
    ({"name": "cosin"}, None, 10, "name", "did you mean 'cosine'?"),
    ({"name": "StepLR"}, None, 10, "name", "unknown schedule"),
    ({"name": 3}, None, 10, "name", "unknown schedule 3"),
    ({"step_size": 3}, None, 10, "name", "is required"),
    ("cosine", None, 10, "", "must be a table"),
    ({"name": "step", "step_size": -3}, None, 10, "step_size",
     "must be a positive integer, got -3"),
    ({"name": "step", "step_size": 0}, None, 10, "step_size", "positive integer"),
    ({"name": "step", "step_size": 2.5}, None, 10, "step_size", "must be an integer"),
    ({"name": "step", "step_size": True}, None, 10, "step_size", "must be an integer"),
    ({"name": "step"}, None, 10, "step_size", "is required"),
    ({"name": "step", "step_size": 3, "gamma": -0.5}, None, 10, "gamma", "non-negative"),
    ({"name": "step", "step_size": 3, "gama": 0.5}, None, 10, "gama", "unknown parameter"),
    ({**CYCLIC, "momentm": 0.9}, "momentum", 10, "momentm", "unknown parameter"),
    ({"name": "constant", "lr": 0.1}, None, 10, "lr", "unknown parameter"),
    ({"name": "linear", "start_factor": 0}, None, 10, "start_factor", "must be in (0, 1]"),
    ({"name": "linear", "start_factor": 1.5}, None, 10, "start_factor", "(0, 1]"),
    ({"name": "linear", "end_factor": -0.1}, None, 10, "end_factor", "must be in [0, 1]"),
    ({"name": "linear", "total_iters": -1}, None, 10, "total_iters", "non-negative integer"),
    ({"name": "multistep", "milestones": [3, -1]}, None, 10, "milestones[1]", "non-negative"),
    ({"name": "multistep", "milestones": 3}, None, 10, "milestones", "must be a list"),
    ({"name": "multistep", "milestones": [1.5]}, None, 10, "milestones[0]", "integer"),
    ({"name": "multistep"}, None, 10, "milestones", "is required"),
    ({"name": "exponential"}, None, 10, "gamma", "give gamma"),
    ({"name": "exponential", "gamma": 0.9, "k": 0.1}, None, 10, "k", "not both"),
    ({"name": "exponential", "gamma": -0.9}, None, 10, "gamma", "non-negative"),
    ({"name": "inverse_time"}, None, 10, "decay_rate", "is required"),
    ({"name": "inverse_time", "decay_rate": -1}, None, 10, "decay_rate", "non-negative"),
    ({"name": "inverse_time", "decay_rate": 1, "decay_steps": 0}, None, 10, "decay_steps",
     "positive"),
    ({"name": "inverse_time", "decay_rate": 1, "staircase": 1}, None, 10, "staircase",
     "true or false"),
    ({"name": "polynomial", "power": -1}, None, 10, "power", "ZeroDivisionError"),
    ({"name": "polynomial", "total_iters": -5}, None, 10, "total_iters", "non-negative integer"),
    ({**COSINE, "T_max": 0}, None, 10, "T_max", "must be a positive integer, got 0"),
    ({**COSINE, "eta_min": -0.1}, None, 10, "eta_min", "non-negative"),
    ({"name": "cosine_restarts"}, None, 10, "T_0", "is required"),
    ({"name": "cosine_restarts", "T_0": 0}, None, 10, "T_0", "positive integer"),
    ({"name": "cosine_restarts", "T_0": 5, "T_mult": 0}, None, 10, "T_mult", "integer >= 1"),
    ({"name": "cosine_restarts", "T_0": 5, "T_mult": 1.5}, None, 10, "T_mult", "integer"),
    ({"name": "cyclic", "max_lr": 0.1}, "momentum", 10, "base_lr", "is required"),
    ({"name": "cyclic", "base_lr": 0.1}, "momentum", 10, "max_lr", "is required"),
    ({**CYCLIC, "base_lr": -0.1}, "momentum", 10, "base_lr", "non-negative"),
    ({**CYCLIC, "mode": "sine"}, "momentum", 10, "mode", "must be one of 'triangular'"),
    ({**CYCLIC, "window": "blackman"}, "momentum", 10, "window", "'welch'"),
    ({**CYCLIC, "step_size_up": 0}, "momentum", 10, "step_size_up", "must be positive"),
    ({**CYCLIC, "step_size_down": -1}, "momentum", 10, "step_size_down", "non-negative"),
    ({**CYCLIC, "gamma": -0.5}, "momentum", 10, "gamma", "non-negative"),
    (CYCLIC, None, 10, "cycle_momentum", "set cycle_momentum = false"),
    ({**CYCLIC, "base_momentum": 1.0}, "beta1", 10, "base_momentum", "[0, 1)"),
    ({**CYCLIC, "max_momentum": -0.5}, "momentum", 10, "max_momentum", "non-negative"),
    ({"name": "onecycle"}, "momentum", 10, "max_lr", "is required"),
    (ONECYCLE, None, 10, "cycle_momentum", "set cycle_momentum = false"),
    ({**ONECYCLE, "pct_start": 1.5}, "momentum", 10, "pct_start", "must be in [0, 1]"),
    ({**ONECYCLE, "pct_start": 0.1}, "momentum", 10, "pct_start", "zero length"),
    ({**ONECYCLE, "pct_start": 1.0}, "momentum", 10, "pct_start", "zero length"),
    ({**ONECYCLE, "anneal_strategy": "exp"}, "momentum", 10, "anneal_strategy", "'cos', 'linear'"),
    ({**ONECYCLE, "total_steps": 8}, "momentum", 10, "total_steps",
     "fewer than the run's 10 steps"),
    ({**ONECYCLE, "total_steps": 0}, "momentum", 10, "total_steps", "positive integer"),
    ({**ONECYCLE, "epochs": 2}, "momentum", 10, "steps_per_epoch", "is required"),
    ({**ONECYCLE, "steps_per_epoch": 2}, "momentum", 10, "epochs", "is required"),
    ({**ONECYCLE, "epochs": 0, "steps_per_epoch": 5}, "momentum", 10, "epochs", "positive"),
    ({**ONECYCLE, "total_steps": 12, "epochs": 2, "steps_per_epoch": 5}, "momentum", 10,
     "total_steps", "epochs * steps_per_epoch is 10"),
    ({**ONECYCLE, "div_factor": 0}, "momentum", 10, "div_factor", "must be positive"),
    ({**ONECYCLE, "max_lr": -1.0}, "momentum", 10, "max_lr", "non-negative"),
    ({"name": "plateau", "factor": 1.0}, None, 10, "factor", "must be below 1"),
    ({"name": "plateau", "mode": "avg"}, None, 10, "mode", "'min', 'max'"),
    ({"name": "plateau", "threshold_mode": "pct"}, None, 10, "threshold_mode", "'rel', 'abs'"),
    ({"name": "plateau", "patience": "ten"}, None, 10, "patience", "must be a number"),
    ({"name": "plateau", "min_lr": -1e-3}, None, 10, "min_lr", "non-negative"),
    ({"name": "warmup"}, None, 10, "warmup_steps", "is required"),
    ({"name": "warmup", "warmup_steps": 0}, None, 10, "warmup_steps", "positive integer"),
    ({"name": "warmup", "warmup_steps": 2, "start_factor": 1.5}, None, 10, "start_factor",
     "[0, 1]"),
    ({"name": "warmup", "warmup_steps": 2, "then": "cosine"}, None, 10, "then", "must be a table"),
    ({"name": "warmup", "warmup_steps": 2, "then": {"name": "plateau"}}, None, 10, "then.name",
     "SequentialLR"),
    ({"name": "warmup", "warmup_steps": 2, "then": {"name": "coscos"}}, None, 10, "then.name",
     "unknown schedule"),
    ({"name": "warmup", "warmup_steps": 2, "then": {"name": "cosine", "T_max": -1}}, None, 10,
     "then.T_max", "positive integer"),
    ({"name": "warmup", "warmup_steps": 2, "then": {}}, None, 10, "then.name", "is required"),
    ({"name": "warmup", "warmup_steps": 2, "then": CYCLIC}, None, 10, "then.cycle_momentum",
     "set cycle_momentum = false"),
    ({"name": "warmup", "warmup_steps": 2, "then": {**ONECYCLE, "total_steps": 5}}, "beta1", 10,
     "then.total_steps", "fewer than the run's 8 steps"),
    ({"name": "warmup", "warmup_steps": 2,
      "then": {"name": "warmup", "warmup_steps": 2, "then": {"name": "step"}}}, None, 10,
     "then.then.step_size", "is required"),
]  # fmt: skip


def _error_id(case):
    config = case[0]
    if not isinstance(config, dict):
        return "not-a-table"
    return f"{config.get('name', 'no-name')}-{case[3]}"


@pytest.mark.parametrize(("config", "momentum_kind", "steps", "field", "words"), ERRORS,
                         ids=[_error_id(case) for case in ERRORS])  # fmt: skip
def test_validation_error_names_its_field(config, momentum_kind, steps, field, words):
    with pytest.raises(ConfigError) as info:
        validate_schedule(config, momentum_kind=momentum_kind, steps=steps)
    assert info.value.field == field
    assert words in info.value.problem


def test_error_prefix_reads_as_in_the_contract():
    with pytest.raises(ConfigError) as info:
        validate_schedule({"name": "step", "step_size": -3}, momentum_kind=None, steps=10)
    message = str(info.value.within("runs[1].schedule"))
    assert message == "runs[1].schedule.step_size: must be a positive integer, got -3"


@pytest.mark.parametrize("name", ["cyclic", "onecycle"])
def test_cycle_momentum_false_allows_optimizers_without_momentum(name):
    config = {**(CYCLIC if name == "cyclic" else ONECYCLE), "cycle_momentum": False}
    validate_schedule(config, momentum_kind=None, steps=10)


def test_unknown_momentum_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="momentum_kind"):
        validate_schedule({"name": "constant"}, momentum_kind="betas", steps=10)


# --- against ports of torch's own stepping code ---------------------------------------------
# Each naive_* is torch 2.13's get_lr / step logic, one step at a time (REFERENCE 1.x).


def naive_recursive(name, params, lr0, steps):
    lrs, lr = [], None
    for t in range(steps + 1):
        if name == "constant":
            factor, total = params["factor"], params["total_iters"]
            if t == 0:
                lr = lr0 * factor
            elif t == total:
                lr = lr * (1.0 / factor)
        elif name == "linear":
            s, e, total = params["start_factor"], params["end_factor"], params["total_iters"]
            if t == 0:
                lr = lr0 * s
            elif t <= total:
                lr = lr * (1.0 + (e - s) / (total * s + (t - 1) * (e - s)))
        elif name == "step":
            lr = lr0 if t == 0 else (lr * params["gamma"] if t % params["step_size"] == 0 else lr)
        elif name == "multistep":
            counts = Counter(params["milestones"])
            lr = (lr0 if t == 0 else lr) * params["gamma"] ** counts[t]
        elif name == "exponential":
            lr = lr0 if t == 0 else lr * params["gamma"]
        elif name == "polynomial":
            total, power = params["total_iters"], params["power"]
            if t == 0:
                lr = lr0
            elif t <= total:
                lr = lr * ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** power
        elif name == "cosine":
            t_max, eta_min = params["T_max"], params["eta_min"]
            if t == 0:
                lr = lr0
            elif (t - 1 - t_max) % (2 * t_max) == 0:
                lr = lr + (lr0 - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
            else:
                lr = (1 + math.cos(math.pi * t / t_max)) / (
                    1 + math.cos(math.pi * (t - 1) / t_max)
                ) * (lr - eta_min) + eta_min
        lrs.append(lr)
    return lrs


RECURSIVE = [
    ("constant", {"factor": 0.3, "total_iters": 40}),
    ("constant", {"factor": 0.3, "total_iters": 0}),
    ("linear", {"start_factor": 0.5, "end_factor": 1.0, "total_iters": 0}),
    ("step", {"step_size": 7, "gamma": 0.0}),
    ("multistep", {"milestones": [10, 50], "gamma": 0.0}),
    ("exponential", {"gamma": 0.0}),
    ("polynomial", {"total_iters": 0, "power": 2.0}),
    ("polynomial", {"total_iters": 500, "power": -0.5}),
    ("linear", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 50}),
    ("linear", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 120}),
    ("step", {"step_size": 7, "gamma": 0.7}),
    ("multistep", {"milestones": [0, 10, 50, 50, 20], "gamma": 0.6}),
    ("exponential", {"gamma": 0.98}),
    ("polynomial", {"total_iters": 200, "power": 2.0}),
    ("polynomial", {"total_iters": 90, "power": 0.5}),
    ("cosine", {"T_max": 100, "eta_min": 0.001}),
    ("cosine", {"T_max": 37, "eta_min": 0.0}),
]


@pytest.mark.parametrize(
    ("name", "params"), RECURSIVE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RECURSIVE)]
)
def test_closed_form_matches_torchs_recursion(name, params):
    steps = 300
    lr, _ = curves({"name": name, **params}, base_lr=0.05, steps=steps)
    close(lr, naive_recursive(name, params, 0.05, steps))


def naive_cosine_restarts(t_0, t_mult, eta_min, lr0, steps):
    t_cur, t_i, lrs = 0, t_0, []
    for t in range(steps + 1):
        if t > 0:
            t_cur += 1
            if t_cur >= t_i:
                t_cur -= t_i
                t_i *= t_mult
        lrs.append(eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
    return lrs


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    t_0=st.integers(1, 30),
    t_mult=st.integers(1, 4),
    eta_min=st.sampled_from([0.0, 0.001]),
    steps=st.integers(0, 400),
)
def test_cosine_restarts_matches_torchs_state_machine(t_0, t_mult, eta_min, steps):
    config = {"name": "cosine_restarts", "T_0": t_0, "T_mult": t_mult, "eta_min": eta_min}
    lr, _ = curves(config, base_lr=0.05, steps=steps)
    expected = naive_cosine_restarts(t_0, t_mult, eta_min, 0.05, steps)
    np.testing.assert_allclose(lr, expected, rtol=1e-15, atol=1e-18)


def naive_cyclic(p, steps):
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    scale = {
        "triangular": lambda c, t: 1.0,
        "triangular2": lambda c, t: 1 / (2.0 ** (c - 1)),
        "exp_range": lambda c, t: p["gamma"] ** t,
    }[p["mode"]]
    lrs, moms = [], []
    for t in range(steps + 1):
        cycle = math.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        h = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        lrs.append(p["base_lr"] + (p["max_lr"] - p["base_lr"]) * h * scale(cycle, t))
        moms.append(
            p["max_momentum"] - (p["max_momentum"] - p["base_momentum"]) * h * scale(cycle, t)
        )
    return lrs, moms


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    up=st.integers(1, 20),
    down=st.one_of(st.none(), st.integers(0, 20)),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
    steps=st.integers(0, 200),
)
def test_cyclic_matches_torchs_get_lr(up, down, mode, gamma, steps):
    config = validate_schedule(
        {"name": "cyclic", "base_lr": 0.002, "max_lr": 0.09, "step_size_up": up,
         "step_size_down": down, "mode": mode, "gamma": gamma},
        momentum_kind="momentum", steps=steps,
    )  # fmt: skip
    lr, momentum = schedule_curves(config, base_lr=1.0, base_momentum=0.0, steps=steps)
    expected_lr, expected_momentum = naive_cyclic(config, steps)
    np.testing.assert_allclose(lr, expected_lr, rtol=1e-15, atol=0)
    np.testing.assert_allclose(momentum, expected_momentum, rtol=1e-15, atol=0)


def naive_onecycle(p, steps):
    total, pct = p["total_steps"], p["pct_start"]
    initial = p["max_lr"] / p["div_factor"]
    values = {"initial": initial, "max": p["max_lr"], "min": initial / p["final_div_factor"],
              "max_m": p["max_momentum"], "base_m": p["base_momentum"]}  # fmt: skip
    if p["three_phase"]:
        phases = [(float(pct * total) - 1, "initial", "max", "max_m", "base_m"),
                  (float(2 * pct * total) - 2, "max", "initial", "base_m", "max_m"),
                  (total - 1, "initial", "min", "max_m", "max_m")]  # fmt: skip
    else:
        phases = [(float(pct * total) - 1, "initial", "max", "max_m", "base_m"),
                  (total - 1, "max", "min", "base_m", "max_m")]  # fmt: skip

    def anneal(start, end, fraction):
        if p["anneal_strategy"] == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    lrs, moms = [], []
    for t in range(steps + 1):
        start = 0.0
        for i, (end, lr_from, lr_to, m_from, m_to) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                fraction = (t - start) / (end - start)
                lrs.append(anneal(values[lr_from], values[lr_to], fraction))
                moms.append(anneal(values[m_from], values[m_to], fraction))
                break
            start = end
    return lrs, moms


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    total=st.integers(1, 300),
    pct=st.floats(0.0, 1.0),
    three_phase=st.booleans(),
    strategy=st.sampled_from(["cos", "linear"]),
    data=st.data(),
)
def test_onecycle_matches_torchs_get_lr(total, pct, three_phase, strategy, data):
    steps = data.draw(st.integers(0, total))
    table = {"name": "onecycle", "max_lr": 0.3, "total_steps": total, "pct_start": pct,
             "three_phase": three_phase, "anneal_strategy": strategy}  # fmt: skip
    try:
        config = validate_schedule(table, momentum_kind="beta1", steps=steps)
    except ConfigError as error:  # only the zero-length phases torch divides by zero on
        assert error.field == "pct_start" and "zero length" in error.problem
        with pytest.raises(ZeroDivisionError):
            naive_onecycle(validate_schedule({**table, "pct_start": 0.3}, momentum_kind="beta1",
                                             steps=steps) | {"pct_start": pct}, steps)  # fmt: skip
        return
    lr, momentum = schedule_curves(config, base_lr=1.0, base_momentum=0.0, steps=steps)
    expected_lr, expected_momentum = naive_onecycle(config, steps)
    np.testing.assert_allclose(lr, expected_lr, rtol=1e-15, atol=0)
    np.testing.assert_allclose(momentum, expected_momentum, rtol=1e-15, atol=0)
