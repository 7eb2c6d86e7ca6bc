"""NAdam (torch.optim.NAdam): Adam with Nesterov momentum and a momentum schedule."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import LR_DOC, WD_DOC
from lrsim.core.optim.base import param as _p
from lrsim.core.optim.rules import JIT
from lrsim.core.optim.rules import apply_weight_decay as _weight_decay
from lrsim.core.optim.rules import moments as _moments
from lrsim.core.optim.torch_classic import (
    BETAS,
    DECOUPLED,
    EPS_ADAM,
    _require,
    adam_family_entry,
    check_common,
    classic_spec,
)
from lrsim.core.optim.torch_classic import reference_decay as _decay
from lrsim.core.optim.torch_classic import reference_moments as _reference_moments


def _checks(name: str, p: Mapping[str, Any]) -> None:
    check_common(p)
    _require(
        p["momentum_decay"] >= 0.0,
        "momentum_decay",
        f"must be >= 0, got {p['momentum_decay']!r}",
    )


SPEC = classic_spec(
    "nadam",
    "NAdam",
    "Adam with Nesterov momentum and a momentum schedule mu_n = beta1 (1 - 0.5 * 0.96^(n psi)).",
    [
        _p("lr", "float", 2e-3, LR_DOC),
        BETAS,
        EPS_ADAM,
        _p("weight_decay", "float", 0.0, WD_DOC),
        _p("momentum_decay", "float", 4e-3, "psi in the momentum schedule."),
        DECOUPLED,
    ],
    "beta1",
    5,  # m, v (x, y) and the running product of mu
    ("beta2", "eps", "weight_decay", "momentum_decay", "decoupled"),
    checks=_checks,
    initial=lambda p: [0.0, 0.0, 0.0, 0.0, 1.0],  # the running product of mu starts at 1
    state_names=("exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y", "mu_product"),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay, decoupled = h[0], h[1], h[2], h[4] != 0.0
    x, y, gx, gy = _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled)
    mu, mu_next, correction2 = c[0], c[1], c[2]
    product = s[4][i] * mu  # starts at 1.0 (OptimizerSpec.initial_slots)
    s[4][i] = product
    mx, my, vx, vy = _moments(s, i, gx, gy, beta1, beta2)
    dx = math.sqrt(vx / correction2) + eps
    dy = math.sqrt(vy / correction2) + eps
    grad_scale = -lr * (1.0 - mu) / (1.0 - product)
    x = x + grad_scale * gx / dx
    y = y + grad_scale * gy / dy
    avg_scale = (-lr * mu_next) / (1.0 - product * mu_next)
    return x + avg_scale * mx / dx, y + avg_scale * my / dy


@njit(**JIT)
def constants(n, beta1, h):
    psi = h[3]
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (n * psi))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((n + 1) * psi))
    return mu, mu_next, 1.0 - h[0] ** n


def reference(theta, grad, state, n, lr, beta1, p):
    beta2, psi = p["betas"][1], p["momentum_decay"]
    theta, grad = _decay(theta, grad, lr, p, p["decoupled_weight_decay"])
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (n * psi))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((n + 1) * psi))
    state["mu_product"] = state.get("mu_product", 1.0) * mu
    exp_avg, exp_avg_sq = _reference_moments(grad, state, beta1, beta2)
    denom = np.sqrt(exp_avg_sq / (1 - beta2**n)) + p["eps"]
    theta = theta + (-lr * (1.0 - mu) / (1.0 - state["mu_product"])) * grad / denom
    mu_product_next = state["mu_product"] * mu_next
    return theta + ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom


ENTRIES = (adam_family_entry(SPEC, update, constants, reference),)
