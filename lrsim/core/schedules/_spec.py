"""The schedule registry, validation and curve evaluation shared by every schedule.

A schedule is declared once as a ``ScheduleSpec``: its parameters (``ParamSpec``,
PyTorch's names and defaults), a ``check`` for the range rules that depend on
meaning, and a vectorised ``curve`` of the step. ``validate_schedule`` resolves a
user's table once; ``schedule_curves`` turns the resolved table into the whole
lr and momentum curves in one call.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import ParamSpec, resolve_params
from lrsim.core.schedules._display import Family, Knob

MOMENTUM_KINDS = ("momentum", "beta1", None)
"""What the optimizer exposes to momentum cycling: SGD/RMSprop ``momentum``,
the Adam family's ``betas[0]``, or nothing (Adagrad, Adadelta)."""

Curve = tuple[np.ndarray, np.ndarray]
"""lr values and momentum / beta1 values, one of each per entry of ``t``."""


@dataclass(frozen=True)
class Context:
    """What a schedule's ``check`` may need besides its own parameters."""

    momentum_kind: str | None
    steps: int
    given: Mapping[str, Any]  # the user's table as written (to tell given from defaulted)
    switched_in: bool = False  # starts at a milestone of a warm-up or a sequential
    depth: int = 0  # how many schedules hold this one (warm-up's then, sequential's children)
    last: int | None = None  # the last t it is evaluated at, if not steps (a sequential's
    # middle child stops one step before the next milestone)

    @property
    def last_step(self) -> int:
        """The last update count this schedule is evaluated at (torch steps it that far)."""
        return self.steps if self.last is None else self.last


CheckFn = Callable[[dict[str, Any], Context], None]
CurveFn = Callable[[dict[str, Any], np.ndarray, float, float], Curve]
LrFn = Callable[[dict[str, Any], np.ndarray, float], np.ndarray]


