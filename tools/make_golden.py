"""Golden trajectories for lrsim, computed with real torch.optim (an independent harness).

Reads every run file ``tests/golden/cases/<case>.toml`` (the format of
``shared/spec/run-config.md``: explicit ``[particles] points`` only, no ``[noise]``)
and writes

* ``tests/golden/expected/<case>.csv``: the contract's trajectory CSV
  (``run,label,particle,step,x,y,loss,lr,momentum``; one row per
  (run, particle, step), ordered by run, particle, step; floats written with
  Python ``repr``), and
* ``tests/golden/expected/<case>.meta.json``: torch version, the exact torch
  constructor calls, per-particle divergence steps and final states, and
  decision margins (ReduceLROnPlateau, divergence bound) useful when a case fails.

The loop is REFERENCE.md section 0.1, per particle::

    torch.set_default_dtype(torch.float64)
    opt = Optim([theta], foreach=False, **hyper); sched = Scheduler(opt, ...)
    for t in 0..steps:
        record(t, theta, f(theta), group["lr"], momentum or betas[0])
        if t == steps: break
        f(theta).backward(); opt.step()
        sched.step()          # ReduceLROnPlateau: sched.step(f(theta_{t+1}))

Divergence (run-config.md): when x, y or the loss becomes non-finite or exceeds
1e12 in magnitude, the particle stays at its last position within bounds (its x,
y and loss are repeated); the optimizer is not stepped again, while the
scheduler keeps stepping so ``lr``/``momentum`` keep following the schedule.
A ReduceLROnPlateau run that diverges is refused (the contract does not say
what that schedule observes after divergence).

Schedules lrsim defines beyond torch are torch schedulers with closed forms:
``exponential`` with ``k`` -> LambdaLR(exp(-k t)); ``inverse_time`` -> LambdaLR
(Keras InverseTimeDecay); ``warmup`` -> SequentialLR([LambdaLR ramp, <then>],
milestones=[warmup_steps]) (LambdaLR because LinearLR forbids start_factor 0);
``cyclic`` with ``window`` welch/hann -> LambdaLR over the CyclicLR height with
the window applied to h (momentum/beta1 cycled the same way CyclicLR does).

The torch environment (a local CPU wheel; torch is NOT a project dependency)::

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tools/make_golden.py            # all cases
    /tmp/torchvenv/bin/python tools/make_golden.py CASE ...   # some cases
    /tmp/torchvenv/bin/python tools/make_golden.py --check    # committed files up to date?
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import json
import math
import os
import platform
import sys
import tomllib
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from golden_optimizers import EXTRA_OPTIMIZERS, build_extra_optimizer, step_optimizer

REPO = Path(__file__).resolve().parent.parent
CASES_DIR = REPO / "tests" / "golden" / "cases"
EXPECTED_DIR = REPO / "tests" / "golden" / "expected"

COLUMNS = ("run", "label", "particle", "step", "x", "y", "loss", "lr", "momentum")
BOUND = 1e12  # run-config.md: |x|, |y| or |loss| above this (or non-finite) = diverged
ATOL, RTOL = 1e-12, 1e-9  # REFERENCE.md 0.4 conformance rule

torch.set_default_dtype(torch.float64)


class CaseError(ValueError):
    """A case file the harness cannot (or will not) turn into a golden trajectory."""


# --------------------------------------------------------------------------------------------
# Surfaces: REFERENCE.md section 3, written as torch expressions in the order given there.
# --------------------------------------------------------------------------------------------

PI = math.pi


def _quadratic(x, y, p):
    return 0.5 * (p["a"] * x**2 + p["b"] * y**2)


def _saddle(x, y, p):
    return x**2 - y**2


def _rosenbrock(x, y, p):
    return (p["a"] - x) ** 2 + p["b"] * (y - x**2) ** 2


def _himmelblau(x, y, p):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _rastrigin(x, y, p):
    a = p["A"]
    return 2 * a + (x**2 - a * torch.cos(2 * PI * x)) + (y**2 - a * torch.cos(2 * PI * y))


def _ackley(x, y, p):
    r = torch.sqrt(0.5 * (x**2 + y**2))
    return (
        -20 * torch.exp(-0.2 * r)
        - torch.exp(0.5 * (torch.cos(2 * PI * x) + torch.cos(2 * PI * y)))
        + math.e
        + 20
    )


def _beale(x, y, p):
    a1 = 1.5 - x + x * y
    a2 = 2.25 - x + x * y**2
    a3 = 2.625 - x + x * y**3
    return a1**2 + a2**2 + a3**2


def _booth(x, y, p):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _matyas(x, y, p):
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def _goldstein_price(x, y, p):
    s = x + y + 1
    pp = 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    a = 1 + s**2 * pp
    d = 2 * x - 3 * y
    q = 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    b = 30 + d**2 * q
    return a * b


def _three_hump_camel(x, y, p):
    return 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2


def _six_hump_camel(x, y, p):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _styblinski_tang(x, y, p):
    return 0.5 * ((x**4 - 16 * x**2 + 5 * x) + (y**4 - 16 * y**2 + 5 * y))


def _levi13(x, y, p):
    return (
        torch.sin(3 * PI * x) ** 2
        + (x - 1) ** 2 * (1 + torch.sin(3 * PI * y) ** 2)
        + (y - 1) ** 2 * (1 + torch.sin(2 * PI * y) ** 2)
    )


def _easom(x, y, p):
    e = torch.exp(-((x - PI) ** 2 + (y - PI) ** 2))
    return -torch.cos(x) * torch.cos(y) * e


def _two_basin(x, y, p):
    g = torch.exp(-((x - p["x0"]) ** 2 + (y - p["y0"]) ** 2) / (2 * p["s"] ** 2))
    return p["c"] * (x**2 + y**2) - p["A"] * g


# name -> (default parameters, expression)
SURFACES: dict[str, tuple[dict[str, float], Callable]] = {
    "quadratic": ({"a": 1.0, "b": 1.0}, _quadratic),
    "ill_conditioned": ({"a": 1.0, "b": 20.0}, _quadratic),
    "saddle": ({}, _saddle),
    "rosenbrock": ({"a": 1.0, "b": 100.0}, _rosenbrock),
    "himmelblau": ({}, _himmelblau),
    "rastrigin": ({"A": 10.0}, _rastrigin),
    "ackley": ({}, _ackley),
    "beale": ({}, _beale),
    "booth": ({}, _booth),
    "matyas": ({}, _matyas),
    "goldstein_price": ({}, _goldstein_price),
    "three_hump_camel": ({}, _three_hump_camel),
    "six_hump_camel": ({}, _six_hump_camel),
    "styblinski_tang": ({}, _styblinski_tang),
    "levi13": ({}, _levi13),
    "easom": ({}, _easom),
    "two_basin": ({"c": 0.1, "A": 0.6, "s": 0.35, "x0": 2.0, "y0": 2.0}, _two_basin),
}

# A formula surface (run-config.md: "a formula in x and y") through a tiny AST evaluator:
# numbers, x, y, pi, e, + - * / **, unary minus and these functions.
_FORMULA_FUNCS = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
}
_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _formula_surface(text: str) -> Callable:
    tree = ast.parse(text, mode="eval")

    def ev(node, x, y):
        if isinstance(node, ast.Expression):
            return ev(node.body, x, y)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            names = {"x": x, "y": y, "pi": math.pi, "e": math.e}
            if node.id in names:
                return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left, x, y), ev(node.right, x, y))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = ev(node.operand, x, y)
            return -v if isinstance(node.op, ast.USub) else v
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FORMULA_FUNCS
            and len(node.args) == 1
            and not node.keywords
        ):
            arg = ev(node.args[0], x, y)
            if not isinstance(arg, torch.Tensor):
                arg = torch.tensor(arg)
            return _FORMULA_FUNCS[node.func.id](arg)
        raise CaseError(f"surface.formula: unsupported syntax {ast.dump(node)[:60]}")

    def f(x, y, p):
        return ev(tree, x, y)

    return f


def surface_function(surface: Mapping[str, Any]) -> tuple[Callable, dict[str, float], str]:
    """(f(x, y) -> 0-d tensor, resolved parameters, description) of a run file's [surface]."""
    if "rotate" in surface:
        return rotated_surface_function(surface)
    extra = set(surface) - {"name", "formula", "params", "domain"}
    if extra:
        raise CaseError(f"surface: unknown keys {sorted(extra)}")
    if "formula" in surface:
        if "name" in surface or surface.get("params"):
            raise CaseError("surface: give either name or formula (formula takes no params)")
        fn = _formula_surface(surface["formula"])
        return (lambda x, y: fn(x, y, {})), {}, f"formula: {surface['formula']}"
    name = surface.get("name")
    if name not in SURFACES:
        raise CaseError(f"surface.name: unknown surface {name!r}")
    defaults, fn = SURFACES[name]
    overrides = dict(surface.get("params", {}))
    unknown = set(overrides) - set(defaults)
    if unknown:
        raise CaseError(f"surface.params: {name} has no parameters {sorted(unknown)}")
    params = {**defaults, **{k: float(v) for k, v in overrides.items()}}
    return (lambda x, y: fn(x, y, params)), params, name


