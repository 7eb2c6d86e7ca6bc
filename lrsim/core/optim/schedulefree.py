"""Schedule-Free AdamW and SGD (schedulefree 1.4.1 ``AdamWScheduleFree``, ``SGDScheduleFree``).

The particle is the train-mode point y (where the gradient is taken); z is the
base sequence and the evaluation point x (where ``optimizer.eval()`` would put the
parameter) is lerp(y, z, 1 - 1/beta1). At update n (k = n - 1), per particle::

    lr_n    = lr * (n / warmup_steps if k < warmup_steps else 1)
    lr_max  <- max(lr_n, lr_max)                      (lr_max starts at -1)
    weight  = n^r * lr_max^weight_lr_power
    weight_sum <- weight_sum + weight
    c       = weight / weight_sum                     (0 if weight_sum = 0)
    AdamW:  v <- beta2 v + (1 - beta2) g^2
            g <- g / (sqrt(v / (1 - beta2^n)) + eps)
    g       <- g + weight_decay * y                   (if weight_decay != 0)
    y       <- lerp(y, z, c)
    y       <- y + lr_n (beta1 (1 - c) - 1) g         (SGD: momentum for beta1)
    z       <- z - lr_n g

z starts at the starting point. lerp is torch's: a + w (b - a) for |w| < 0.5,
else b - (b - a)(1 - w).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import OptimizerEntry, OptimizerSpec, param, require
from lrsim.core.optim.rules import JIT, coupled_decay, no_constants

SOURCE = "schedulefree 1.4.1"
STATE_NAMES = ("z_x", "z_y", "lr_max", "weight_sum")


def _common(lr: float) -> tuple:
    return (
        param("lr", "float", lr, "Learning rate (the schedule can still scale it)."),
        param(
            "weight_decay",
            "float",
            0.0,
            "Added to the (normalised) gradient as weight_decay * y, at the train point y.",
        ),
        param("warmup_steps", "int", 0, "Linear warm-up of the lr over this many updates."),
        param("r", "float", 0.0, "Averaging weight grows as n^r (0: uniform over updates)."),
        param(
            "weight_lr_power",
            "float",
            2.0,
            "Averaging weight is proportional to lr_max^weight_lr_power.",
        ),
    )


def _no_checks(name: str, p: Mapping[str, Any]) -> None:
    """AdamWScheduleFree checks nothing in its constructor."""


def _sgd_checks(name: str, p: Mapping[str, Any]) -> None:
    require(p["lr"] >= 0.0, "lr", f"must be >= 0, got {p['lr']!r}")
    require(p["weight_decay"] >= 0.0, "weight_decay", f"must be >= 0, got {p['weight_decay']!r}")
    require(0.0 < p["momentum"] < 1.0, "momentum", f"must be in (0, 1), got {p['momentum']!r}")


ADAMW = OptimizerSpec(
    name="schedulefree_adamw",
    title="Schedule-Free AdamW",
    doc="AdamW without a schedule: the gradient is taken at y, an interpolation of the base "
    "sequence z and its running average x (the evaluation point, state eval_x, eval_y).",
    params=(
        _common(0.0025)[0],
        param(
            "betas",
            "pair",
            (0.9, 0.999),
            "beta1 interpolates between z and the average x (the momentum column); beta2 "
            "is the squared-gradient decay.",
        ),
        param("eps", "float", 1e-8, "Added to the bias-corrected RMS of the gradient."),
        *_common(0.0025)[1:],
    ),
    momentum_kind="beta1",
    n_slots=6,
    hyper_names=("beta2", "eps", "weight_decay", "warmup_steps", "r", "weight_lr_power"),
    checks=_no_checks,
    hyper=lambda p: [
        p["betas"][1],
        p["eps"],
        p["weight_decay"],
        p["warmup_steps"],
        p["r"],
        p["weight_lr_power"],
    ],  # fmt: skip
    initial=lambda p: [0.0, 0.0, -1.0, 0.0, 0.0, 0.0],
    state_names=(*STATE_NAMES, "exp_avg_sq_x", "exp_avg_sq_y"),
    source=SOURCE,
)
SGD = OptimizerSpec(
    name="schedulefree_sgd",
    title="Schedule-Free SGD",
    doc="SGD with momentum replaced by interpolation and averaging: the gradient is taken at "
    "y, between the base sequence z and the average x (state eval_x, eval_y).",
    params=(
        _common(1.0)[0],
        param(
            "momentum",
            "float",
            0.9,
            "Interpolation between z and the average x, in (0, 1) (the momentum column).",
        ),
        *_common(1.0)[1:],
    ),
    momentum_kind="momentum",
    n_slots=4,
    hyper_names=("weight_decay", "warmup_steps", "r", "weight_lr_power"),
    checks=_sgd_checks,
    initial=lambda p: [0.0, 0.0, -1.0, 0.0],
    state_names=STATE_NAMES,
    source=SOURCE,
)


@njit(**JIT)
def lerp(start, end, weight):
    """torch.lerp for float64 scalars."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@njit(**JIT)
