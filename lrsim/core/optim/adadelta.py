"""Adadelta (torch.optim.Adadelta): units-correct steps without a hand-set scale."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import WD_DOC, OptimizerEntry
from lrsim.core.optim.base import param as _p
from lrsim.core.optim.rules import JIT, coupled_decay, no_constants
from lrsim.core.optim.torch_classic import _require, check_common, classic_spec
from lrsim.core.optim.torch_classic import add_weight_decay as _add_weight_decay


def _checks(name: str, p: Mapping[str, Any]) -> None:
    check_common(p)
    _require(0.0 <= p["rho"] <= 1.0, "rho", f"must be in [0, 1], got {p['rho']!r}")


SPEC = classic_spec(
    "adadelta",
    "Adadelta",
    "v = rho v + (1 - rho) g^2; delta = sqrt(u + eps) / sqrt(v + eps) g; u = rho u + (1 - "
    "rho) delta^2; theta -= lr * delta: units-correct steps without a hand-set scale.",
    [
        _p("lr", "float", 1.0, "Multiplies the final delta (1.0 = the algorithm as published)."),
        _p("rho", "float", 0.9, "Decay rate of both running averages."),
        _p("eps", "float", 1e-6, "Added inside both square roots."),
        _p("weight_decay", "float", 0.0, WD_DOC),
    ],
    None,
    4,
    ("rho", "eps", "weight_decay"),
    checks=_checks,
    state_names=("square_avg_x", "square_avg_y", "acc_delta_x", "acc_delta_y"),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    rho, eps, weight_decay = h[0], h[1], h[2]
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    vx = rho * s[0][i] + (1.0 - rho) * gx * gx
    vy = rho * s[1][i] + (1.0 - rho) * gy * gy
    dx = math.sqrt(s[2][i] + eps) / math.sqrt(vx + eps) * gx
    dy = math.sqrt(s[3][i] + eps) / math.sqrt(vy + eps) * gy
    s[0][i] = vx
    s[1][i] = vy
    s[2][i] = rho * s[2][i] + (1.0 - rho) * dx * dx
    s[3][i] = rho * s[3][i] + (1.0 - rho) * dy * dy
    return x - lr * dx, y - lr * dy


constants = no_constants


def reference(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    rho, eps = p["rho"], p["eps"]
    square_avg = rho * state.get("square_avg", 0.0) + (1 - rho) * grad * grad
    acc_delta = state.get("acc_delta", np.zeros_like(theta))
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    state["square_avg"] = square_avg
    state["acc_delta"] = rho * acc_delta + (1 - rho) * delta * delta
    return theta - lr * delta


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="lr sqrt(u + eps) / sqrt(v + eps)",
        effective_step=lambda s, lr, mom, n, p: (
            lr * np.sqrt(s[2:4] + p["eps"]) / np.sqrt(s[0:2] + p["eps"])
        ),
    ),
)