def rotation_cos_sin(degrees: float) -> tuple[float, float]:
    """(cos, sin) of a ``rotate`` angle as run-config.md's rotated surfaces use them: the
    angle reduced to [0, 360), exact 0 / 1 / -1 at multiples of 90, else math.cos / sin
    of math.radians (the same doubles lrsim multiplies by)."""
    turned = math.fmod(float(degrees), 360.0)
    if turned < 0.0:
        turned += 360.0
    exact = {0.0: (1.0, 0.0), 90.0: (0.0, 1.0), 180.0: (-1.0, 0.0), 270.0: (0.0, -1.0)}
    if turned in exact:
        return exact[turned]
    return math.cos(math.radians(turned)), math.sin(math.radians(turned))


def rotated_surface_function(surface: Mapping[str, Any]) -> tuple[Callable, dict, str]:
    """``[surface] rotate = DEGREES``: f_rot(x, y) = f(c x + s y, c y - s x) (f(R^-1 p));
    torch autograd differentiates through the rotation (gradient R grad f(R^-1 p))."""
    degrees = surface["rotate"]
    if isinstance(degrees, bool) or not isinstance(degrees, int | float):
        raise CaseError(f"surface.rotate: must be a number, got {degrees!r}")
    base, params, desc = surface_function({k: v for k, v in surface.items() if k != "rotate"})
    c, s = rotation_cos_sin(degrees)
    if c == 1.0 and s == 0.0:
        return base, params, desc

    def f(x, y):
        return base(c * x + s * y, c * y - s * x)

    return f, params, f"{desc}, rotated {float(degrees)!r} degrees"


