"""SGD (torch.optim.SGD): plain gradient descent, heavy-ball or Nesterov momentum.

The update splits exactly into the gradient's and the momentum buffer's parts
(``split``, the step anatomy)."""

from __future__ import annotations

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
    if p["nesterov"]:
        _require(
            p["momentum"] > 0 and p["dampening"] == 0,
            "nesterov",
            "requires momentum > 0 and dampening = 0",
        )


SPEC = classic_spec(
    "sgd",
    "SGD",
    "theta -= lr * d, with d the gradient or, with momentum, the buffer b = mu b + (1 - "
    "dampening) g (b = g on the first update); nesterov uses d = g + mu b.",
    [
        _p("lr", "float", 1e-3, LR_DOC),
        _p(
            "momentum",
            "float",
            0.0,
            "Heavy-ball momentum factor mu (0 = plain gradient descent).",
        ),
        _p("dampening", "float", 0.0, "Scales the new gradient in the buffer by 1 - dampening."),
        _p("weight_decay", "float", 0.0, WD_DOC),
        _p("nesterov", "bool", False, "Nesterov momentum: look ahead along the buffer."),
    ],
    "momentum",
    3,  # buffer x, y and a flag "buffer exists"
    ("dampening", "weight_decay", "nesterov"),
    checks=_checks,
    state_names=("momentum_buffer_x", "momentum_buffer_y", "_buffer_exists"),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    dampening, weight_decay, nesterov = h[0], h[1], h[2] != 0.0
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    if mom != 0.0:
        first = s[2][i] == 0.0  # PyTorch creates the buffer as a copy of g
        # loads first, then selects: a branch (or a load on one side of an ``if``
        # expression) per particle stops the block's loop from vectorising
        old_x, old_y = s[0][i], s[1][i]
        bx = gx if first else mom * old_x + (1.0 - dampening) * gx
        by = gy if first else mom * old_y + (1.0 - dampening) * gy
        s[2][i] = 1.0
        s[0][i] = bx
        s[1][i] = by
        if nesterov:
            gx = gx + mom * bx
            gy = gy + mom * by
        else:
            gx, gy = bx, by
    return x - lr * gx, y - lr * gy


constants = no_constants


def reference(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    if momentum != 0:
        if "buffer" not in state:
            state["buffer"] = grad.copy()
        else:
            state["buffer"] = momentum * state["buffer"] + (1 - p["dampening"]) * grad
        direction = grad + momentum * state["buffer"] if p["nesterov"] else state["buffer"]
    else:
        direction = grad
    return theta - lr * direction


def split(h, slots, theta, g, lr, mom, n):
    """(gradient part, momentum part), each (particles, 2), as the kernel computes them."""
    dampening, weight_decay, nesterov = h[0], h[1], h[2] != 0.0
    g = g + weight_decay * theta
    if mom == 0.0:
        return (-lr * g).T, np.zeros_like(g.T)
    buf, exists = slots[0:2], slots[2] != 0.0
    g_coef = np.where(exists, 1.0 - dampening, 1.0)  # torch's first buffer is g
    b_coef = np.where(exists, mom, 0.0)
    if nesterov:
        return (-lr * (1.0 + mom * g_coef) * g).T, (-lr * mom * b_coef * buf).T
    return (-lr * g_coef * g).T, (-lr * b_coef * buf).T


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="scheduled lr",
        effective_step=lambda s, lr, mom, n, p: np.full(s.shape[1], lr),
        split=split,
        split_labels=("-lr·g", "-lr·μ·buf"),
    ),
)
