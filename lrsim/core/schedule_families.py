"""The schedule families of "All schedules in one plot", with lecture-ready defaults.

No Qt here: each ``Family`` (declared by its schedule, ``ScheduleSpec.figure``)
names a schedule of ``lrsim.core.schedules``, a colour and line style, and its
parameters as a function of the figure's common step count and base lr, chosen so
that every curve is visible and distinct on one plot (300 steps at lr 0.1: three
cycles, a few restarts, a 10 % warm-up); ``FAMILIES`` collects them in figure order.
``family_curves`` validates and evaluates one family through
``validate_schedule`` and ``schedule_curves``, the numbers the engine uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrsim.core.schedules import (
    SCHEDULES,
    Family,
    schedule_curves,
    validate_schedule,
    writes_momentum,
)
from lrsim.core.schedules._display import Params

DEFAULT_STEPS = 300
DEFAULT_LR = 0.1
BASE_MOMENTUM = 0.9  # the optimizer's momentum for schedules that do not cycle it

# Colours a schedule without its own figure curves is drawn in (the first not taken).
_SPARE_COLORS = ("#3182bd", "#e6550d", "#756bb1", "#636363", "#a55194", "#8ca252", "#bd9e39")


def _families() -> tuple[Family, ...]:
    """Every schedule's curves (``ScheduleSpec.figure``) in figure order; a schedule that
    declares none gets one with its defaults, in a spare colour."""
    declared = [spec.figure for spec in SCHEDULES.values() if spec.figure is not None]
    taken = {(family.color, family.dash) for figure in declared for family in figure}
    spare = iter(c for c in _SPARE_COLORS if (c, "solid") not in taken)
    placed = []
    for position, spec in enumerate(SCHEDULES.values()):
        figure = spec.figure
        if figure is None:
            label = spec.name.replace("_", " ")
            figure = (Family(spec.name, label, spec.name, next(spare), _no_params, group=2),)
        for index, family in enumerate(figure):
            if family.schedule != spec.name:
                raise AssertionError(f"{family.key} is declared by {spec.name}")
            placed.append(((family.group, position, index), family))
    return tuple(family for _, family in sorted(placed, key=lambda item: item[0]))


def _no_params(steps: int, lr: float) -> Params:
    return {}


FAMILIES: tuple[Family, ...] = _families()
FAMILY_BY_KEY = {family.key: family for family in FAMILIES}
assert len(FAMILY_BY_KEY) == len(FAMILIES), "family keys must be unique"


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