def _averaging(s, i, n, x, y, lr, warmup, r, power):
    """(scheduled lr, averaging weight c); updates lr_max and weight_sum; z = start at n = 1."""
    if n == 1.0:
        s[0][i] = x
        s[1][i] = y
    lr = lr * (n / warmup if n - 1.0 < warmup else 1.0)
    lr_max = lr if lr >= s[2][i] else s[2][i]
    s[2][i] = lr_max
    weight = n**r * lr_max**power
    weight_sum = s[3][i] + weight
    s[3][i] = weight_sum
    return lr, (weight / weight_sum if weight_sum != 0.0 else 0.0)


@njit(**JIT)
def _interpolate(s, i, x, y, gx, gy, lr, beta1, c, weight_decay):
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    zx, zy = s[0][i], s[1][i]
    x = lerp(x, zx, c)
    y = lerp(y, zy, c)
    step = lr * (beta1 * (1.0 - c) - 1.0)
    s[0][i] = zx - lr * gx
    s[1][i] = zy - lr * gy
    return x + step * gx, y + step * gy


@njit(**JIT)
def adamw_update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay = h[0], h[1], h[2]
    lr, weight = _averaging(s, i, n, x, y, lr, h[3], h[4], h[5])
    correction2 = 1.0 - beta2**n
    vx = s[4][i] * beta2 + (1.0 - beta2) * gx * gx
    vy = s[5][i] * beta2 + (1.0 - beta2) * gy * gy
    s[4][i] = vx
    s[5][i] = vy
    gx = gx / (math.sqrt(vx / correction2) + eps)
    gy = gy / (math.sqrt(vy / correction2) + eps)
    return _interpolate(s, i, x, y, gx, gy, lr, beta1, weight, weight_decay)


@njit(**JIT)
def sgd_update(s, i, n, x, y, gx, gy, lr, momentum, h, c):
    lr, weight = _averaging(s, i, n, x, y, lr, h[1], h[2], h[3])
    return _interpolate(s, i, x, y, gx, gy, lr, momentum, weight, h[0])


constants = no_constants


def _torch_lerp(start, end, weight):
    small = np.abs(weight) < 0.5
    return np.where(small, start + weight * (end - start), end - (end - start) * (1.0 - weight))


def _reference(theta, grad, state, n, lr, beta1, p, adam: bool):
    count = len(theta)
    if "z" not in state:
        state["z"] = theta.copy()
        state["lr_max"] = np.full((count, 1), -1.0)
        state["weight_sum"] = np.zeros((count, 1))
    warmup = p["warmup_steps"]
    lr = np.broadcast_to(lr * (n / warmup if n - 1 < warmup else 1.0), (count, 1))
    state["lr_max"] = np.where(lr >= state["lr_max"], lr, state["lr_max"])
    weight = n ** p["r"] * state["lr_max"] ** p["weight_lr_power"]
    state["weight_sum"] = state["weight_sum"] + weight
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(state["weight_sum"] != 0, weight / state["weight_sum"], 0.0)
    if adam:
        beta2 = p["betas"][1]
        state["exp_avg_sq"] = (
            state.get("exp_avg_sq", np.zeros_like(theta)) * beta2 + (1 - beta2) * grad * grad
        )
        grad = grad / (np.sqrt(state["exp_avg_sq"] / (1 - beta2**n)) + p["eps"])
    if p["weight_decay"] != 0:
        grad = grad + p["weight_decay"] * theta
    theta = _torch_lerp(theta, state["z"], c)
    theta = theta + lr * (beta1 * (1 - c) - 1) * grad
    state["z"] = state["z"] - lr * grad
    return theta


def adamw_reference(theta, grad, state, n, lr, beta1, p):
    """NumPy twin of ``adamw_update`` for every particle at once."""
    return _reference(theta, grad, state, n, lr, beta1, p, adam=True)


def sgd_reference(theta, grad, state, n, lr, momentum, p):
    """NumPy twin of ``sgd_update`` for every particle at once."""
    return _reference(theta, grad, state, n, lr, momentum, p, adam=False)


def eval_point(y, z, beta1):
    """Where ``optimizer.eval()`` puts the parameter: lerp(y, z, 1 - 1/beta1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _torch_lerp(y, z, 1.0 - 1.0 / beta1)


def effective_step(s, lr, mom, n, p):
    """The averaging weight c = weight / weight_sum after update n."""
    weight = n ** p["r"] * s[2] ** p["weight_lr_power"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s[3] != 0, weight / s[3], 0.0)


def averaged(slots, x, y, beta1):
    """The evaluation point lerp(y, z, 1 - 1/beta1) beside each particle."""
    return eval_point(x, slots[0], beta1), eval_point(y, slots[1], beta1)


ENTRIES = (
    OptimizerEntry(
        ADAMW,
        adamw_update,
        constants,
        adamw_reference,
        effective="averaging weight c",
        effective_step=effective_step,
        averaged=averaged,
        eval_columns=True,
    ),
    OptimizerEntry(
        SGD,
        sgd_update,
        constants,
        sgd_reference,
        effective="averaging weight c",
        effective_step=effective_step,
        averaged=averaged,
        eval_columns=True,
    ),
)
