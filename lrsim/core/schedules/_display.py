"""What the app shows of a schedule, declared with it: its live slider and its figure curves.

Qt-free data on every ``ScheduleSpec``: ``live_knob`` (the run card's slider for the
schedule's main parameter: its decay factor, cycle length or warm-up length) and
``figure`` (its curves in "All schedules in one plot", with lecture-ready defaults
that follow the figure's step count and base lr: 300 steps at lr 0.1 give three
cycles, a few restarts, a 10 % warm-up). ``schedule_families`` collects the figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Params = dict[str, Any]

STEPS = "steps"  # a knob's upper end: the run's number of steps


@dataclass(frozen=True)
class Knob:
    """One slider: ``param`` of a table from ``low`` to ``high`` (``STEPS``: the run's steps)."""

    param: str
    low: float
    high: float | str
    log: bool = False
    integer: bool = False


@dataclass(frozen=True)
class Family:
    """One curve of the figure: a schedule with some parameters fixed by the family.

    The figure lists ``group`` 1 (the first release's families) before group 2, each
    group in the schedules' order (``schedules._ORDER``), a schedule's own in the order
    it declares them.
    """

    key: str  # unique: "cyclic_triangular2"
    label: str  # what the legend calls it: "cyclic triangular2"
    schedule: str  # the name in SCHEDULES
    color: str
    defaults: Callable[[int, float], Params]  # (steps, base lr) -> parameters
    dash: str = "solid"  # "solid", "dash" or "dot"
    shown: bool = False  # checked when the window opens
    implied: Mapping[str, Any] = field(default_factory=dict)  # said by the label already
    group: int = 1


def ratio(total: float, steps: int, digits: int = 4) -> float:
    """The per-step factor that multiplies to ``total`` over ``steps`` steps, rounded."""
    return round(total ** (1.0 / max(1, steps)), digits)


def round6(value: float) -> float:
    return float(f"{value:.6g}")
