"""ASGD (torch.optim.ASGD 2.13): SGD with a decaying step and a running average of the iterates.

Update rule at update n (eta starts at the lr of the first update, mu at 1, ax at 0)::

    g     <- g + weight_decay * theta
    theta <- theta * (1 - lambd * eta)
    theta <- theta - eta * g
    ax    <- ax + (theta - ax) * mu       (ax <- theta while mu = 1)
    eta   <- lr / (1 + lambd * lr * n) ** alpha
    mu    <- 1 / max(1, n - t0)

The particle is theta; ``ax`` (the averaged point, state columns ax_x, ax_y) is what
ASGD would return. With the default t0 = 1e6, mu stays 1 and ax follows theta.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.jit import njit
from lrsim.core.optim.base import MAXIMIZE, WD_DOC, OptimizerEntry, OptimizerSpec, param, require
from lrsim.core.optim.rules import JIT, coupled_decay, no_constants


def _checks(name: str, p: Mapping[str, Any]) -> None:
    require(p["lr"] >= 0.0, "lr", f"must be >= 0, got {p['lr']!r}")
    require(p["weight_decay"] >= 0.0, "weight_decay", f"must be >= 0, got {p['weight_decay']!r}")


SPEC = OptimizerSpec(
    name="asgd",
    title="ASGD",
    doc="Averaged SGD: theta -= eta g with eta = lr / (1 + lambd lr n)^alpha, and from "
    "update t0 on a running average ax of the iterates.",
    params=(
        param("lr", "float", 1e-2, "Learning rate: eta at the first update and the base of eta."),
        param("lambd", "float", 1e-4, "Decay term: theta *= 1 - lambd * eta, and eta's decay."),
        param("alpha", "float", 0.75, "Power of eta's decay."),
        param("t0", "float", 1e6, "The update from which the average ax starts to lag theta."),
        param("weight_decay", "float", 0.0, WD_DOC),
        MAXIMIZE,
    ),
    momentum_kind=None,
    n_slots=4,
    hyper_names=("lambd", "alpha", "t0", "weight_decay"),
    checks=_checks,
    initial=lambda p: [0.0, 1.0, 0.0, 0.0],
    state_names=("eta", "mu", "ax_x", "ax_y"),
    source="torch.optim 2.13",
)


@njit(**JIT)
def update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    lambd, alpha, t0, weight_decay = h[0], h[1], h[2], h[3]
    eta = lr if n == 1.0 else s[0][i]
    mu = s[1][i]
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    decay = 1.0 - lambd * eta
    x = x * decay
    y = y * decay
    x = x - eta * gx
    y = y - eta * gy
    if mu != 1.0:
        s[2][i] = s[2][i] + (x - s[2][i]) * mu
        s[3][i] = s[3][i] + (y - s[3][i]) * mu
    else:
        s[2][i] = x
        s[3][i] = y
    s[0][i] = lr / (1.0 + lambd * lr * n) ** alpha
    s[1][i] = 1.0 / max(1.0, n - t0)
    return x, y


constants = no_constants


def reference(theta, grad, state, n, lr, momentum, p):
    """NumPy twin of ``update`` for every particle at once."""
    lambd, alpha, t0 = p["lambd"], p["alpha"], p["t0"]
    if "eta" not in state:
        state["eta"] = np.broadcast_to(lr, (len(theta), 1)).astype(float)
        state["mu"] = np.ones((len(theta), 1))
        state["ax"] = np.zeros_like(theta)
    if p["weight_decay"] != 0:
        grad = grad + p["weight_decay"] * theta
    eta, mu = state["eta"], state["mu"]
    theta = theta * (1.0 - lambd * eta)
    theta = theta - eta * grad
    state["ax"] = np.where(mu != 1.0, state["ax"] + (theta - state["ax"]) * mu, theta)
    state["eta"] = np.broadcast_to(lr / (1.0 + lambd * lr * n) ** alpha, eta.shape).copy()
    state["mu"] = np.full_like(mu, 1.0 / max(1.0, n - t0))
    return theta


def averaged(slots, x, y, beta1):
    """The averaged point ax beside each particle (its slots 2 and 3)."""
    return slots[2], slots[3]


ENTRIES = (
    OptimizerEntry(
        SPEC,
        update,
        constants,
        reference,
        effective="eta",
        effective_step=lambda s, lr, mom, n, p: s[0],
        averaged=averaged,
    ),
)
