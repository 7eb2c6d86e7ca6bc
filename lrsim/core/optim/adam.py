"""Adam (torch.optim.Adam, AMSGrad and coupled or decoupled weight decay).

AdamW (``adamw.py``) shares this rule, its constants and ``split``: the update
splits exactly into the gradient's and the first moment's parts."""

from __future__ import annotations

import math

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.rules import JIT
from lrsim.core.optim.rules import apply_weight_decay as _weight_decay
from lrsim.core.optim.rules import moments as _moments
from lrsim.core.optim.torch_classic import DECOUPLED, adam_family_entry, adam_like
from lrsim.core.optim.torch_classic import reference_decay as _decay
from lrsim.core.optim.torch_classic import reference_moments as _reference_moments

SPEC = adam_like(
    "adam",
    "Adam",
    "m, v running means of g and g^2; theta -= lr / (1 - beta1^n) * m / (sqrt(v) / "
    "sqrt(1 - beta2^n) + eps).",
    1e-3,
    0.0,
    (DECOUPLED,),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay, amsgrad, decoupled = h[0], h[1], h[2], h[3] != 0.0, h[4] != 0.0
    x, y, gx, gy = _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled)
    mx, my, vx, vy = _moments(s, i, gx, gy, beta1, beta2)
    # amsgrad by selects and a store of the old value without it: a conditional store
    # would stop the block's loop from vectorising
    max_x, max_y = s[4][i], s[5][i]
    vx = max(max_x, vx) if amsgrad else vx
    vy = max(max_y, vy) if amsgrad else vy
    s[4][i] = vx if amsgrad else max_x
    s[5][i] = vy if amsgrad else max_y
    step_size = lr / c[0]
    correction2_sqrt = c[1]
    x = x + (-step_size * mx) / (math.sqrt(vx) / correction2_sqrt + eps)
    y = y + (-step_size * my) / (math.sqrt(vy) / correction2_sqrt + eps)
    return x, y


@njit(**JIT)
def constants(n, beta1, h):
    return 1.0 - beta1**n, math.sqrt(1.0 - h[0] ** n), 0.0


def reference(theta, grad, state, n, lr, beta1, p, decoupled=None):
    decoupled = p.get("decoupled_weight_decay", False) if decoupled is None else decoupled
    beta2 = p["betas"][1]
    theta, grad = _decay(theta, grad, lr, p, decoupled)
    exp_avg, exp_avg_sq = _reference_moments(grad, state, beta1, beta2)
    if p["amsgrad"]:
        state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", 0.0), exp_avg_sq)
        exp_avg_sq = state["max_exp_avg_sq"]
    step_size = lr / (1 - beta1**n)
    denom = np.sqrt(exp_avg_sq) / np.sqrt(1 - beta2**n) + p["eps"]
    return theta + (-step_size * exp_avg) / denom


def split(h, slots, theta, g, lr, mom, n):
    """(gradient part, momentum part), each (particles, 2), as the kernel computes them;
    decoupled decay (AdamW) joins the gradient part."""
    beta2, eps, weight_decay, amsgrad, decoupled = h[0], h[1], h[2], h[3] != 0.0, h[4] != 0.0
    decay = np.zeros_like(theta)
    if weight_decay != 0.0:
        if decoupled:
            decay = -lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
    m, v = slots[0:2], slots[2:4]
    v_new = beta2 * v + (1.0 - beta2) * g * g
    if amsgrad:
        v_new = np.maximum(slots[4:6], v_new)
    denom = np.sqrt(v_new) / np.sqrt(1.0 - beta2**n) + eps
    step_size = lr / (1.0 - mom**n)
    gradient = -step_size * (1.0 - mom) * g / denom + decay
    momentum = -step_size * mom * m / denom
    return gradient.T, momentum.T


ENTRIES = (
    adam_family_entry(
        SPEC, update, constants, reference, split=split, split_labels=("gradient", "β1·m")
    ),
)
