"""Prodigy (prodigyopt 1.1.2 ``Prodigy``): Adam whose step size d is estimated on the fly.

Per particle (its own optimizer, so its own d), at an update with scheduled lr
(k = updates done; beta1 the scheduled momentum; d, d_max start at d0)::

    b      = sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1))  if use_bias_correction else 1
    dlr    = d * lr * b
    g      <- g + weight_decay * theta                    (if not decouple)
    delta  = (d / d0) * dlr * <g, theta0 - theta>         (theta0 = the start)
    m      <- beta1 m + d (1 - beta1) g
    v      <- beta2 v + d^2 (1 - beta2) g^2
    s      <- beta3 s + (d / d0) * (d if safeguard_warmup else dlr) * g
    N      <- beta3 N + delta                             (the numerator, d_numerator)
    d_hat  = d_coef * N / (|s_x| + |s_y|)
    d      <- max(d, d_hat) if d = d0;   d_max <- max(d_max, d_hat)
    d      <- min(d_max, d * growth_rate)
    theta  <- theta - weight_decay * dlr * theta          (if decouple)
    theta  <- theta - dlr * m / (sqrt(v) + d * eps)       (beta1 = 0: dlr * d * g / (...))

If |s_x| + |s_y| = 0 (a zero gradient from the start, or lr = 0) the source
returns before touching theta, d or k. beta3 defaults to sqrt(beta2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import OptimizerEntry, OptimizerSpec, param, require
from lrsim.core.optim.rules import JIT, coupled_decay, no_constants

M, V, S, P0, D, D_MAX, NUMERATOR, K = 0, 2, 4, 6, 8, 9, 10, 11


def _checks(name: str, p: Mapping[str, Any]) -> None:
    require(p["d0"] > 0.0, "d0", f"must be > 0, got {p['d0']!r}")
    require(p["lr"] > 0.0, "lr", f"must be > 0, got {p['lr']!r}")
    require(p["eps"] > 0.0, "eps", f"must be > 0, got {p['eps']!r}")
    for index, beta in enumerate(p["betas"]):
        require(0.0 <= beta < 1.0, f"betas[{index}]", f"must be in [0, 1), got {beta!r}")


def beta3_of(p: Mapping[str, Any]) -> float:
    return math.sqrt(p["betas"][1]) if p["beta3"] is None else p["beta3"]


def _flags(p: Mapping[str, Any]) -> float:
    return float(p["decouple"] + 2 * p["use_bias_correction"] + 4 * p["safeguard_warmup"])


SPEC = OptimizerSpec(
    name="prodigy",
    title="Prodigy",
    doc="Adam-like steps of size d * lr, where d (per particle) grows from d0 toward an "
    "estimate of the distance to the solution (prodigyopt 1.1.2).",
    params=(
        param("lr", "float", 1.0, "Multiplies the estimated step size d (leave at 1.0)."),
        param(
            "betas",
            "pair",
            (0.9, 0.999),
            "Decay rates of the gradient's running mean (beta1, the momentum column) and "
            "of its square.",
        ),
        param(
            "beta3",
            "float",
            None,
            "Decay rate of the d estimate's sums (not set: sqrt(betas[1])).",
            optional=True,
        ),
        param("eps", "float", 1e-8, "Added to sqrt(v), times d."),
        param("weight_decay", "float", 0.0, "Weight decay (decoupled unless decouple = false)."),
        param(
            "decouple", "bool", True, "AdamW-style decay of theta instead of an L2 gradient term."
        ),
        param("use_bias_correction", "bool", False, "Adam's bias correction in the step size."),
        param("safeguard_warmup", "bool", False, "Leave lr out of the d estimate's sum (warm-up)."),
        param("d0", "float", 1e-6, "Initial d: the first steps are about d0 * lr."),
        param("d_coef", "float", 1.0, "Multiplies the estimate d_hat."),
        param(
            "growth_rate",
            "float",
            math.inf,
            "d grows at most by this factor per update (inf: no limit).",
            allow_inf=True,
        ),
    ),
    momentum_kind="beta1",
    n_slots=12,
    hyper_names=("beta2", "beta3", "eps", "weight_decay", "flags", "d0", "d_coef", "growth_rate"),
    checks=_checks,
    hyper=lambda p: [
        p["betas"][1],
        beta3_of(p),
        p["eps"],
        p["weight_decay"],
        _flags(p),
        p["d0"],
        p["d_coef"],
        p["growth_rate"],
    ],  # fmt: skip
    initial=lambda p: [0.0] * 8 + [p["d0"], p["d0"], 0.0, 0.0],
    state_names=(
        "exp_avg_x",
        "exp_avg_y",
        "exp_avg_sq_x",
        "exp_avg_sq_y",
        "s_x",
        "s_y",
        "p0_x",
        "p0_y",
        "d",
        "d_max",
        "d_numerator",
        "k",
    ),  # fmt: skip
    source="prodigyopt 1.1.2",
    # k is the group's step counter (left out, as `step` is); exp_avg exists only if beta1 > 0
    hidden_state=lambda p: ("k",) + (("exp_avg_x", "exp_avg_y") if p["betas"][0] == 0 else ()),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, beta3, eps, weight_decay, flags = h[0], h[1], h[2], h[3], int(h[4])
    d0, d_coef, growth_rate = h[5], h[6], h[7]
    decouple, bias_correction, safeguard = flags & 1, flags & 2, flags & 4
    if n == 1.0:
        s[P0][i] = x
        s[P0 + 1][i] = y
    if not lr > 0.0:
        return x, y  # nothing accumulates, d_denom = 0: the source returns
    k, d, d_max = s[K][i], s[D][i], s[D_MAX][i]
    scale = 1.0
    if bias_correction:
        scale = (1.0 - beta2 ** (k + 1.0)) ** 0.5 / (1.0 - beta1 ** (k + 1.0))
    dlr = d * lr * scale
    if not decouple:
        gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    dot = gx * (s[P0][i] - x) + gy * (s[P0 + 1][i] - y)
    delta = d / d0 * dlr * dot
    mx = s[M][i]
    my = s[M + 1][i]
    if beta1 > 0.0:
        mx = mx * beta1 + d * (1.0 - beta1) * gx
        my = my * beta1 + d * (1.0 - beta1) * gy
        s[M][i] = mx
        s[M + 1][i] = my
    square = d * d * (1.0 - beta2)
    vx = s[V][i] * beta2 + square * gx * gx
    vy = s[V + 1][i] * beta2 + square * gy * gy
    s[V][i] = vx
    s[V + 1][i] = vy
    weight = d / d0 * d if safeguard else d / d0 * dlr
    sx = s[S][i] * beta3 + weight * gx
    sy = s[S + 1][i] * beta3 + weight * gy
    s[S][i] = sx
    s[S + 1][i] = sy
    denominator = abs(sx) + abs(sy)
    if denominator == 0.0:
        return x, y
    numerator = s[NUMERATOR][i] * beta3 + delta
    d_hat = d_coef * numerator / denominator
    if d == d0 and d_hat > d:
        d = d_hat
    if d_hat > d_max:
        d_max = d_hat
    grown = d * growth_rate
    d = grown if grown < d_max else d_max
    s[NUMERATOR][i] = numerator
    s[D][i] = d
    s[D_MAX][i] = d_max
    s[K][i] = k + 1.0
    if weight_decay != 0.0 and decouple:
        x = x + -weight_decay * dlr * x
        y = y + -weight_decay * dlr * y
    if beta1 > 0.0:
        return x + (-dlr * mx) / (math.sqrt(vx) + d * eps), y + (-dlr * my) / (
            math.sqrt(vy) + d * eps
        )
    return x + (-dlr * d * gx) / (math.sqrt(vx) + d * eps), y + (-dlr * d * gy) / (
        math.sqrt(vy) + d * eps
    )


constants = no_constants


def reference(theta, grad, state, n, lr, beta1, p):
    """NumPy twin of ``update`` for every particle at once (per-particle d as (N, 1))."""
    count = len(theta)
    beta2, beta3, eps, d0 = p["betas"][1], beta3_of(p), p["eps"], p["d0"]
    if "p0" not in state:
        state["p0"] = theta.copy()
        for key in ("exp_avg", "exp_avg_sq", "s"):
            state[key] = np.zeros_like(theta)
        state["d"] = np.full((count, 1), d0)
        state["d_max"] = np.full((count, 1), d0)
        state["d_numerator"] = np.zeros((count, 1))
        state["k"] = np.zeros((count, 1))
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (count, 1))
    active = lr > 0.0
    d, d_max, k = state["d"], state["d_max"], state["k"]
    scale = 1.0
    if p["use_bias_correction"]:
        scale = (1.0 - beta2 ** (k + 1.0)) ** 0.5 / (1.0 - beta1 ** (k + 1.0))
    dlr = d * lr * scale
    if p["weight_decay"] != 0 and not p["decouple"]:
        grad = grad + p["weight_decay"] * theta
    offset = state["p0"] - theta
    dot = (grad[:, :1] * offset[:, :1]) + (grad[:, 1:] * offset[:, 1:])
    delta = d / d0 * dlr * dot
    exp_avg = state["exp_avg"] * beta1 + d * (1.0 - beta1) * grad if beta1 > 0 else state["exp_avg"]
    exp_avg_sq = state["exp_avg_sq"] * beta2 + d * d * (1.0 - beta2) * grad * grad
    weight = d / d0 * d if p["safeguard_warmup"] else d / d0 * dlr
    s = state["s"] * beta3 + weight * grad
    for key, value in (("exp_avg", exp_avg), ("exp_avg_sq", exp_avg_sq), ("s", s)):
        state[key] = np.where(active, value, state[key])
    denominator = np.abs(s[:, :1]) + np.abs(s[:, 1:])
    moves = active & (denominator != 0.0)
    numerator = state["d_numerator"] * beta3 + delta
    with np.errstate(divide="ignore", invalid="ignore"):
        d_hat = p["d_coef"] * numerator / denominator
    new_d = np.where((d == d0) & (d_hat > d), d_hat, d)
    new_max = np.where(d_hat > d_max, d_hat, d_max)
    grown = new_d * p["growth_rate"]
    new_d = np.where(grown < new_max, grown, new_max)
    state["d_numerator"] = np.where(moves, numerator, state["d_numerator"])
    state["d"] = np.where(moves, new_d, d)
    state["d_max"] = np.where(moves, new_max, d_max)
    state["k"] = np.where(moves, k + 1.0, k)
    new_theta = theta
    if p["weight_decay"] != 0 and p["decouple"]:
        new_theta = new_theta + -p["weight_decay"] * dlr * new_theta
    denom = np.sqrt(exp_avg_sq) + new_d * eps
    if beta1 > 0:
        new_theta = new_theta + (-dlr * exp_avg) / denom
    else:
        new_theta = new_theta + (-dlr * new_d * grad) / denom
    return np.where(moves, new_theta, theta)


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="d * lr",
        effective_step=lambda s, lr, mom, n, p: s[8] * lr,
    ),
)
