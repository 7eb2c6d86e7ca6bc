"""What the engine refuses before it simulates: over-budget memory, non-finite curves
and starts.

A diverging particle is a result, but a particle cannot diverge before its first
update: a start whose loss is not finite has no last good position to stay at,
and a schedule curve that overflows would put inf or nan in the lr column. Both
are refused with one line naming the field, so no CSV row is ever non-finite.
"""

from __future__ import annotations

import numpy as np

from lrsim.core.errors import ConfigError


def format_bytes(count: float, digits: int = 1) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1024 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.{digits}f} {unit}"
        count /= 1024
    raise AssertionError


def over_budget(needed: int, budget: int) -> str:
    """ "need X, over the memory budget of Y", with enough digits that X reads larger."""
    for digits in range(1, 10):
        need, have = format_bytes(needed, digits), format_bytes(budget, digits)
        if need != have:
            break
    else:
        need, have = f"{needed:,} bytes", f"{budget:,} bytes"
    return f"need {need}, over the memory budget of {have}"


KEPT_TABLE_STEPS = 10_000
"""A run of at most these many steps keeps its table of per-step rule constants (three
floats a step, ``stepping.run_constants``); a longer one computes each call's rows."""


def curve_bytes(steps: int, n_runs: int) -> int:
    """The schedule curves every run keeps (lr, momentum, loss scale: ``steps + 1`` floats
    each, and the rule constants' three when kept) and the temporaries of computing one (a
    few arrays of the same length)."""
    kept = 3 * n_runs if steps <= KEPT_TABLE_STEPS else 0
    return 8 * (steps + 1) * (3 * n_runs + kept + 8)


def _first_bad(values: np.ndarray) -> int | None:
    if np.isfinite(values).all():  # the usual case, without building the index list
        return None
    return int(np.flatnonzero(~np.isfinite(values))[0])


def check_curves(lrs: np.ndarray, moms: np.ndarray, loss_scales: np.ndarray) -> None:
    """A schedule whose parameters overflow (inf or nan in its curves) is refused, naming
    the schedule: the CSV never gets a non-finite lr or momentum."""
    for values, what, field in (
        (lrs, "learning rate", "schedule"),
        (moms, "momentum", "schedule"),
        (loss_scales, "loss scale lr(t) / lr", "loss_decay"),
    ):
        step = _first_bad(values)
        if step is not None:
            raise ConfigError(
                field,
                f"the {what} is {float(values[step])!r} at step {step}: its parameters overflow "
                "float64; choose smaller values",
            )


def check_starts(runfile, starts: np.ndarray, losses: np.ndarray) -> None:
    """A start where the loss (or the start itself) is not finite has no last good position
    to stay at: refused, naming the starts (or the surface, when no start is finite)."""
    bad = np.flatnonzero(~(np.isfinite(losses) & np.isfinite(starts).all(axis=1)))
    if not bad.size:
        return
    i = int(bad[0])
    x, y = starts[i]
    problem = f"the loss at ({x:.6g}, {y:.6g}) is {float(losses[i])!r}"
    parts, surface = runfile.particles, runfile.surface
    if bad.size == len(losses) and surface.params:
        raise ConfigError("surface.params", f"{problem}, and at every other start too")
    if parts.points is not None:
        raise ConfigError(
            f"particles.points[{i}]", f"{problem}; choose a start where the surface is finite"
        )
    if not np.isfinite(starts[i]).all():
        raise ConfigError("surface.domain", f"spreads starts past float range ({x!r}, {y!r})")
    if surface.domain is not None:
        raise ConfigError("surface.domain", f"particle {i}: {problem}")
    source = "particles.random" if parts.random is not None else "particles.grid"
    raise ConfigError(source, f"particle {i}: {problem}; choose a domain where it is finite")
