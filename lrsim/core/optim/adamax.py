"""Adamax (torch.optim.Adamax): Adam with the infinity norm."""

from __future__ import annotations

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import LR_DOC, WD_DOC, OptimizerEntry
from lrsim.core.optim.base import param as _p
from lrsim.core.optim.rules import JIT, coupled_decay
from lrsim.core.optim.torch_classic import BETAS, EPS_ADAM, classic_spec
from lrsim.core.optim.torch_classic import add_weight_decay as _add_weight_decay

SPEC = classic_spec(
    "adamax",
    "Adamax",
    "Adam with the infinity norm: u = max(beta2 u, |g| + eps); theta -= lr / (1 - beta1^n) "
    "* m / u.",
    [
        _p("lr", "float", 2e-3, LR_DOC),
        BETAS,
        EPS_ADAM,
        _p("weight_decay", "float", 0.0, WD_DOC),
    ],
    "beta1",
    4,
    ("beta2", "eps", "weight_decay"),
    state_names=("exp_avg_x", "exp_avg_y", "exp_inf_x", "exp_inf_y"),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay = h[0], h[1], h[2]
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    mx = s[0][i] + (1.0 - beta1) * (gx - s[0][i])
    my = s[1][i] + (1.0 - beta1) * (gy - s[1][i])
    ux = max(beta2 * s[2][i], abs(gx) + eps)
    uy = max(beta2 * s[3][i], abs(gy) + eps)
    s[0][i] = mx
    s[1][i] = my
    s[2][i] = ux
    s[3][i] = uy
    clr = lr / c[0]
    return x + (-clr * mx) / ux, y + (-clr * my) / uy


@njit(**JIT)
def constants(n, beta1, h):
    return 1.0 - beta1**n, 0.0, 0.0


def reference(theta, grad, state, n, lr, beta1, p):
    beta2 = p["betas"][1]
    grad = _add_weight_decay(grad, theta, p)
    exp_avg = state.get("exp_avg", np.zeros_like(theta))
    state["exp_avg"] = exp_avg + (1 - beta1) * (grad - exp_avg)
    state["exp_inf"] = np.maximum(beta2 * state.get("exp_inf", 0.0), np.abs(grad) + p["eps"])
    clr = lr / (1 - beta1**n)
    return theta + (-clr * state["exp_avg"]) / state["exp_inf"]


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="lr / (1 - beta1^n) / u",
        effective_step=lambda s, lr, mom, n, p: lr / (1.0 - mom**n) / s[2:4],
        adaptive=True,
    ),
)
