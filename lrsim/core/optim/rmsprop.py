"""RMSprop (torch.optim.RMSprop): steps scaled by a running mean of squared gradients."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import LR_DOC, WD_DOC, OptimizerEntry
from lrsim.core.optim.base import param as _p
from lrsim.core.optim.rules import JIT, coupled_decay, no_constants
from lrsim.core.optim.torch_classic import _require, check_common, classic_spec
from lrsim.core.optim.torch_classic import add_weight_decay as _add_weight_decay


def _checks(name: str, p: Mapping[str, Any]) -> None:
    check_common(p)
    _require(p["alpha"] >= 0.0, "alpha", f"must be >= 0, got {p['alpha']!r}")


_XY = ("_x", "_y")

SPEC = classic_spec(
    "rmsprop",
    "RMSprop",
    "v = alpha v + (1 - alpha) g^2; theta -= lr * g / (sqrt(v) + eps) (centered subtracts "
    "the squared mean gradient; momentum accumulates g / (sqrt(v) + eps)).",
    [
        _p("lr", "float", 1e-2, LR_DOC),
        _p("alpha", "float", 0.99, "Decay rate of the running mean of squared gradients."),
        _p("eps", "float", 1e-8, "Added to sqrt(v) for numerical stability."),
        _p("weight_decay", "float", 0.0, WD_DOC),
        _p("momentum", "float", 0.0, "Momentum factor of the scaled step."),
        _p("centered", "bool", False, "Normalise by the estimated variance instead of v."),
    ],
    "momentum",
    6,
    ("alpha", "eps", "weight_decay", "centered"),
    checks=_checks,
    state_names=(
        "square_avg_x",
        "square_avg_y",
        "grad_avg_x",
        "grad_avg_y",
        "momentum_buffer_x",
        "momentum_buffer_y",
    ),  # fmt: skip
    # state torch only creates for some parameters (read at the first update)
    hidden_state=lambda p: tuple(
        f"{key}{axis}"
        for key, absent in (
            ("grad_avg", not p["centered"]),
            ("momentum_buffer", p["momentum"] <= 0),
        )
        if absent
        for axis in _XY
    ),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    alpha, eps, weight_decay, centered = h[0], h[1], h[2], h[3] != 0.0
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    vx = alpha * s[0][i] + (1.0 - alpha) * gx * gx
    vy = alpha * s[1][i] + (1.0 - alpha) * gy * gy
    s[0][i] = vx
    s[1][i] = vy
    if centered:
        ax = s[2][i] + (1.0 - alpha) * (gx - s[2][i])
        ay = s[3][i] + (1.0 - alpha) * (gy - s[3][i])
        s[2][i] = ax
        s[3][i] = ay
        avg_x = math.sqrt(vx - ax * ax) + eps
        avg_y = math.sqrt(vy - ay * ay) + eps
    else:
        avg_x = math.sqrt(vx) + eps
        avg_y = math.sqrt(vy) + eps
    if mom > 0.0:
        bx = mom * s[4][i] + gx / avg_x
        by = mom * s[5][i] + gy / avg_y
        s[4][i] = bx
        s[5][i] = by
        return x - lr * bx, y - lr * by
    return x - lr * gx / avg_x, y - lr * gy / avg_y


constants = no_constants


def reference(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    alpha = p["alpha"]
    square_avg = alpha * state.get("square_avg", 0.0) + (1 - alpha) * grad * grad
    state["square_avg"] = square_avg
    if p["centered"]:
        grad_avg = state.get("grad_avg", np.zeros_like(theta))
        grad_avg = grad_avg + (1 - alpha) * (grad - grad_avg)
        state["grad_avg"] = grad_avg
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + p["eps"]
    else:
        avg = np.sqrt(square_avg) + p["eps"]
    if momentum > 0:
        state["buffer"] = momentum * state.get("buffer", 0.0) + grad / avg
        return theta - lr * state["buffer"]
    return theta - lr * grad / avg


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="lr / (sqrt(v) + eps)",
        effective_step=lambda s, lr, mom, n, p: lr / (np.sqrt(s[0:2]) + p["eps"]),
        adaptive=True,
    ),
)
