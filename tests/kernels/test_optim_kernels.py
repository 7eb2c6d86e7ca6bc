"""Every numba update rule against its plain NumPy reference, on the same gradient stream."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.kernel import OPT_BASE
from lrsim.core.optim.kernels import KERNEL_CONSTANTS, KERNEL_UPDATES
from lrsim.core.optim.reference import REFERENCE_UPDATES
from lrsim.core.optim.specs import OPTIMIZERS

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
    if name == "adagrad":
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
                state, i, OPT_BASE, n, *kernel_theta[i], *grads[t, i], lrs[t], moms[t], hyper,
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
    x, y = KERNEL_UPDATES["sgd"](state, 0, OPT_BASE, 1.0, 0.0, 0.0, 2.0, 4.0, 1.0, 0.9, hyper, none)
    assert (x, y) == (-2.0, -4.0)
    x, y = KERNEL_UPDATES["sgd"](state, 0, OPT_BASE, 2.0, x, y, 2.0, 4.0, 1.0, 0.9, hyper, none)
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
        state, 0, OPT_BASE, 1.0, 1.0, 1.0, 3.0, -2.0, 0.05, 0.9, hyper, constants
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
    ],
)
def test_bad_optimizer_parameters_name_the_field(name, given, field):
    from lrsim.core.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        OPTIMIZERS[name].resolve(given)
    assert raised.value.field == field
