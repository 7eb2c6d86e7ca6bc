"""RAdam (torch.optim.RAdam): Adam with a rectified adaptive term."""

from __future__ import annotations

import math

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
    adam_family_entry,
    classic_spec,
)
from lrsim.core.optim.torch_classic import reference_decay as _decay
from lrsim.core.optim.torch_classic import reference_moments as _reference_moments

SPEC = classic_spec(
    "radam",
    "RAdam",
    "Adam with a rectified adaptive term; the first updates (rho_n <= 5) are plain "
    "bias-corrected momentum steps.",
    [
        _p("lr", "float", 1e-3, LR_DOC),
        BETAS,
        EPS_ADAM,
        _p("weight_decay", "float", 0.0, WD_DOC),
        DECOUPLED,
    ],
    "beta1",
    4,
    ("beta2", "eps", "weight_decay", "decoupled"),
    state_names=("exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y"),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay, decoupled = h[0], h[1], h[2], h[3] != 0.0
    x, y, gx, gy = _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled)
    mx, my, vx, vy = _moments(s, i, gx, gy, beta1, beta2)
    correction1, rect, root2 = c[0], c[1], c[2]
    cx = mx / correction1
    cy = my / correction1
    if rect > 0.0:  # rho_n > 5: the adaptive term is on
        x = x - cx * lr * (root2 / (math.sqrt(vx) + eps)) * rect
        y = y - cy * lr * (root2 / (math.sqrt(vy) + eps)) * rect
        return x, y
    return x - cx * lr, y - cy * lr


@njit(**JIT)
def constants(n, beta1, h):
    """(1 - beta1^n, the rectifier (0 while rho_n <= 5), sqrt(1 - beta2^n))."""
    beta2 = h[0]
    correction2 = 1.0 - beta2**n
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_n = rho_inf - 2.0 * n * beta2**n / correction2
    rect = 0.0
    if rho_n > 5.0:
        rect = math.sqrt(
            (rho_n - 4.0) * (rho_n - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_n)
        )
    return 1.0 - beta1**n, rect, math.sqrt(correction2)


def reference(theta, grad, state, n, lr, beta1, p):
    beta2 = p["betas"][1]
    theta, grad = _decay(theta, grad, lr, p, p["decoupled_weight_decay"])
    exp_avg, exp_avg_sq = _reference_moments(grad, state, beta1, beta2)
    correction1, correction2 = 1 - beta1**n, 1 - beta2**n
    corrected_avg = exp_avg / correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_n = rho_inf - 2 * n * beta2**n / correction2
    if rho_n > 5.0:
        rect = (
            (rho_n - 4) * (rho_n - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_n)
        ) ** 0.5
        adaptive = correction2**0.5 / (np.sqrt(exp_avg_sq) + p["eps"])
        return theta - corrected_avg * lr * adaptive * rect
    return theta - corrected_avg * lr


ENTRIES = (adam_family_entry(SPEC, update, constants, reference),)
