"""The schedule families of "All schedules in one plot", with lecture-ready defaults.

No Qt here: each ``Family`` names a schedule of ``lrsim.core.schedules``, a
colour and line style, and its parameters as a function of the figure's common
step count and base lr, chosen so that every curve is visible and distinct on
one plot (300 steps at lr 0.1: three cycles, a few restarts, a 10 % warm-up).
``family_curves`` validates and evaluates one family through
``validate_schedule`` and ``schedule_curves``, the numbers the engine uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrsim.core.schedules import SCHEDULES, schedule_curves, validate_schedule, writes_momentum

DEFAULT_STEPS = 300
DEFAULT_LR = 0.1
BASE_MOMENTUM = 0.9  # the optimizer's momentum for schedules that do not cycle it

Params = dict[str, Any]


@dataclass(frozen=True)
class Family:
    """One curve of the figure: a schedule with some parameters fixed by the family."""

    key: str  # unique: "cyclic_triangular2"
    label: str  # what the legend calls it: "cyclic triangular2"
    schedule: str  # the name in SCHEDULES
    color: str
    defaults: Callable[[int, float], Params]  # (steps, base lr) -> parameters
    dash: str = "solid"  # "solid", "dash" or "dot"
    shown: bool = False  # checked when the window opens
    implied: Mapping[str, Any] = field(default_factory=dict)  # said by the label already


def _ratio(total: float, steps: int, digits: int = 4) -> float:
    """The per-step factor that multiplies to ``total`` over ``steps`` steps, rounded."""
    return round(total ** (1.0 / max(1, steps)), digits)


def _cyclic(mode: str, window: str = "triangle") -> Callable[[int, float], Params]:
    def defaults(steps: int, lr: float) -> Params:
        params: Params = {
            "base_lr": _round(lr / 10),
            "max_lr": _round(lr),
            "step_size_up": max(1, steps // 6),
        }
        if mode != "triangular":
            params["mode"] = mode
        if mode == "exp_range":
            params["gamma"] = _ratio(0.05, steps)
        if window != "triangle":
            params["window"] = window
        return params

    return defaults


def _round(value: float) -> float:
    return float(f"{value:.6g}")


FAMILIES: tuple[Family, ...] = (
    Family("constant", "constant", "constant", "#7f7f7f", lambda n, lr: {}, shown=True),
    Family(
        "step",
        "step",
        "step",
        "#1f77b4",
        lambda n, lr: {"step_size": max(1, n // 4), "gamma": 0.5},
        shown=True,
    ),
    Family(
        "multistep",
        "multistep",
        "multistep",
        "#8c564b",
        lambda n, lr: {"milestones": [max(1, n // 2), max(2, 3 * n // 4)], "gamma": 0.1},
    ),
    Family(
        "exponential",
        "exponential",
        "exponential",
        "#ff7f0e",
        lambda n, lr: {"gamma": _ratio(0.01, n)},
        shown=True,
    ),
    Family(
        "inverse_time",
        "inverse time",
        "inverse_time",
        "#bcbd22",
        lambda n, lr: {"decay_rate": 1.0, "decay_steps": max(1, n // 10)},
    ),
    Family(
        "linear",
        "linear",
        "linear",
        "#e6a800",
        lambda n, lr: {"start_factor": 1.0, "end_factor": 0.0, "total_iters": max(1, n)},
    ),
    Family(
        "polynomial",
        "polynomial",
        "polynomial",
        "#ad494a",
        lambda n, lr: {"total_iters": max(1, n), "power": 2.0},
    ),
    Family("cosine", "cosine", "cosine", "#2ca02c", lambda n, lr: {"T_max": max(1, n)}, shown=True),
    Family(
        "cosine_restarts",
        "cosine restarts",
        "cosine_restarts",
        "#d62728",
        lambda n, lr: {"T_0": max(1, n // 6), "T_mult": 2},
        shown=True,
    ),
    Family(
        "warmup_cosine",
        "warm-up + cosine",
        "warmup",
        "#9467bd",
        lambda n, lr: {
            "warmup_steps": max(1, n // 10),
            "then": {"name": "cosine", "T_max": max(1, n - n // 10)},
        },
        shown=True,
    ),
    Family(
        "cyclic_triangular",
        "cyclic triangular",
        "cyclic",
        "#17becf",
        _cyclic("triangular"),
        shown=True,
        implied={"mode": "triangular", "window": "triangle"},
    ),
    Family(
        "cyclic_triangular2",
        "cyclic triangular2",
        "cyclic",
        "#637939",  # not triangular's cyan: the two cross at every cycle's start
        _cyclic("triangular2"),
        dash="dash",
        implied={"mode": "triangular2", "window": "triangle"},
    ),
    Family(
        "cyclic_exp_range",
        "cyclic exp_range",
        "cyclic",
        "#17becf",
        _cyclic("exp_range"),
        dash="dot",
        implied={"mode": "exp_range", "window": "triangle"},
    ),
    Family(
        "cyclic_welch",
        "cyclic, Welch window",
        "cyclic",
        "#6b6ecf",
        _cyclic("triangular", "welch"),
        implied={"mode": "triangular", "window": "welch"},
    ),
    Family(
        "cyclic_hann",
        "cyclic, Hann window",
        "cyclic",
        "#6b6ecf",
        _cyclic("triangular", "hann"),
        dash="dash",
        implied={"mode": "triangular", "window": "hann"},
    ),
    Family(
        "onecycle",
        "one-cycle",
        "onecycle",
        "#e377c2",
        lambda n, lr: {"max_lr": _round(lr), "total_steps": max(2, n)},
        shown=True,
    ),
    *(
        # Second release: ConstantLR's factor, transformers' recipes, REX, SequentialLR.
        Family(
            "constant_factor",
            "constant, factor",
            "constant",
            "#7f7f7f",
            lambda n, lr: {"factor": 0.5, "total_iters": max(1, n // 5)},
            dash="dash",
        ),
        Family(
            "wsd",
            "warmup-stable-decay",
            "wsd",
            "#393b79",
            lambda n, lr: {"num_warmup_steps": max(1, n // 10), "num_decay_steps": max(1, n // 5)},
            shown=True,
        ),
        Family(
            "inverse_sqrt",
            "inverse sqrt",
            "inverse_sqrt",
            "#637939",
            lambda n, lr: {"num_warmup_steps": max(1, n // 10)},
        ),
        Family(
            "warmup_cosine_floor",
            "warm-up cosine to a floor",
            "warmup_cosine",
            "#843c39",
            lambda n, lr: {"num_warmup_steps": max(1, n // 10), "min_lr_rate": 0.1},
        ),
        Family("rex", "REX", "rex", "#31a354", lambda n, lr: {"total_steps": max(1, n)}),
        Family(
            "sequential",
            "sequential",
            "sequential",
            "#7b4173",
            lambda n, lr: {
                "schedules": [
                    {"name": "linear", "start_factor": 0.1, "total_iters": max(1, n // 10)},
                    {"name": "constant"},
                    {"name": "exponential", "gamma": _ratio(0.05, n - n // 2)},
                ],
                "milestones": [max(1, n // 10), max(2, n // 2)],
            },
        ),
    ),
)
FAMILY_BY_KEY = {family.key: family for family in FAMILIES}
assert all(family.schedule in SCHEDULES for family in FAMILIES)


def format_value(value: Any) -> str:
    """A parameter value as a legend shows it: 0.1, 0.9848, [150, 225], cosine(T_max=270)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        inner = {k: v for k, v in value.items() if k != "name"}
        args = ", ".join(f"{k}={format_value(v)}" for k, v in inner.items())
        return f"{value.get('name', '')}({args})"
    return str(value)


