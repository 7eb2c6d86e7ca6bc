"""Every numba update rule against its plain NumPy reference, on the same gradient stream."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.kernel import OPT_BASE
from lrsim.core.optim.registry import OPTIMIZER_ENTRIES, OPTIMIZERS

KERNEL_UPDATES = {name: e.update for name, e in OPTIMIZER_ENTRIES.items()}
KERNEL_CONSTANTS = {name: e.constants for name, e in OPTIMIZER_ENTRIES.items()}
REFERENCE_UPDATES = {name: e.reference for name, e in OPTIMIZER_ENTRIES.items()}


def slot_rows(state):
    """What a rule is handed: its slots, each a contiguous 1-D row of the engine's state."""
    return tuple(state[OPT_BASE:])


CASES = [
    ("sgd", {"lr": 0.1}),
    ("sgd", {"lr": 0.05, "momentum": 0.9}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("adagrad", {"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adagrad", {"lr": 0.3, "weight_decay": 0.1}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.05}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "centered": True, "momentum": 0.7, "weight_decay": 0.02}),
    ("adam", {"lr": 0.05}),
    ("adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adamw", {"lr": 0.05, "betas": [0.8, 0.99]}),
    ("nadam", {"lr": 0.05}),
    ("nadam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", {"lr": 0.05}),
    ("radam", {"lr": 0.05, "weight_decay": 0.1}),
    ("adamax", {"lr": 0.05, "weight_decay": 0.01}),
    ("lion", {"lr": 0.01}),
    ("lion", {"lr": 0.01, "betas": [0.8, 0.95], "weight_decay": 0.3}),
    ("lion", {"lr": 0.01, "weight_decay": 0.01, "decoupled_weight_decay": True}),
    ("rprop", {}),
    ("rprop", {"lr": 0.1, "etas": [0.3, 1.7], "step_sizes": [1e-3, 0.4]}),
    ("asgd", {"lr": 0.01}),
    ("asgd", {"lr": 0.01, "lambd": 0.05, "alpha": 0.6, "t0": 5.0, "weight_decay": 0.1}),
    ("adafactor", {}),
    ("adafactor", {"lr": 0.3, "eps": [1e-9, 0.05], "d": 1.5, "beta2_decay": -0.5}),
    ("adafactor", {"lr": 0.1, "eps": [None, 0.001], "weight_decay": 0.2}),
    ("schedulefree_adamw", {"lr": 0.05}),
    ("schedulefree_adamw", {"lr": 0.05, "weight_decay": 0.1, "warmup_steps": 10, "r": 1.0}),
    ("schedulefree_sgd", {"lr": 0.05}),
    (
        "schedulefree_sgd",
        {"lr": 0.05, "weight_decay": 0.1, "warmup_steps": 7, "weight_lr_power": 1},
    ),
    ("prodigy", {"d0": 0.01}),
    ("prodigy", {"d0": 0.01, "use_bias_correction": True, "safeguard_warmup": True}),
    ("prodigy", {"d0": 0.05, "weight_decay": 0.1, "decouple": False, "growth_rate": 1.05}),
    (
        "prodigy",
        {"d0": 0.05, "betas": [0.0, 0.99], "beta3": 0.9, "weight_decay": 0.1, "growth_rate": 1.01},
    ),
]


def _ids(case):
    name, params = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in params.items())


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_kernel_matches_reference(case):
    name, given = case
    spec = OPTIMIZERS[name]
    params = spec.resolve(given)
    rng = np.random.default_rng(7)
    n_particles, n_steps = 5, 60
    grads = rng.normal(size=(n_steps, n_particles, 2)) * np.array([1.0, 30.0])
    lrs = params["lr"] * (0.5 + rng.random(n_steps))  # a schedule that moves
    moms = np.full(n_steps, spec.base_momentum(params))
    if spec.momentum_kind == "momentum":
        moms = moms * (0.5 + 0.5 * rng.random(n_steps))  # cycled momentum
    theta = rng.normal(size=(n_particles, 2))
    state = np.zeros((OPT_BASE + spec.n_slots, n_particles))
    state[OPT_BASE:] = spec.initial_slots(params)[:, None]
    hyper = spec.hyper_vector(params)
    update = KERNEL_UPDATES[name]
    reference_theta = theta.copy()
    reference_state: dict = {}
    if name == "adagrad":  # torch creates the sum in the constructor
        reference_state["sum"] = np.full_like(theta, params["initial_accumulator_value"])
    kernel_theta = theta.copy()
    for t in range(n_steps):
        n = float(t + 1)
        reference_theta = REFERENCE_UPDATES[name](
            reference_theta, grads[t], reference_state, n, lrs[t], moms[t], params
        )
        constants = KERNEL_CONSTANTS[name](n, moms[t], hyper)
        for i in range(n_particles):
            kernel_theta[i] = update(
                slot_rows(state), i, n, *kernel_theta[i], *grads[t, i], lrs[t], moms[t], hyper,
                constants,
            )  # fmt: skip
    assert np.all(np.isfinite(kernel_theta))
    assert not np.allclose(kernel_theta, theta)  # it moved
    np.testing.assert_allclose(kernel_theta, reference_theta, rtol=1e-12, atol=1e-13)


def test_sgd_first_momentum_update_copies_the_gradient():
    """PyTorch creates the buffer as g itself: the first update ignores dampening."""
    spec = OPTIMIZERS["sgd"]
    params = spec.resolve({"lr": 1.0, "momentum": 0.9, "dampening": 0.5})
    state = np.zeros((OPT_BASE + spec.n_slots, 1))
    hyper, none = spec.hyper_vector(params), (0.0, 0.0, 0.0)
    x, y = KERNEL_UPDATES["sgd"](
        slot_rows(state), 0, 1.0, 0.0, 0.0, 2.0, 4.0, 1.0, 0.9, hyper, none
    )
    assert (x, y) == (-2.0, -4.0)
    x, y = KERNEL_UPDATES["sgd"](slot_rows(state), 0, 2.0, x, y, 2.0, 4.0, 1.0, 0.9, hyper, none)
    # b = 0.9 * 2 + 0.5 * 2 = 2.8
    assert x == pytest.approx(-2.0 - 2.8)


