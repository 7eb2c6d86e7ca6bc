"""What the nine torch.optim optimizers share: parameters, checks, spec and NumPy helpers.

Each of them is a module of its own (``sgd.py``, ``adam.py``, ...) built from
these pieces; ``rules.py`` holds the numba pieces they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.optim.base import LR_DOC, MAXIMIZE, WD_DOC, OptimizerEntry, OptimizerSpec, require
from lrsim.core.optim.base import param as _p

SOURCE = "torch.optim 2.13"
BETAS = _p(
    "betas",
    "pair",
    (0.9, 0.999),
    "Decay rates of the running mean of gradients (beta1, the momentum) and of squared "
    "gradients (beta2).",
)
EPS_ADAM = _p("eps", "float", 1e-8, "Added to the denominator for numerical stability.")
DECOUPLED = _p(
    "decoupled_weight_decay",
    "bool",
    False,
    "Shrink theta by lr * weight_decay before the step (AdamW-style) instead of adding an "
    "L2 term to the gradient.",
)
ADAM_STATE_NAMES = (
    "exp_avg_x",
    "exp_avg_y",
    "exp_avg_sq_x",
    "exp_avg_sq_y",
    "max_exp_avg_sq_x",
    "max_exp_avg_sq_y",
)  # fmt: skip

_require = require


def check_common(p: Mapping[str, Any]) -> None:
    """PyTorch's constructor checks every one of the nine shares, as ConfigErrors naming the
    parameter (each module adds its own after these)."""
    _require(p["lr"] >= 0.0, "lr", f"must be >= 0, got {p['lr']!r}")
    if "weight_decay" in p:
        _require(
            p["weight_decay"] >= 0.0, "weight_decay", f"must be >= 0, got {p['weight_decay']!r}"
        )
    if "eps" in p:
        _require(p["eps"] >= 0.0, "eps", f"must be >= 0, got {p['eps']!r}")
    if "momentum" in p:
        _require(p["momentum"] >= 0.0, "momentum", f"must be >= 0, got {p['momentum']!r}")
    if "betas" in p:
        for index, beta in enumerate(p["betas"]):
            _require(0.0 <= beta < 1.0, f"betas[{index}]", f"must be in [0, 1), got {beta!r}")


def classic_hyper(hyper_names: tuple[str, ...], always_decoupled: bool = False):
    """``hyper(params)``: "beta2" is betas[1], "decoupled" 1.0 for AdamW (always) or the
    ``decoupled_weight_decay`` flag, every other name the parameter of that name."""

    def hyper(params: Mapping[str, Any]) -> list[float]:
        values = []
        for key in hyper_names:
            if key == "beta2":
                values.append(params["betas"][1])
            elif key == "decoupled":
                values.append(1.0 if always_decoupled else float(params["decoupled_weight_decay"]))
            else:
                values.append(float(params[key]))
        return values

    return hyper


def classic_spec(
    name, title, doc, params, momentum_kind, n_slots, hyper_names, checks=None, **more
) -> OptimizerSpec:
    """A torch.optim spec: ``maximize`` appended, the common checks unless ``checks``."""
    return OptimizerSpec(
        name,
        title,
        doc,
        (*params, MAXIMIZE),
        momentum_kind,
        n_slots,
        hyper_names,
        checks=checks or (lambda name, p: check_common(p)),
        hyper=classic_hyper(hyper_names, always_decoupled=name == "adamw"),
        source=SOURCE,
        **more,
    )


def adam_like(name: str, title: str, doc: str, lr: float, wd: float, extra=()) -> OptimizerSpec:
    """Adam and AdamW: the same parameters (AdamW's weight decay defaults to 1e-2)."""
    params = [
        _p("lr", "float", lr, LR_DOC),
        BETAS,
        EPS_ADAM,
        _p("weight_decay", "float", wd, WD_DOC),
        _p("amsgrad", "bool", False, "Use the running maximum of the second moment (AMSGrad)."),
        *extra,
    ]
    hyper = ("beta2", "eps", "weight_decay", "amsgrad", "decoupled")
    return classic_spec(
        name,
        title,
        doc,
        params,
        "beta1",
        6,
        hyper,
        state_names=ADAM_STATE_NAMES,
        hidden_state=lambda p: () if p["amsgrad"] else ("max_exp_avg_sq_x", "max_exp_avg_sq_y"),
    )


def add_weight_decay(grad, theta, p):
    return grad + p["weight_decay"] * theta if p["weight_decay"] != 0 else grad


def reference_moments(grad, state, beta1, beta2):
    exp_avg = state.get("exp_avg", np.zeros_like(grad))
    state["exp_avg"] = exp_avg + (1 - beta1) * (grad - exp_avg)
    state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
    return state["exp_avg"], state["exp_avg_sq"]


def reference_decay(theta, grad, lr, p, decoupled):
    """Decoupled decay shrinks theta; coupled decay adds to the gradient."""
    if p["weight_decay"] == 0:
        return theta, grad
    if decoupled:
        return theta * (1 - lr * p["weight_decay"]), grad
    return theta, grad + p["weight_decay"] * theta


def adam_effective(s, lr, mom, n, p):
    """lr / (sqrt(v_hat) + eps), v_hat = v / (1 - beta2^n): the Adam family's effective step."""
    v_hat = s[2:4] / (1.0 - p["betas"][1] ** n)
    return lr / (np.sqrt(v_hat) + p["eps"])


def adam_family_entry(spec: OptimizerSpec, update, constants, reference, **more) -> OptimizerEntry:
    """The entry of Adam, AdamW, NAdam or RAdam: the effective step lr / (sqrt(v_hat) + eps)
    per coordinate (``more``: Adam's split)."""
    return OptimizerEntry(
        spec,
        update,
        constants,
        reference,
        effective="lr / (sqrt(v_hat) + eps)",
        effective_step=adam_effective,
        adaptive=True,
        **more,
    )