# --------------------------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------------------------

OPTIMIZERS = {
    "sgd": (torch.optim.SGD, "momentum"),
    "adagrad": (torch.optim.Adagrad, None),
    "adadelta": (torch.optim.Adadelta, None),
    "rmsprop": (torch.optim.RMSprop, "momentum"),
    "adam": (torch.optim.Adam, "beta1"),
    "adamw": (torch.optim.AdamW, "beta1"),
    "nadam": (torch.optim.NAdam, "beta1"),
    "radam": (torch.optim.RAdam, "beta1"),
    "adamax": (torch.optim.Adamax, "beta1"),
}


def build_optimizer(config: Mapping[str, Any], param: torch.Tensor):
    """(optimizer, momentum kind, description) for a run's ``optimizer`` table."""
    name = config.get("name")
    if name in EXTRA_OPTIMIZERS:  # the second release's optimizers: tools/golden_optimizers.py
        return build_extra_optimizer(config, param)
    if name not in OPTIMIZERS:
        raise CaseError(f"optimizer.name: unknown optimizer {name!r}")
    cls, kind = OPTIMIZERS[name]
    kwargs = {k: v for k, v in config.items() if k != "name"}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(float(b) for b in kwargs["betas"])
    for key in ("foreach", "fused", "capturable", "differentiable"):
        if key in kwargs:
            raise CaseError(f"optimizer.{key}: not a run-file parameter")
    opt = cls([param], foreach=False, **kwargs)
    desc = {"class": f"torch.optim.{cls.__name__}", "kwargs": {**kwargs, "foreach": False}}
    return opt, kind, desc


def current_momentum(opt, kind: str | None) -> float:
    """The value the contract's ``momentum`` column holds, read from the param group."""
    group = opt.param_groups[0]
    if kind == "momentum":
        return float(group["momentum"])
    if kind == "beta1":
        return float(group["betas"][0])
    return 0.0


# --------------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------------

lrs = torch.optim.lr_scheduler


def _window(name: str) -> Callable[[float], float]:
    if name == "welch":
        return lambda h: 1.0 - (1.0 - h) ** 2
    if name == "hann":
        return lambda h: (1.0 - math.cos(math.pi * h)) / 2.0
    raise CaseError(f"schedule.window: unknown window {name!r}")


