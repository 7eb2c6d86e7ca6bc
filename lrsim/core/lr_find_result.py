"""The result of an LR range test: its curve, the suggested bounds, and what they give.

``LrRangeResult`` holds the swept curve and the bounds ``lr_range_test`` read from it
(``lrsim.core.lr_find`` explains the rules); from the bounds it builds a CyclicLR or
OneCycleLR table and a run resolved with it. ``describe`` and ``write_curve_csv`` are
its report for a terminal and a file.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrsim.core.atomic import atomic_writer
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunConfig, RunFile, edited_run

LOWER_FRACTION = 4.0
"""The lower bound is at most upper / LOWER_FRACTION (the CLR paper: base_lr = max_lr / 3..4)."""
CSV_COLUMNS = ("step", "lr", "loss", "smoothed", "diverged_fraction")


@dataclass(frozen=True, eq=False)
class LrRangeResult:
    """One range test: the curve (one entry per step 0..steps) and the suggested bounds."""

    runfile: RunFile  # the run file tested (unchanged)
    run_index: int
    lrs: np.ndarray  # (steps + 1,) lr update t + 1 uses: min_lr * gamma^t
    loss: np.ndarray  # median loss gap relative to the start; +inf past divergence
    smoothed: np.ndarray
    diverged_fraction: np.ndarray  # fraction of the swarm diverged by step t
    suggested_lower: float  # steepest descent, at most upper / LOWER_FRACTION
    suggested_upper: float  # largest stable constant lr up to the loss minimum
    steepest: float  # where the smoothed loss falls fastest (before its minimum)
    lr_at_min: float  # where the smoothed loss is lowest
    diverging_from: float  # first lr with a diverged particle or a 4x rise (nan: none)
    stable_lrs: np.ndarray  # the grid lrs checked at a constant rate, ascending
    stable: np.ndarray  # (len(stable_lrs),) bool: that constant-lr run was stable

    @property
    def steps(self) -> int:
        return len(self.lrs) - 1

    @property
    def run(self) -> RunConfig:
        return self.runfile.runs[self.run_index]

    def cyclic_schedule(
        self, lower: float | None = None, upper: float | None = None, *, cycles: int = 2, **params
    ) -> dict[str, Any]:
        """A CyclicLR table from ``lower`` to ``upper`` (default: the suggestion).

        ``cycles`` full triangles fill the run file's steps; momentum is not
        cycled (the bounds were measured at the run's own momentum). ``params``
        add or override schedule parameters.
        """
        lower, upper = self._bounds(lower, upper)
        if not (isinstance(cycles, int) and cycles >= 1):
            raise ConfigError("cycles", f"must be a positive integer, got {cycles!r}")
        table = {
            "name": "cyclic",
            "base_lr": lower,
            "max_lr": upper,
            "step_size_up": max(1, self.runfile.steps // (2 * cycles)),
            "cycle_momentum": False,
        }
        return {**table, **params}

    def onecycle_schedule(
        self, lower: float | None = None, upper: float | None = None, **params
    ) -> dict[str, Any]:
        """A OneCycleLR table peaking at ``upper`` and starting at ``lower`` (div_factor)."""
        lower, upper = self._bounds(lower, upper)
        table = {
            "name": "onecycle",
            "max_lr": upper,
            "div_factor": round_lr(upper / lower, up=True),  # starts at or below lower
            "cycle_momentum": False,
        }
        return {**table, **params}

    def to_cyclic(self, run: RunConfig | int | None = None, **kwargs) -> RunConfig:
        """``run`` (default: the tested one) with ``cyclic_schedule(**kwargs)``, validated."""
        return self._with_schedule(run, self.cyclic_schedule(**kwargs))

    def to_onecycle(self, run: RunConfig | int | None = None, **kwargs) -> RunConfig:
        """``run`` (default: the tested one) with ``onecycle_schedule(**kwargs)``, validated."""
        return self._with_schedule(run, self.onecycle_schedule(**kwargs))

    def _bounds(self, lower: float | None, upper: float | None) -> tuple[float, float]:
        lower = round_lr(self.suggested_lower if lower is None else lower)
        upper = round_lr(self.suggested_upper if upper is None else upper)
        for name, value in (("lower", lower), ("upper", upper)):
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(name, f"must be a positive lr, got {value!r}")
        if not lower < upper:
            raise ConfigError("lower", f"must be below the upper bound {upper!r}, got {lower!r}")
        return lower, upper

    def _with_schedule(self, run: RunConfig | int | None, schedule: dict) -> RunConfig:
        index = self.run_index if run is None else run if isinstance(run, int) else None
        if index is not None:
            if not 0 <= index < len(self.runfile.runs):
                raise ConfigError("run", f"no run {index} (the file has {len(self.runfile.runs)})")
            run = self.runfile.runs[index]
        try:
            return edited_run(run, self.runfile.steps, schedule=schedule, loss_decay=False)
        except ConfigError as error:
            field = error.field.removeprefix("runs[0].")
            raise ConfigError(field, error.problem) from None


def round_lr(value: float, digits: int = 3, *, up: bool = False) -> float:
    """``value`` cut to ``digits`` significant digits, towards zero (or away with ``up``).

    Bounds are cut, never raised, so a rounded upper bound stays stable.
    """
    if not (math.isfinite(value) and value > 0):
        return float(value)
    scale = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    units = value / scale
    units = math.ceil(units * (1 - 1e-12)) if up else math.floor(units * (1 + 1e-12))
    return float(f"{units * scale:.{digits}g}")


# ----------------------------------------------------------------------------- output


def describe(result: LrRangeResult) -> str:
    """Two lines for a terminal: the range, then what it was read from."""
    lower, upper = round_lr(result.suggested_lower), round_lr(result.suggested_upper)
    steepest = f"steepest descent at {round_lr(result.steepest):g}"
    if result.suggested_lower < result.steepest:
        steepest += f", lower bound capped at upper / {LOWER_FRACTION:g}"
    ending = (
        f"diverging from {round_lr(result.diverging_from):g}"
        if math.isfinite(result.diverging_from)
        else f"no divergence up to {round_lr(float(result.lrs[-1])):g}"
    )
    return (
        f"suggested lr range: {lower:g} .. {upper:g}\n"
        f"({steepest}; largest stable constant lr {upper:g}; "
        f"loss lowest at {round_lr(result.lr_at_min):g}, {ending})"
    )


def write_curve_csv(result: LrRangeResult, path: str | Path) -> None:
    """The curve as CSV (``CSV_COLUMNS``), floats as repr so they round-trip; atomic."""
    with atomic_writer(path) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        columns = (result.lrs, result.loss, result.smoothed, result.diverged_fraction)
        for step, values in enumerate(zip(*columns, strict=True)):
            writer.writerow([step, *(repr(float(v)) for v in values)])
