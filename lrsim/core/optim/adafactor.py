"""Adafactor (torch.optim.Adafactor 2.13) on a vector parameter (no factoring in 2-D).

Update rule at update n, theta = (x, y), RMS(v) = |v| / sqrt(2)::

    rho   = min(lr, 1 / n^0.5)
    alpha = max(eps2, RMS(theta)) * rho               (theta before the decay)
    theta <- theta * (1 - lr * weight_decay)
    V     <- lerp(V, g^2, n^beta2_decay)              (V = variance; weight 1 at n = 1)
    U     = g / sqrt(max(V, eps1^2))
    theta <- theta - alpha / max(1, RMS(U) / d) * U

eps1 = "auto" (torch's None) is float64 machine epsilon. torch's lerp(a, b, w) is
a + w (b - a) for w < 0.5 and b - (b - a)(1 - w) otherwise; both are used here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import MAXIMIZE, OptimizerEntry, OptimizerSpec, param, require
from lrsim.core.optim.rules import JIT

MACHINE_EPS = float(np.finfo(np.float64).eps)
ROOT2 = 2.0**0.5  # param.numel() ** 0.5


def eps1_of(p: Mapping[str, Any]) -> float:
    eps1 = p["eps"][0]
    return MACHINE_EPS if eps1 == "auto" else float(eps1)


def _checks(name: str, p: Mapping[str, Any]) -> None:
    require(p["lr"] >= 0.0, "lr", f"must be >= 0, got {p['lr']!r}")
    require(p["beta2_decay"] <= 0.0, "beta2_decay", f"must be <= 0, got {p['beta2_decay']!r}")
    eps1, eps2 = p["eps"]
    require(eps1 == "auto" or eps1 >= 0.0, "eps[0]", f'must be >= 0 or "auto", got {eps1!r}')
    require(eps2 >= 0.0, "eps[1]", f"must be >= 0, got {eps2!r}")
    require(p["d"] >= 1.0, "d", f"must be >= 1, got {p['d']!r}")
    require(p["weight_decay"] >= 0.0, "weight_decay", f"must be >= 0, got {p['weight_decay']!r}")


SPEC = OptimizerSpec(
    name="adafactor",
    title="Adafactor",
    doc="theta -= max(eps2, RMS(theta)) min(lr, 1/sqrt(n)) U / max(1, RMS(U)/d), "
    "U = g / sqrt(V), V a running mean of g^2 with weight n^beta2_decay.",
    params=(
        param(
            "lr",
            "float",
            1e-2,
            "Upper bound of the relative step size rho = min(lr, 1/sqrt(n)); also scales "
            "the weight decay.",
        ),
        param(
            "beta2_decay",
            "float",
            -0.8,
            "The variance's running mean takes g^2 with weight n^beta2_decay (<= 0).",
        ),
        param(
            "eps",
            "pair",
            ("auto", 1e-3),
            '(eps1, eps2): eps1 bounds the variance below ("auto" = machine epsilon); '
            "eps2 is the smallest parameter scale.",
            choices=("auto",),
        ),
        param("d", "float", 1.0, "Clipping threshold: the update's RMS is capped at d."),
        param(
            "weight_decay",
            "float",
            0.0,
            "Decoupled weight decay: theta *= 1 - lr * weight_decay before the step.",
        ),
        MAXIMIZE,
    ),
    momentum_kind=None,
    n_slots=2,
    hyper_names=("beta2_decay", "eps1", "eps2", "d", "weight_decay"),
    checks=_checks,
    hyper=lambda p: [p["beta2_decay"], eps1_of(p), p["eps"][1], p["d"], p["weight_decay"]],
    state_names=("variance_x", "variance_y"),
    source="torch.optim 2.13",
)


@njit(**JIT)
def constants(n, mom, h):
    """(n^beta2_decay, 1 / n^0.5, 0)."""
    return n ** h[0], 1.0 / n**0.5, 0.0


@njit(**JIT)
def _lerp(start, end, weight):
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    eps1, eps2, d, weight_decay = h[1], h[2], h[3], h[4]
    rho = min(lr, c[1])
    alpha = max(eps2, math.sqrt(x * x + y * y) / ROOT2) * rho
    if weight_decay != 0.0:
        x = x * (1.0 - lr * weight_decay)
        y = y * (1.0 - lr * weight_decay)
    vx = _lerp(s[0][i], gx * gx, c[0])
    vy = _lerp(s[1][i], gy * gy, c[0])
    s[0][i] = vx
    s[1][i] = vy
    floor = eps1 * eps1
    ux = 1.0 / math.sqrt(max(vx, floor)) * gx
    uy = 1.0 / math.sqrt(max(vy, floor)) * gy
    denom = max(1.0, math.sqrt(ux * ux + uy * uy) / (ROOT2 * d))
    scale = -alpha / denom
    return x + scale * ux, y + scale * uy


def reference(theta, grad, state, n, lr, momentum, p):
    """NumPy twin of ``update`` for every particle at once."""
    eps1, eps2, d = eps1_of(p), p["eps"][1], p["d"]
    weight = n ** p["beta2_decay"]
    rho = np.minimum(lr, 1.0 / n**0.5)
    alpha = np.maximum(eps2, np.sqrt((theta * theta).sum(axis=1, keepdims=True)) / ROOT2) * rho
    if p["weight_decay"] != 0:
        theta = theta * (1.0 - lr * p["weight_decay"])
    variance = state.get("variance", np.zeros_like(theta))
    squared = grad * grad
    if weight < 0.5:
        variance = variance + weight * (squared - variance)
    else:
        variance = squared - (squared - variance) * (1.0 - weight)
    state["variance"] = variance
    scaled = 1.0 / np.sqrt(np.maximum(variance, eps1 * eps1)) * grad
    rms = np.sqrt((scaled * scaled).sum(axis=1, keepdims=True)) / (ROOT2 * d)
    return theta + (-alpha / np.maximum(1.0, rms)) * scaled


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="min(lr, 1/sqrt(n))",
        effective_step=lambda s, lr, mom, n, p: np.full(s.shape[1], min(lr, n**-0.5)),
    ),
)