class WindowCyclicLR(lrs.LambdaLR):
    """CyclicLR with a CLR-paper window (run-config.md): the window w(h) replaces the
    triangle height h everywhere, in the lr and in the momentum/beta1 cycling.

    A LambdaLR over a closed form (REFERENCE 1.9): the optimizer's lr is set to base_lr,
    and lambda(t) = lr(t) / base_lr. Momentum is written into the param group by get_lr,
    as CyclicLR does (max_momentum at t = 0)."""

    def __init__(
        self,
        optimizer,
        base_lr: float,
        max_lr: float,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        window: str = "welch",
    ) -> None:
        if not base_lr > 0:
            raise CaseError("schedule.base_lr: the LambdaLR form needs base_lr > 0")
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise CaseError(f"schedule.mode: unknown mode {mode!r}")
        self.clr_base, self.clr_max = float(base_lr), float(max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma = mode, gamma
        self.w = _window(window)
        self.cycle_momentum = cycle_momentum
        self.use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum and "momentum" not in optimizer.defaults and not self.use_beta1:
            raise CaseError("optimizer must support momentum or beta1 with cycle_momentum")
        self.m_base, self.m_max = float(base_momentum), float(max_momentum)
        for group in optimizer.param_groups:
            group["lr"] = self.clr_base
        super().__init__(optimizer, lambda t: self.value(t)[0] / self.clr_base)

    def value(self, t: int) -> tuple[float, float]:
        """(lr, momentum) at t, CyclicLR's formula with h replaced by w(h)."""
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            h = x / self.step_ratio
        else:
            h = (x - 1) / (self.step_ratio - 1)
        if self.mode == "triangular":
            amp = 1.0
        elif self.mode == "triangular2":
            amp = 1 / (2.0 ** (cycle - 1))
        else:
            amp = self.gamma**t
        w = self.w(h)
        lr = self.clr_base + (self.clr_max - self.clr_base) * w * amp
        mom = self.m_max - (self.m_max - self.m_base) * w * amp
        return lr, mom

    def get_lr(self):
        values = super().get_lr()
        if self.cycle_momentum:
            mom = self.value(self.last_epoch)[1]
            for group in self.optimizer.param_groups:
                if self.use_beta1:
                    group["betas"] = (mom, *group["betas"][1:])
                else:
                    group["momentum"] = mom
        return values


_ALLOWED = {
    "constant": set(),
    "linear": {"start_factor", "end_factor", "total_iters"},
    "step": {"step_size", "gamma"},
    "multistep": {"milestones", "gamma"},
    "exponential": {"gamma", "k"},
    "cosine": {"T_max", "eta_min"},
    "cosine_restarts": {"T_0", "T_mult", "eta_min"},
    "cyclic": {
        "base_lr",
        "max_lr",
        "step_size_up",
        "step_size_down",
        "mode",
        "gamma",
        "cycle_momentum",
        "base_momentum",
        "max_momentum",
        "window",
    },
    "onecycle": {
        "max_lr",
        "total_steps",
        "epochs",
        "steps_per_epoch",
        "pct_start",
        "anneal_strategy",
        "cycle_momentum",
        "base_momentum",
        "max_momentum",
        "div_factor",
        "final_div_factor",
        "three_phase",
    },
    "polynomial": {"total_iters", "power"},
    "plateau": {
        "mode",
        "factor",
        "patience",
        "threshold",
        "threshold_mode",
        "cooldown",
        "min_lr",
        "eps",
    },
    "inverse_time": {"decay_rate", "decay_steps", "staircase"},
    "warmup": {"warmup_steps", "start_factor", "then"},
}
# schedules allowed as a warmup's `then` (SequentialLR can hold them; no run-steps defaults)
_THEN_OK = {
    "constant",
    "linear",
    "step",
    "multistep",
    "exponential",
    "cosine",
    "cosine_restarts",
    "polynomial",
    "inverse_time",
}


def build_schedule(opt, config: Mapping[str, Any], steps: int, *, nested: bool = False):
    """(scheduler, is_plateau, description) for a run's ``schedule`` table."""
    name = config.get("name")
    if name not in _ALLOWED:
        raise CaseError(f"schedule.name: unknown schedule {name!r}")
    if nested and name not in _THEN_OK:
        raise CaseError(f"schedule.then: {name!r} is not supported after a warmup here")
    kw = {k: v for k, v in config.items() if k != "name"}
    unknown = set(kw) - _ALLOWED[name]
    if unknown:
        raise CaseError(f"schedule: {name} has no parameters {sorted(unknown)}")

    def desc(cls_name, **kwargs):
        return {"class": cls_name, "kwargs": kwargs}

    if name in SECOND_RELEASE or (name == "constant" and kw):
        return build_second_release_schedule(opt, name, kw, steps, nested=nested)

    if name == "constant":
        return lrs.LambdaLR(opt, lambda t: 1.0), False, desc("LambdaLR", lr_lambda="1.0")
    if name == "linear":
        return lrs.LinearLR(opt, **kw), False, desc("LinearLR", **kw)
    if name == "step":
        return lrs.StepLR(opt, **kw), False, desc("StepLR", **kw)
    if name == "multistep":
        return lrs.MultiStepLR(opt, **kw), False, desc("MultiStepLR", **kw)
    if name == "exponential":
        if ("gamma" in kw) == ("k" in kw):
            raise CaseError("schedule: exponential takes exactly one of gamma, k")
        if "gamma" in kw:
            return lrs.ExponentialLR(opt, **kw), False, desc("ExponentialLR", **kw)
        k = float(kw["k"])
        sched = lrs.LambdaLR(opt, lambda t: math.exp(-k * t))
        return sched, False, desc("LambdaLR", lr_lambda=f"exp(-{k!r} * t)")
    if name == "cosine":
        if "T_max" not in kw:
            if nested:
                raise CaseError("schedule.then.T_max: give it explicitly after a warmup")
            kw["T_max"] = steps
        return lrs.CosineAnnealingLR(opt, **kw), False, desc("CosineAnnealingLR", **kw)
    if name == "cosine_restarts":
        sched = lrs.CosineAnnealingWarmRestarts(opt, **kw)
        return sched, False, desc("CosineAnnealingWarmRestarts", **kw)
    if name == "cyclic":
        window = kw.pop("window", "triangle")
        if window == "triangle":
            return lrs.CyclicLR(opt, **kw), False, desc("CyclicLR", **kw)
        sched = WindowCyclicLR(opt, window=window, **kw)
        return (
            sched,
            False,
            desc("LambdaLR (CyclicLR height through a window)", window=window, **kw),
        )
    if name == "onecycle":
        if "total_steps" not in kw and "epochs" not in kw:
            kw["total_steps"] = steps
        if "pct_start" in kw:
            kw["pct_start"] = float(kw["pct_start"])
        return lrs.OneCycleLR(opt, **kw), False, desc("OneCycleLR", **kw)
    if name == "polynomial":
        return lrs.PolynomialLR(opt, **kw), False, desc("PolynomialLR", **kw)
    if name == "plateau":
        return lrs.ReduceLROnPlateau(opt, **kw), True, desc("ReduceLROnPlateau", **kw)
    if name == "inverse_time":
        if "decay_rate" not in kw:
            raise CaseError("schedule.decay_rate: required for inverse_time")
        rate = float(kw["decay_rate"])
        dsteps = kw.get("decay_steps", 1)
        staircase = bool(kw.get("staircase", False))
        if staircase:
            lam = lambda t: 1.0 / (1 + rate * math.floor(t / dsteps))  # noqa: E731
            text = f"1 / (1 + {rate!r} * floor(t / {dsteps!r}))"
        else:
            lam = lambda t: 1.0 / (1 + rate * t / dsteps)  # noqa: E731
            text = f"1 / (1 + {rate!r} * t / {dsteps!r})"
        return lrs.LambdaLR(opt, lam), False, desc("LambdaLR", lr_lambda=text)
    if name == "warmup":
        if "warmup_steps" not in kw:
            raise CaseError("schedule.warmup_steps: required for warmup")
        w = int(kw["warmup_steps"])
        s = float(kw.get("start_factor", 0.0))
        if w < 1:
            raise CaseError("schedule.warmup_steps: must be >= 1 (SequentialLR milestone 0)")
        ramp = lrs.LambdaLR(opt, lambda t: s + (1 - s) * t / w)
        then_cfg = kw.get("then", {"name": "constant"})
        then, _, then_desc = build_schedule(opt, then_cfg, steps, nested=True)
        sched = lrs.SequentialLR(opt, [ramp, then], milestones=[w])
        ramp_desc = desc("LambdaLR", lr_lambda=f"{s!r} + (1 - {s!r}) * t / {w}")
        return (
            sched,
            False,
            {"class": "SequentialLR", "schedulers": [ramp_desc, then_desc], "milestones": [w]},
        )
    raise AssertionError(name)


# --------------------------------------------------------------------------------------------
# Second-release schedules (run-config.md "Additions for the second release")
# --------------------------------------------------------------------------------------------

SECOND_RELEASE = {
    "wsd": {
        "num_warmup_steps",
        "num_decay_steps",
        "num_training_steps",
        "num_stable_steps",
        "warmup_type",
        "decay_type",
        "min_lr_ratio",
        "num_cycles",
    },
    "inverse_sqrt": {"num_warmup_steps", "timescale"},
    "warmup_cosine": {
        "num_warmup_steps",
        "num_training_steps",
        "num_cycles",
        "min_lr",
        "min_lr_rate",
    },
    "rex": {"total_steps", "eta_min"},
    "sequential": {"schedules", "milestones"},
}
_ALLOWED.update(SECOND_RELEASE)
_ALLOWED["constant"] = {"factor", "total_iters"}  # ConstantLR (lrsim's default factor is 1.0)
_THEN_OK.update(SECOND_RELEASE)
_OWN_LR = {"cyclic", "onecycle"}


class RexLR(lrs.LRScheduler):
    """REX (Chen et al. 2021) from its formula: eta_min + (lr0 - eta_min) (1 - z) / (1 - z / 2),
    z = t / total_steps, eta_min from total_steps on. Closed form, also at a milestone."""

    def __init__(self, optimizer, total_steps: int, eta_min: float = 0.0) -> None:
        self.total_steps, self.eta_min = int(total_steps), float(eta_min)
        super().__init__(optimizer)

    def get_lr(self):
        t, total, low = self.last_epoch, self.total_steps, self.eta_min
        if t >= total:
            return [low for _ in self.base_lrs]
        z = t / total
        return [low + (base - low) * (1 - z) / (1 - z / 2) for base in self.base_lrs]

    _get_closed_form_lr = get_lr


def _run_steps_default(kw: dict, key: str, steps: int, nested: bool, name: str) -> None:
    if key not in kw:
        if nested:
            raise CaseError(f"schedule.{name}.{key}: give it explicitly inside another schedule")
        kw[key] = steps


def build_second_release_schedule(opt, name: str, kw: dict, steps: int, *, nested: bool):
    """(scheduler, False, description): transformers' factories on the torch optimizer exactly
    as transformers builds them (LambdaLR), ConstantLR and SequentialLR from torch, REX by its
    formula."""
    from transformers import optimization as hf

    def desc(cls_name, **kwargs):
        return {"class": cls_name, "kwargs": kwargs}

    if name == "constant":
        kw = {"factor": 1.0, "total_iters": 5, **kw}
        return lrs.ConstantLR(opt, **kw), False, desc("ConstantLR", **kw)
    if name == "wsd":
        _run_steps_default(kw, "num_training_steps", steps, nested, name)
        if "num_stable_steps" in kw:
            kw.pop("num_training_steps")  # transformers warns and uses num_stable_steps
        sched = hf.get_wsd_schedule(opt, **kw)
        return sched, False, desc("transformers get_wsd_schedule -> LambdaLR", **kw)
    if name == "inverse_sqrt":
        sched = hf.get_inverse_sqrt_schedule(opt, **kw)
        return sched, False, desc("transformers get_inverse_sqrt_schedule -> LambdaLR", **kw)
    if name == "warmup_cosine":
        _run_steps_default(kw, "num_training_steps", steps, nested, name)
        if "min_lr" not in kw and "min_lr_rate" not in kw:
            kw["min_lr_rate"] = 0.0  # run-config.md: neither means 0
        sched = hf.get_cosine_with_min_lr_schedule_with_warmup(opt, **kw)
        text = "transformers get_cosine_with_min_lr_schedule_with_warmup -> LambdaLR"
        return sched, False, desc(text, **kw)
    if name == "rex":
        _run_steps_default(kw, "total_steps", steps, nested, name)
        return RexLR(opt, **kw), False, desc("RexLR (the REX formula)", **kw)
    if name == "sequential":
        children, milestones = kw["schedules"], list(kw.get("milestones", []))
        if nested:
            raise CaseError("schedule.sequential: torch cannot switch a SequentialLR in")
        own = [i for i, child in enumerate(children) if child.get("name") in _OWN_LR]
        # Children that scale the optimizer's lr are built first, so their base_lrs (and
        # group["initial_lr"]) are the optimizer's lr; CyclicLR / OneCycleLR after them.
        order = [i for i in range(len(children)) if i not in own] + own
        built: dict[int, Any] = {}
        descs: dict[int, Any] = {}
        for i in order:
            if i in own and children[i]["name"] == "onecycle" and "total_steps" not in children[i]:
                raise CaseError("schedule.sequential: give a child onecycle's total_steps")
            built[i], _, descs[i] = build_schedule(opt, children[i], steps, nested=i not in own)
        if any(children[i]["name"] == "onecycle" for i in own) and any(
            not isinstance(built[i], lrs.LambdaLR | RexLR) for i in built if i not in own
        ):
            raise CaseError(
                "schedule.sequential: OneCycleLR overwrites group['initial_lr'], which a "
                "recursive torch scheduler beside it would start from; use LambdaLR children"
            )
        sched = lrs.SequentialLR(opt, [built[i] for i in range(len(children))], milestones)
        return (
            sched,
            False,
            {
                "class": "SequentialLR",
                "schedulers": [descs[i] for i in range(len(children))],
                "milestones": milestones,
                "construction_order": order,
            },
        )
    raise AssertionError(name)


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


def _in_bounds(*values: float) -> bool:
    return all(math.isfinite(v) and abs(v) <= BOUND for v in values)


def simulate(
    f: Callable,
    start: tuple[float, float],
    optimizer: Mapping[str, Any],
    schedule: Mapping[str, Any],
    steps: int,
) -> tuple[list[tuple[float, float, float, float, float]], dict[str, Any]]:
    """One particle of one run: rows (x, y, loss, lr, momentum) for t = 0..steps, and info."""
    param = torch.tensor([float(start[0]), float(start[1])], requires_grad=True)
    opt, kind, opt_desc = build_optimizer(optimizer, param)
    sched, is_plateau, sched_desc = build_schedule(opt, schedule, steps)

    def loss_of() -> torch.Tensor:
        return f(param[0], param[1])

    loss = loss_of()
    x, y, fval = float(param[0]), float(param[1]), float(loss)
    if not _in_bounds(x, y, fval):
        raise CaseError(f"start {start}: x, y or loss out of bounds ({x}, {y}, {fval})")
    rows = []
    frozen: tuple[float, float, float] | None = None
    diverged_step = -1
    plateau_margin = math.inf
    bound_margin = math.inf
    lr_reductions = 0
    for t in range(steps + 1):
        group = opt.param_groups[0]
        state = frozen if frozen is not None else (x, y, fval)
        rows.append((*state, float(group["lr"]), current_momentum(opt, kind)))
        if t == steps:
            break
        if frozen is None:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            step_optimizer(opt, loss_of)  # opt.step(); L-BFGS: opt.step(closure)
            loss = loss_of()
            nx, ny, nf = float(param[0]), float(param[1]), float(loss)
            finite = [abs(v) for v in (nx, ny, nf) if math.isfinite(v)]
            if finite:
                m = max(finite)
                if m > 0:
                    bound_margin = min(bound_margin, abs(math.log10(m / BOUND)))
            if _in_bounds(nx, ny, nf):
                x, y, fval = nx, ny, nf
            else:
                frozen = (x, y, fval)
                diverged_step = t + 1
        if is_plateau:
            if frozen is not None:
                raise CaseError("a plateau run diverged: the contract leaves its lr undefined")
            before = float(opt.param_groups[0]["lr"])
            if math.isfinite(sched.best):
                if sched.threshold_mode == "rel":
                    factor = 1 - sched.threshold if sched.mode == "min" else 1 + sched.threshold
                    edge = sched.best * factor
                else:
                    sign = -1 if sched.mode == "min" else 1
                    edge = sched.best + sign * sched.threshold
                scale = max(abs(fval), abs(edge), 1e-300)
                plateau_margin = min(plateau_margin, abs(fval - edge) / scale)
            sched.step(fval)
            if float(opt.param_groups[0]["lr"]) != before:
                lr_reductions += 1
        else:
            sched.step()
    info: dict[str, Any] = {
        "optimizer": opt_desc,
        "schedule": sched_desc,
        "diverged_step": diverged_step,
        "divergence_bound_margin_decades": bound_margin if math.isfinite(bound_margin) else None,
    }
    if is_plateau:
        info["plateau_lr_reductions"] = lr_reductions
        info["plateau_min_decision_margin_rel"] = (
            plateau_margin if math.isfinite(plateau_margin) else None
        )
    return rows, info


def load_case(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        case = tomllib.load(fh)
    extra = set(case) - {"title", "description", "steps", "surface", "particles", "noise", "runs"}
    if extra:
        raise CaseError(f"{path.name}: unknown top-level keys {sorted(extra)}")
    if case.get("noise"):
        sigma = case["noise"].get("sigma", 0.0)
        if sigma != 0:
            raise CaseError(f"{path.name}: golden cases have no noise")
    particles = case.get("particles", {})
    if set(particles) != {"points"}:
        raise CaseError(f"{path.name}: golden cases use explicit [particles] points only")
    steps = case.get("steps")
    if not isinstance(steps, int) or steps < 1:
        raise CaseError(f"{path.name}: steps must be a positive integer")
    if not case.get("runs"):
        raise CaseError(f"{path.name}: no [[runs]]")
    return case


def run_case(
    case: Mapping[str, Any],
    perturb: Callable[[int, tuple[float, float]], tuple[float, float]] | None = None,
    scale: float | None = None,
) -> tuple[list[tuple], list[dict[str, Any]]]:
    """All CSV rows of a case (ordered run, particle, step) and per-run info.

    ``perturb`` (start points) and ``scale`` (multiplies the surface) are for
    tools/check_golden_sensitivity.py only."""
    f, _, _ = surface_function(case["surface"])
    if scale is not None:
        unscaled = f

        def f(x, y):
            return unscaled(x, y) * scale

    steps = case["steps"]
    rows: list[tuple] = []
    runs_info = []
    for r, run in enumerate(case["runs"]):
        if not isinstance(run.get("label"), str):
            raise CaseError(f"runs[{r}].label: golden cases name every run explicitly")
        label = run["label"]
        particles = []
        for i, point in enumerate(case["particles"]["points"]):
            start = (float(point[0]), float(point[1]))
            if perturb is not None:
                start = perturb(i, start)
            prow, info = simulate(
                f, start, run["optimizer"], run.get("schedule", {"name": "constant"}), steps
            )
            for t, values in enumerate(prow):
                rows.append((r, label, i, t, *values))
            last = prow[-1]
            particles.append(
                {
                    "particle": i,
                    "start": list(start),
                    "diverged_step": info.pop("diverged_step"),
                    "final": dict(zip(COLUMNS[4:], last, strict=True)),
                    **{k: v for k, v in info.items() if k not in ("optimizer", "schedule")},
                }
            )
        runs_info.append(
            {
                "run": r,
                "label": label,
                "optimizer": info["optimizer"],
                "schedule": info["schedule"],
                "particles": particles,
            }
        )
    return rows, runs_info


def csv_text(rows: list[tuple]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for run, label, particle, step, *floats in rows:
        writer.writerow([run, label, particle, step, *(repr(float(v)) for v in floats)])
    return buf.getvalue()


def meta_dict(name: str, case_path: Path, case: Mapping, rows: list, runs_info: list) -> dict:
    _, surface_params, surface_desc = surface_function(case["surface"])
    import numpy

    return {
        "case": name,
        "title": case.get("title", ""),
        "case_file": f"tests/golden/cases/{case_path.name}",
        "case_sha256": hashlib.sha256(case_path.read_bytes()).hexdigest(),
        "generator": "tools/make_golden.py",
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "default_dtype": str(torch.get_default_dtype()),
        "loop": "REFERENCE.md 0.1: record, backward, opt.step(), sched.step() "
        "(ReduceLROnPlateau: sched.step(loss after the update)); one optimizer and "
        "scheduler per particle; foreach=False",
        "tolerance": {"atol": ATOL, "rtol": RTOL, "rule": "|a - e| <= atol + rtol * |e|"},
        "surface": {"spec": surface_desc, "params": surface_params},
        "steps": case["steps"],
        "n_particles": len(case["particles"]["points"]),
        "n_runs": len(case["runs"]),
        "rows": len(rows),
        "columns": list(COLUMNS),
        "row_order": "run, particle, step",
        "runs": runs_info,
    }


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def generate(name: str) -> tuple[str, str]:
    """(csv text, meta json text) of one case."""
    path = CASES_DIR / f"{name}.toml"
    case = load_case(path)
    rows, runs_info = run_case(case)
    meta = meta_dict(name, path, case, rows, runs_info)
    return csv_text(rows), json.dumps(meta, indent=1, sort_keys=False) + "\n"


def case_names() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("*.toml"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files, write nothing"
    )
    args = parser.parse_args(argv)
    names = args.cases or case_names()
    if torch.__version__.split("+")[0] != "2.13.0":
        print(f"warning: torch {torch.__version__}, the reference is 2.13.0", file=sys.stderr)
    EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
    stale = 0
    total = 0
    warnings.simplefilter("ignore", UserWarning)
    for name in names:
        csv_out, meta_out = generate(name)
        csv_path = EXPECTED_DIR / f"{name}.csv"
        meta_path = EXPECTED_DIR / f"{name}.meta.json"
        total += len(csv_out)
        if args.check:
            same = csv_path.exists() and csv_path.read_text(encoding="utf-8") == csv_out
            print(f"{'ok   ' if same else 'STALE'} {name}")
            stale += not same
            continue
        _write_atomic(csv_path, csv_out)
        _write_atomic(meta_path, meta_out)
        n_rows = csv_out.count("\n") - 1
        print(f"{name}: {n_rows} rows, {len(csv_out)} bytes")
    if not args.check:
        known = set(case_names())
        for p in EXPECTED_DIR.iterdir():
            stem = p.name.removesuffix(".meta.json").removesuffix(".csv").removesuffix(".state")
            if stem not in known:
                print(f"note: {p.name} has no case file (remove it?)", file=sys.stderr)
    print(f"{len(names)} cases, {total} bytes of CSV")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