def legend_label(family: Family, params: Mapping[str, Any]) -> str:
    """ "step (step_size=75, gamma=0.5)": the family and the parameters it was given."""
    shown = {
        name: value
        for name, value in params.items()
        if not (name in family.implied and family.implied[name] == value)
    }
    if not shown:
        return family.label
    args = ", ".join(f"{name}={format_value(value)}" for name, value in shown.items())
    return f"{family.label} ({args})"


def cycles_momentum(family: Family, validated: Mapping[str, Any]) -> bool:
    """Whether the family's curve drives momentum (cyclic and one-cycle unless turned off,
    and schedules that hold one)."""
    return writes_momentum(validated)


def family_curves(
    family: Family, params: Mapping[str, Any], *, steps: int, base_lr: float
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(lr, momentum, validated parameters) for t = 0..steps; ConfigError on a bad value."""
    validated = validate_schedule(
        {"name": family.schedule, **params}, momentum_kind="momentum", steps=steps
    )
    lr, momentum = schedule_curves(
        validated, base_lr=base_lr, base_momentum=BASE_MOMENTUM, steps=steps
    )
    return lr, momentum, validated


@dataclass(frozen=True)
class Curve:
    """One family's curves as the figure draws them."""

    key: str
    family: Family
    label: str  # the legend's text
    lr: np.ndarray  # t = 0..steps
    momentum: np.ndarray | None  # None: the family does not cycle momentum