@dataclass(frozen=True)
class ScheduleSpec:
    """One schedule: what the GUI shows, what a run file may set, how to compute it.

    ``check(params, context)`` raises ``ConfigError`` for values out of range and
    may fill derived values into ``params`` (it runs after types are resolved).
    ``curve(params, t, base_lr, base_momentum)`` returns ``(lr, momentum)`` for an
    int64 array of completed-update counts ``t``; ``base_momentum`` is the
    optimizer's own momentum / beta1, kept unless the schedule cycles it.
    """

    name: str
    title: str
    doc: str
    params: tuple[ParamSpec, ...]
    check: CheckFn = field(repr=False, compare=False)
    curve: CurveFn = field(repr=False, compare=False)
    cycles_momentum: bool = False  # may write the optimizer's momentum / beta1
    sets_own_lr: bool = False  # ignores the optimizer's lr (cyclic, onecycle)
    torch_class: str | None = None  # the PyTorch scheduler it reproduces, if any
    source: str | None = None  # where a schedule beyond torch comes from (transformers, a paper)
    switched_in_curve: CurveFn | None = field(default=None, repr=False, compare=False)
    """The curve when the schedule starts at a milestone, if not ``curve``: SequentialLR
    switches a scheduler in with its closed form, which can differ from its own steps."""
    per_particle: Callable[[dict[str, Any]], np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    """For a schedule whose lr follows each particle's own loss (plateau): its parameters as
    the kernel's float64 vector. The curve is then only the starting lr; the engines cut it."""
    live_knob: Knob | None = field(default=None, compare=False)
    """The run card's slider for the main parameter (None: no slider)."""
    figure: tuple[Family, ...] | None = field(default=None, repr=False, compare=False)
    """Its curves in "All schedules in one plot" (None: one with its defaults; (): none)."""


def lr_only(lr: LrFn) -> CurveFn:
    """The curve of a schedule that leaves the optimizer's momentum alone."""

    def curve(params: dict[str, Any], t: np.ndarray, base_lr: float, base_momentum: float) -> Curve:
        return lr(params, t, base_lr), np.full(t.shape, float(base_momentum))

    curve.__doc__ = lr.__doc__
    return curve


REGISTRY: dict[str, ScheduleSpec] = {}
"""Filled once by the package ``__init__``; exported there as ``SCHEDULES``."""

MAX_NESTING = 8
"""How many schedules deep a warm-up's ``then`` or a sequential's children may go."""


def _unknown_name(name: object) -> ConfigError:
    names = ", ".join(REGISTRY)
    problem = f"unknown schedule {name!r} (expected one of: {names})"
    if isinstance(name, str):
        close = difflib.get_close_matches(name.lower(), list(REGISTRY), n=1)
        if close:
            problem += f"; did you mean {close[0]!r}?"
    return ConfigError("name", problem)


def validate_schedule(
    config: Mapping[str, Any],
    *,
    momentum_kind: str | None,
    steps: int,
    switched_in: bool = False,
    depth: int = 0,
    last_step: int | None = None,
) -> dict[str, Any]:
    """``config`` (``{"name": ..., **params}``) checked and completed.

    Returns ``{"name": ..., **every parameter}`` with defaults filled in and
    values coerced to their kinds; nested schedules (warm-up's ``then``) are
    resolved too. Errors are ``ConfigError`` with the field relative to the
    schedule table (``step_size``, ``then.T_max``); the caller prefixes it.
    ``switched_in``, ``depth`` and ``last_step`` are for schedules that hold others:
    whether this one starts at a milestone, how deep it sits (at most ``MAX_NESTING``)
    and the last step it is evaluated at when that is not ``steps`` (``steps`` still
    gives its run-length defaults such as ``T_max``).
    """
    if momentum_kind not in MOMENTUM_KINDS:
        raise ValueError(f"momentum_kind must be one of {MOMENTUM_KINDS}, got {momentum_kind!r}")
    if depth > MAX_NESTING:
        raise ConfigError("", f"schedules nest more than {MAX_NESTING} levels deep here")
    if not isinstance(config, Mapping):
        raise ConfigError("", "must be a table with a schedule name, e.g. { name = 'cosine' }")
    if "name" not in config:
        raise ConfigError("name", f"is required (expected one of: {', '.join(REGISTRY)})")
    name = config["name"]
    if not isinstance(name, str) or name not in REGISTRY:
        raise _unknown_name(name)
    spec = REGISTRY[name]
    given = {key: value for key, value in config.items() if key != "name"}
    params = resolve_params(spec.params, given, steps=steps)
    context = Context(
        momentum_kind, steps, given, switched_in=switched_in, depth=depth, last=last_step
    )
    spec.check(params, context)
    return {"name": name, **params}


def evaluate(
    config: Mapping[str, Any], t: np.ndarray, base_lr: float, base_momentum: float
) -> Curve:
    """The validated schedule ``config`` at the update counts ``t`` (int64 array)."""
    return REGISTRY[config["name"]].curve(dict(config), t, base_lr, base_momentum)


def evaluate_switched_in(
    config: Mapping[str, Any], t: np.ndarray, base_lr: float, base_momentum: float
) -> Curve:
    """``config`` as it runs after a milestone, on its own clock ``t`` (0 at the milestone)."""
    spec = REGISTRY[config["name"]]
    curve = spec.switched_in_curve or spec.curve
    return curve(dict(config), t, base_lr, base_momentum)


def writes_momentum(config: Mapping[str, Any]) -> bool:
    """Whether the validated schedule ``config`` sets the optimizer's momentum / beta1."""
    spec = REGISTRY[config["name"]]
    if spec.cycles_momentum:
        return bool(config.get("cycle_momentum", False))
    nested = [value for value in config.values() if isinstance(value, Mapping)]
    for value in config.values():
        if isinstance(value, list):
            nested += [item for item in value if isinstance(item, Mapping)]
    return any(writes_momentum(item) for item in nested if "name" in item)


def schedule_curves(
    config: Mapping[str, Any], *, base_lr: float, base_momentum: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """``lr[t]`` and ``momentum[t]`` for t = 0..steps (float64 arrays of length steps + 1).

    ``lr[t]`` is the rate update t + 1 uses (t = completed updates = torch's
    ``last_epoch``); ``momentum[t]`` is the momentum / beta1 that update uses:
    ``base_momentum`` unless the schedule cycles it. ``config`` must come from
    ``validate_schedule``.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    t = np.arange(steps + 1, dtype=np.int64)
    lr, momentum = evaluate(config, t, float(base_lr), float(base_momentum))
    return (
        np.ascontiguousarray(lr, dtype=np.float64),
        np.ascontiguousarray(momentum, dtype=np.float64),
    )
