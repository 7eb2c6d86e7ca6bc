"""Optimizer declarations: PyTorch's names, defaults and checks, one table each.

``OptimizerSpec.hyper_vector`` packs the constant hyper-parameters into the
float64 array the kernels read; ``lr`` and the momentum (SGD/RMSprop
``momentum`` or the Adam family's ``betas[0]``) are not in it because
schedules may change them every step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import ParamSpec, resolve_params

LR_DOC = "Learning rate: the step size every update is multiplied by."
WD_DOC = "L2 penalty: weight_decay * theta is added to the gradient."


def _p(name: str, kind: str, default: Any, doc: str) -> ParamSpec:
    return ParamSpec(name, kind, default, doc)


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


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: its parameters, where its momentum lives and its state size."""

    name: str
    title: str
    doc: str
    params: tuple[ParamSpec, ...]
    momentum_kind: str | None  # "momentum", "beta1" or None
    n_slots: int  # per-particle float64 state slots the kernel uses
    hyper_names: tuple[str, ...]  # order of hyper_vector entries

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """All parameters with defaults filled, checked as PyTorch checks them."""
        params = resolve_params(self.params, given)
        _check(self.name, params)
        return params

    def base_momentum(self, params: Mapping[str, Any]) -> float:
        """The momentum (or beta1) the optimizer uses when no schedule cycles it."""
        if self.momentum_kind == "momentum":
            return float(params["momentum"])
        if self.momentum_kind == "beta1":
            return float(params["betas"][0])
        return 0.0

    def initial_slots(self, params: Mapping[str, Any]) -> np.ndarray:
        """Starting values of the per-particle state (zeros but where PyTorch differs)."""
        slots = np.zeros(self.n_slots, dtype=np.float64)
        if self.name == "adagrad":
            slots[:] = params["initial_accumulator_value"]
        elif self.name == "nadam":
            slots[4] = 1.0  # the running product of mu
        return slots

    def hyper_vector(self, params: Mapping[str, Any]) -> np.ndarray:
        """The constant hyper-parameters as float64, in ``hyper_names`` order."""
        values = []
        for name in self.hyper_names:
            if name == "beta2":
                values.append(params["betas"][1])
            elif name == "decoupled":
                values.append(
                    1.0 if self.name == "adamw" else float(params["decoupled_weight_decay"])
                )
            else:
                values.append(float(params[name]))
        return np.array(values, dtype=np.float64)


def _require(condition: bool, field: str, problem: str) -> None:
    if not condition:
        raise ConfigError(field, problem)


def _check(name: str, p: Mapping[str, Any]) -> None:
    """PyTorch's constructor checks, as ConfigErrors naming the parameter."""
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
    if name == "sgd" and p["nesterov"]:
        _require(
            p["momentum"] > 0 and p["dampening"] == 0,
            "nesterov",
            "requires momentum > 0 and dampening = 0",
        )
    if name == "adagrad":
        _require(p["lr_decay"] >= 0.0, "lr_decay", f"must be >= 0, got {p['lr_decay']!r}")
        _require(
            p["initial_accumulator_value"] >= 0.0,
            "initial_accumulator_value",
            f"must be >= 0, got {p['initial_accumulator_value']!r}",
        )
    if name == "adadelta":
        _require(0.0 <= p["rho"] <= 1.0, "rho", f"must be in [0, 1], got {p['rho']!r}")
    if name == "rmsprop":
        _require(p["alpha"] >= 0.0, "alpha", f"must be >= 0, got {p['alpha']!r}")
    if name == "nadam":
        _require(
            p["momentum_decay"] >= 0.0,
            "momentum_decay",
            f"must be >= 0, got {p['momentum_decay']!r}",
        )


def _spec(name, title, doc, params, momentum_kind, n_slots, hyper_names) -> OptimizerSpec:
    return OptimizerSpec(name, title, doc, tuple(params), momentum_kind, n_slots, hyper_names)


