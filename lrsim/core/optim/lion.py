"""Lion (lion-pytorch 0.2.5 ``Lion``, Chen et al. 2023): the sign of an interpolated momentum.

Update rule, per coordinate, with beta1 the scheduled momentum::

    theta <- theta * (1 - lr * wd)        wd = weight_decay, or weight_decay / lr0 when
                                          decoupled_weight_decay (lr0 the constructor lr)
    theta <- theta - lr * sign(beta1 * m + (1 - beta1) * g)
    m     <- beta2 * m + (1 - beta2) * g

Every step moves each coordinate by exactly lr (before decay): the step size does
not follow the gradient's magnitude, only its sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import OptimizerEntry, OptimizerSpec, param, require
from lrsim.core.optim.rules import JIT, no_constants


def _checks(name: str, p: Mapping[str, Any]) -> None:
    # lion-pytorch asserts lr > 0 and 0 <= beta <= 1
    require(p["lr"] > 0.0, "lr", f"must be > 0, got {p['lr']!r}")
    for index, beta in enumerate(p["betas"]):
        require(0.0 <= beta <= 1.0, f"betas[{index}]", f"must be in [0, 1], got {beta!r}")


def _hyper(p: Mapping[str, Any]) -> list[float]:
    weight_decay = p["weight_decay"]
    if p["decoupled_weight_decay"]:
        weight_decay = weight_decay / p["lr"]  # lion-pytorch: wd /= init_lr
    return [p["betas"][1], weight_decay]


SPEC = OptimizerSpec(
    name="lion",
    title="Lion",
    doc="theta -= lr * sign(beta1 m + (1 - beta1) g), then m = beta2 m + (1 - beta2) g: "
    "every coordinate moves by exactly lr (lion-pytorch 0.2.5).",
    params=(
        param("lr", "float", 1e-4, "Learning rate: the size of every (sign) step."),
        param(
            "betas",
            "pair",
            (0.9, 0.99),
            "beta1 interpolates momentum and gradient for the sign step (the momentum "
            "column); beta2 is the momentum's own decay rate.",
        ),
        param(
            "weight_decay",
            "float",
            0.0,
            "Decoupled weight decay: theta *= 1 - lr * weight_decay before the step.",
        ),
        param(
            "decoupled_weight_decay",
            "bool",
            False,
            "Divide weight_decay by the initial lr (the decay then does not scale with lr).",
        ),
    ),
    momentum_kind="beta1",
    n_slots=2,
    hyper_names=("beta2", "weight_decay"),
    checks=_checks,
    hyper=_hyper,
    state_names=("exp_avg_x", "exp_avg_y"),
    source="lion-pytorch 0.2.5",
)


@njit(**JIT)
def _sign(value):
    if value > 0.0:
        return 1.0
    if value < 0.0:
        return -1.0
    return value * 0.0  # 0 stays 0, NaN stays NaN (torch's sgn)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, weight_decay = h[0], h[1]
    decay = 1.0 - lr * weight_decay
    x = x * decay
    y = y * decay
    mx, my = s[0][i], s[1][i]
    x = x - lr * _sign(mx * beta1 + (1.0 - beta1) * gx)
    y = y - lr * _sign(my * beta1 + (1.0 - beta1) * gy)
    s[0][i] = mx * beta2 + (1.0 - beta2) * gx
    s[1][i] = my * beta2 + (1.0 - beta2) * gy
    return x, y


constants = no_constants


def reference(theta, grad, state, n, lr, beta1, p):
    """NumPy twin of ``update`` for every particle at once."""
    beta2, weight_decay = _hyper(p)
    theta = theta * (1.0 - lr * weight_decay)
    exp_avg = state.get("exp_avg", np.zeros_like(theta))
    theta = theta - lr * np.sign(exp_avg * beta1 + (1.0 - beta1) * grad)
    state["exp_avg"] = exp_avg * beta2 + (1.0 - beta2) * grad
    return theta


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="lr (every sign step)",
        effective_step=lambda s, lr, mom, n, p: np.full(s.shape[1], lr),
    ),
)
