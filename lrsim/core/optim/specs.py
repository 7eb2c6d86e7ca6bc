"""Optimizer declarations: the sources' names, defaults and checks, one table each.

The classic nine (torch.optim) are declared here; each later optimizer lives in
its own module beside them (``lion.py``, ``rprop.py``, ...) and is added to
``OPTIMIZERS`` below. ``OptimizerSpec`` is in ``base.py``; the kernel rule,
constants and reference of every id are joined to its spec in ``registry.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrsim.core.errors import ConfigError
from lrsim.core.optim import adafactor, asgd, lbfgs, lion, prodigy, rprop, schedulefree
from lrsim.core.optim.base import LR_DOC, MAXIMIZE, WD_DOC, OptimizerSpec, require
from lrsim.core.optim.base import param as _p

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


_require = require


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


def _classic_hyper(name: str, hyper_names: tuple[str, ...]):
    def hyper(params: Mapping[str, Any]) -> list[float]:
        values = []
        for key in hyper_names:
            if key == "beta2":
                values.append(params["betas"][1])
            elif key == "decoupled":
                values.append(1.0 if name == "adamw" else float(params["decoupled_weight_decay"]))
            else:
                values.append(float(params[key]))
        return values

    return hyper


_CLASSIC_INITIAL = {
    "adagrad": lambda p: [p["initial_accumulator_value"]] * 2,
    "nadam": lambda p: [0.0, 0.0, 0.0, 0.0, 1.0],  # the running product of mu starts at 1
}
_CLASSIC_STATE_NAMES = {
    "sgd": ("momentum_buffer_x", "momentum_buffer_y", "_buffer_exists"),
    "adagrad": ("sum_x", "sum_y"),
    "adadelta": ("square_avg_x", "square_avg_y", "acc_delta_x", "acc_delta_y"),
    "rmsprop": (
        "square_avg_x",
        "square_avg_y",
        "grad_avg_x",
        "grad_avg_y",
        "momentum_buffer_x",
        "momentum_buffer_y",
    ),  # fmt: skip
    "adam": (
        "exp_avg_x",
        "exp_avg_y",
        "exp_avg_sq_x",
        "exp_avg_sq_y",
        "max_exp_avg_sq_x",
        "max_exp_avg_sq_y",
    ),  # fmt: skip
    "nadam": ("exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y", "mu_product"),
    "radam": ("exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y"),
    "adamax": ("exp_avg_x", "exp_avg_y", "exp_inf_x", "exp_inf_y"),
}
_CLASSIC_STATE_NAMES["adamw"] = _CLASSIC_STATE_NAMES["adam"]
_XY = ("_x", "_y")
# state torch only creates for some parameters (read at the first update)
_CLASSIC_HIDDEN = {
    "rmsprop": lambda p: tuple(
        f"{key}{axis}"
        for key, absent in (
            ("grad_avg", not p["centered"]),
            ("momentum_buffer", p["momentum"] <= 0),
        )
        if absent
        for axis in _XY
    ),
    "adam": lambda p: () if p["amsgrad"] else ("max_exp_avg_sq_x", "max_exp_avg_sq_y"),
}
_CLASSIC_HIDDEN["adamw"] = _CLASSIC_HIDDEN["adam"]


def _spec(name, title, doc, params, momentum_kind, n_slots, hyper_names) -> OptimizerSpec:
    return OptimizerSpec(
        name,
        title,
        doc,
        (*params, MAXIMIZE),
        momentum_kind,
        n_slots,
        hyper_names,
        checks=_check,
        hyper=_classic_hyper(name, hyper_names),
        initial=_CLASSIC_INITIAL.get(name),
        state_names=_CLASSIC_STATE_NAMES[name],
        source="torch.optim 2.13",
        hidden_state=_CLASSIC_HIDDEN.get(name),
    )


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

# Beyond the classic nine: each in its own module (spec, rule, constants, reference).
for _spec_of_module in (
    lion.SPEC, rprop.SPEC, asgd.SPEC, adafactor.SPEC, schedulefree.ADAMW, schedulefree.SGD,
    prodigy.SPEC, lbfgs.SPEC,
):  # fmt: skip
    OPTIMIZERS[_spec_of_module.name] = _spec_of_module


def get_optimizer(name: Any) -> OptimizerSpec:
    """The spec called ``name``, or a ConfigError on ``name`` listing the choices."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ConfigError(
            "name", f"unknown optimizer {name!r} (expected one of: {', '.join(OPTIMIZERS)})"
        )
    return OPTIMIZERS[name]
