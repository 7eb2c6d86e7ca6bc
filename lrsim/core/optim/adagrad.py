"""Adagrad (torch.optim.Adagrad): every coordinate gets its own, ever smaller step.

No momentum: all of an update is the gradient's (``split``, the step anatomy)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import LR_DOC, WD_DOC, OptimizerEntry
from lrsim.core.optim.base import param as _p
from lrsim.core.optim.rules import JIT, coupled_decay
from lrsim.core.optim.torch_classic import _require, check_common, classic_spec
from lrsim.core.optim.torch_classic import add_weight_decay as _add_weight_decay


def _checks(name: str, p: Mapping[str, Any]) -> None:
    check_common(p)
    _require(p["lr_decay"] >= 0.0, "lr_decay", f"must be >= 0, got {p['lr_decay']!r}")
    _require(
        p["initial_accumulator_value"] >= 0.0,
        "initial_accumulator_value",
        f"must be >= 0, got {p['initial_accumulator_value']!r}",
    )


SPEC = classic_spec(
    "adagrad",
    "Adagrad",
    "s += g^2; theta -= lr / (1 + (n - 1) lr_decay) * g / (sqrt(s) + eps): every coordinate "
    "gets its own, ever smaller step.",
    [
        _p("lr", "float", 1e-2, LR_DOC),
        _p("lr_decay", "float", 0.0, "Inverse-time decay of the lr inside the optimizer."),
        _p("weight_decay", "float", 0.0, WD_DOC),
        _p("initial_accumulator_value", "float", 0.0, "Starting value of the sum of squares s."),
        _p("eps", "float", 1e-10, "Added to sqrt(s) for numerical stability."),
    ],
    None,
    2,
    ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    checks=_checks,
    initial=lambda p: [p["initial_accumulator_value"]] * 2,
    state_names=("sum_x", "sum_y"),
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    weight_decay, eps = h[1], h[3]
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    clr = lr / c[0]
    sx = s[0][i] + gx * gx
    sy = s[1][i] + gy * gy
    s[0][i] = sx
    s[1][i] = sy
    return x - clr * gx / (math.sqrt(sx) + eps), y - clr * gy / (math.sqrt(sy) + eps)


@njit(**JIT)
def constants(n, mom, h):
    return 1.0 + (n - 1) * h[0], 0.0, 0.0


def reference(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    clr = lr / (1 + (n - 1) * p["lr_decay"])
    state.setdefault("sum", np.full_like(theta, p["initial_accumulator_value"]))
    state["sum"] = state["sum"] + grad * grad
    return theta - clr * grad / (np.sqrt(state["sum"]) + p["eps"])


def split(h, slots, theta, g, lr, mom, n):
    """(gradient part, momentum part = 0), each (particles, 2), as the kernel computes them."""
    weight_decay, eps = h[1], h[3]
    g = g + weight_decay * theta
    clr = lr / (1.0 + (n - 1) * h[0])
    s = slots[0:2] + g * g
    return (-clr * g / (np.sqrt(s) + eps)).T, np.zeros_like(g.T)


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="lr_n / (sqrt(sum) + eps)",
        effective_step=lambda s, lr, mom, n, p: (
            lr / (1 + (n - 1) * p["lr_decay"]) / (np.sqrt(s[0:2]) + p["eps"])
        ),
        adaptive=True,
        split=split,
    ),
)