def _adam_like(name: str, title: str, doc: str, lr: float, wd: float, extra=()) -> OptimizerSpec:
    params = [
        _p("lr", "float", lr, LR_DOC),
        BETAS,
        EPS_ADAM,
        _p("weight_decay", "float", wd, WD_DOC),
        _p("amsgrad", "bool", False, "Use the running maximum of the second moment (AMSGrad)."),
        *extra,
    ]
    hyper = ("beta2", "eps", "weight_decay", "amsgrad", "decoupled")
    return _spec(name, title, doc, params, "beta1", 6, hyper)


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": _spec(
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
            _p(
                "dampening", "float", 0.0, "Scales the new gradient in the buffer by 1 - dampening."
            ),
            _p("weight_decay", "float", 0.0, WD_DOC),
            _p("nesterov", "bool", False, "Nesterov momentum: look ahead along the buffer."),
        ],
        "momentum",
        3,  # buffer x, y and a flag "buffer exists"
        ("dampening", "weight_decay", "nesterov"),
    ),
    "adagrad": _spec(
        "adagrad",
        "Adagrad",
        "s += g^2; theta -= lr / (1 + (n - 1) lr_decay) * g / (sqrt(s) + eps): every coordinate "
        "gets its own, ever smaller step.",
        [
            _p("lr", "float", 1e-2, LR_DOC),
            _p("lr_decay", "float", 0.0, "Inverse-time decay of the lr inside the optimizer."),
            _p("weight_decay", "float", 0.0, WD_DOC),
            _p(
                "initial_accumulator_value", "float", 0.0, "Starting value of the sum of squares s."
            ),
            _p("eps", "float", 1e-10, "Added to sqrt(s) for numerical stability."),
        ],
        None,
        2,
        ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    ),
    "adadelta": _spec(
        "adadelta",
        "Adadelta",
        "v = rho v + (1 - rho) g^2; delta = sqrt(u + eps) / sqrt(v + eps) g; u = rho u + (1 - "
        "rho) delta^2; theta -= lr * delta: units-correct steps without a hand-set scale.",
        [
            _p(
                "lr", "float", 1.0, "Multiplies the final delta (1.0 = the algorithm as published)."
            ),
            _p("rho", "float", 0.9, "Decay rate of both running averages."),
            _p("eps", "float", 1e-6, "Added inside both square roots."),
            _p("weight_decay", "float", 0.0, WD_DOC),
        ],
        None,
        4,
        ("rho", "eps", "weight_decay"),
    ),
    "rmsprop": _spec(
        "rmsprop",
        "RMSprop",
        "v = alpha v + (1 - alpha) g^2; theta -= lr * g / (sqrt(v) + eps) (centered subtracts "
        "the squared mean gradient; momentum accumulates g / (sqrt(v) + eps)).",
        [
            _p("lr", "float", 1e-2, LR_DOC),
            _p("alpha", "float", 0.99, "Decay rate of the running mean of squared gradients."),
            _p("eps", "float", 1e-8, "Added to sqrt(v) for numerical stability."),
            _p("weight_decay", "float", 0.0, WD_DOC),
            _p("momentum", "float", 0.0, "Momentum factor of the scaled step."),
            _p("centered", "bool", False, "Normalise by the estimated variance instead of v."),
        ],
        "momentum",
        6,
        ("alpha", "eps", "weight_decay", "centered"),
    ),
    "adam": _adam_like(
        "adam",
        "Adam",
        "m, v running means of g and g^2; theta -= lr / (1 - beta1^n) * m / (sqrt(v) / "
        "sqrt(1 - beta2^n) + eps).",
        1e-3,
        0.0,
        (DECOUPLED,),
    ),
    "adamw": _adam_like(
        "adamw",
        "AdamW",
        "Adam with decoupled weight decay: theta *= 1 - lr * weight_decay before the Adam step.",
        1e-3,
        1e-2,
    ),
    "nadam": _spec(
        "nadam",
        "NAdam",
        "Adam with Nesterov momentum and a momentum schedule mu_n = beta1 (1 - 0.5 * "
        "0.96^(n psi)).",
        [
            _p("lr", "float", 2e-3, LR_DOC),
            BETAS,
            EPS_ADAM,
            _p("weight_decay", "float", 0.0, WD_DOC),
            _p("momentum_decay", "float", 4e-3, "psi in the momentum schedule."),
            DECOUPLED,
        ],
        "beta1",
        5,  # m, v (x, y) and the running product of mu
        ("beta2", "eps", "weight_decay", "momentum_decay", "decoupled"),
    ),
    "radam": _spec(
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
    ),
    "adamax": _spec(
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
    ),
}


def get_optimizer(name: Any) -> OptimizerSpec:
    """The spec called ``name``, or a ConfigError on ``name`` listing the choices."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ConfigError(
            "name", f"unknown optimizer {name!r} (expected one of: {', '.join(OPTIMIZERS)})"
        )
    return OPTIMIZERS[name]