def test_radam_first_update_is_a_plain_gradient_step():
    spec = OPTIMIZERS["radam"]
    params = spec.resolve({"lr": 0.05})
    state = np.zeros((OPT_BASE + spec.n_slots, 1))
    hyper = spec.hyper_vector(params)
    constants = KERNEL_CONSTANTS["radam"](1.0, 0.9, hyper)
    assert constants[1] == 0.0  # rho_1 = 1 <= 5: no adaptive term yet
    x, y = KERNEL_UPDATES["radam"](
        slot_rows(state), 0, 1.0, 1.0, 1.0, 3.0, -2.0, 0.05, 0.9, hyper, constants
    )
    assert x == pytest.approx(1.0 - 0.05 * 3.0, rel=1e-15)
    assert y == pytest.approx(1.0 + 0.05 * 2.0, rel=1e-15)


@pytest.mark.parametrize(
    "name, given, field",
    [
        ("sgd", {"lr": -1.0}, "lr"),
        ("sgd", {"lr": 0.1, "nesterov": True}, "nesterov"),
        ("adam", {"betas": [0.9, 1.0]}, "betas[1]"),
        ("adam", {"momentm": 0.9}, "momentm"),
        ("rmsprop", {"alpha": -0.1}, "alpha"),
        ("adadelta", {"rho": 1.5}, "rho"),
        ("sgd", {"lr": "fast"}, "lr"),
        ("adam", {"amsgrad": 1}, "amsgrad"),
        ("adam", {"maximize": "yes"}, "maximize"),
        ("lion", {"lr": 0.0}, "lr"),
        ("lion", {"betas": [0.9, 1.5]}, "betas[1]"),
        ("rprop", {"etas": [1.2, 0.5]}, "etas"),
        ("rprop", {"step_sizes": [1e-6]}, "step_sizes"),
        ("asgd", {"weight_decay": -1.0}, "weight_decay"),
        ("adafactor", {"beta2_decay": 0.5}, "beta2_decay"),
        ("adafactor", {"eps": ["tiny", 0.001]}, "eps[0]"),
        ("adafactor", {"eps": [-1.0, 0.001]}, "eps[0]"),
        ("adafactor", {"d": 0.5}, "d"),
        ("schedulefree_sgd", {"momentum": 1.0}, "momentum"),
        ("schedulefree_sgd", {"lr": -0.1}, "lr"),
        ("prodigy", {"d0": 0.0}, "d0"),
        ("prodigy", {"lr": 0.0}, "lr"),
        ("prodigy", {"eps": 0.0}, "eps"),
        ("prodigy", {"growth_rate": float("nan")}, "growth_rate"),
        ("adam", {"lr": float("inf")}, "lr"),
    ],
)
def test_bad_optimizer_parameters_name_the_field(name, given, field):
    from lrsim.core.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        OPTIMIZERS[name].resolve(given)
    assert raised.value.field == field


def test_rprop_step_size_starts_at_the_first_lr_and_grows_while_the_sign_holds():
    spec = OPTIMIZERS["rprop"]
    params = spec.resolve({"lr": 0.1})
    state = np.zeros((OPT_BASE + spec.n_slots, 1))
    hyper, none = spec.hyper_vector(params), (0.0, 0.0, 0.0)
    update = KERNEL_UPDATES["rprop"]
    x, y = update(slot_rows(state), 0, 1.0, 0.0, 0.0, 3.0, -2.0, 0.1, 0.0, hyper, none)
    assert (x, y) == (-0.1, 0.1)  # sign steps of the initial step size
    x, y = update(slot_rows(state), 0, 2.0, x, y, 3.0, 2.0, 99.0, 0.0, hyper, none)
    # x keeps its sign: 0.1 * 1.2; y flipped: step shrinks to 0.05 and y waits this step
    assert x == pytest.approx(-0.1 - 0.12, rel=1e-15)
    assert y == 0.1
    assert state[OPT_BASE + 3, 0] == pytest.approx(0.05, rel=1e-15)


def test_lion_moves_each_coordinate_by_exactly_lr():
    spec = OPTIMIZERS["lion"]
    params = spec.resolve({"lr": 0.25})
    state = np.zeros((OPT_BASE + spec.n_slots, 1))
    hyper, none = spec.hyper_vector(params), (0.0, 0.0, 0.0)
    x, y = KERNEL_UPDATES["lion"](
        slot_rows(state), 0, 1.0, 1.0, 1.0, 1e-9, -7e5, 0.25, 0.9, hyper, none
    )
    assert (x, y) == (0.75, 1.25)


def test_adafactor_auto_eps_is_machine_epsilon():
    params = OPTIMIZERS["adafactor"].resolve({"eps": [None, 0.01]})
    assert params["eps"] == ("auto", 0.01)
    assert OPTIMIZERS["adafactor"].hyper_vector(params)[1] == np.finfo(np.float64).eps


def test_prodigy_takes_an_infinite_growth_rate_and_beta3_defaults_to_sqrt_beta2():
    spec = OPTIMIZERS["prodigy"]
    params = spec.resolve({"growth_rate": float("inf"), "betas": [0.9, 0.81]})
    hyper = dict(zip(spec.hyper_names, spec.hyper_vector(params), strict=True))
    assert hyper["growth_rate"] == float("inf") and hyper["beta3"] == 0.9
