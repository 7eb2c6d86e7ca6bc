"""Rprop (torch.optim.Rprop 2.13): per-coordinate step sizes that grow while the sign holds.

Update rule, per coordinate (prev starts at 0, step_size at the lr of the first
update; the lr schedule has no effect after that)::

    s = sign(g * prev)
    step_size <- clamp(step_size * (etaplus if s > 0, etaminus if s < 0, 1 if s = 0),
                       step_sizes[0], step_sizes[1])
    g <- 0 where s < 0                    (after a sign change, wait one step)
    theta <- theta - sign(g) * step_size
    prev <- g
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import MAXIMIZE, OptimizerEntry, OptimizerSpec, param, require
from lrsim.core.optim.rules import JIT, no_constants


def _checks(name: str, p: Mapping[str, Any]) -> None:
    require(p["lr"] >= 0.0, "lr", f"must be >= 0, got {p['lr']!r}")
    minus, plus = p["etas"]
    require(
        0.0 < minus < 1.0 < plus,
        "etas",
        f"must satisfy 0 < etas[0] < 1 < etas[1], got {p['etas']!r}",
    )


SPEC = OptimizerSpec(
    name="rprop",
    title="Rprop",
    doc="Each coordinate keeps its own step size: times etas[1] while the gradient's sign "
    "holds, times etas[0] when it flips; theta -= sign(g) * step_size.",
    params=(
        param(
            "lr",
            "float",
            1e-2,
            "Initial step size of every coordinate (read at the first update only).",
        ),
        param(
            "etas",
            "pair",
            (0.5, 1.2),
            "(etaminus, etaplus): step size factors after a sign flip and while the sign holds.",
        ),
        param("step_sizes", "pair", (1e-6, 50.0), "(min, max): the step sizes are clamped here."),
        MAXIMIZE,
    ),
    momentum_kind=None,
    n_slots=4,
    hyper_names=("etaminus", "etaplus", "step_size_min", "step_size_max"),
    checks=_checks,
    hyper=lambda p: [*p["etas"], *p["step_sizes"]],
    state_names=("prev_x", "prev_y", "step_size_x", "step_size_y"),
    source="torch.optim 2.13",
)


@njit(**JIT)
def _coordinate(g, prev, step_size, h):
    etaminus, etaplus, step_min, step_max = h[0], h[1], h[2], h[3]
    product = g * prev
    if product > 0.0:
        factor = etaplus
    elif product < 0.0:
        factor = etaminus
        g = 0.0
    else:
        factor = 1.0
    step_size = min(max(step_size * factor, step_min), step_max)
    direction = 1.0 if g > 0.0 else (-1.0 if g < 0.0 else 0.0)
    return direction * step_size, g, step_size


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    if n == 1.0:  # torch creates step_size = lr at the first update
        s[2][i] = lr
        s[3][i] = lr
    dx, s[0][i], s[2][i] = _coordinate(gx, s[0][i], s[2][i], h)
    dy, s[1][i], s[3][i] = _coordinate(gy, s[1][i], s[3][i], h)
    return x - dx, y - dy


constants = no_constants


def reference(theta, grad, state, n, lr, momentum, p):
    """NumPy twin of ``update`` for every particle at once."""
    (etaminus, etaplus), (step_min, step_max) = p["etas"], p["step_sizes"]
    if "step_size" not in state:
        state["prev"] = np.zeros_like(theta)
        state["step_size"] = np.broadcast_to(lr, theta.shape).astype(float)
    sign = np.sign(grad * state["prev"])
    factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
    state["step_size"] = np.clip(state["step_size"] * factor, step_min, step_max)
    grad = np.where(sign < 0, 0.0, grad)
    state["prev"] = grad
    return theta - np.sign(grad) * state["step_size"]


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="step size",
        effective_step=lambda s, lr, mom, n, p: s[2:4],
    ),
)
