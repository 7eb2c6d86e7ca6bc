"""LR range test (Smith's CLR test, fastai's ``lr_find``) on a run file's surface.

The run's optimizer (every other hyper-parameter kept) sweeps its lr
geometrically, ``lr(t) = min_lr * (max_lr / min_lr) ** (t / steps)``, through the
normal engine: the run becomes an ``exponential`` schedule with
``gamma = (max_lr / min_lr) ** (1 / steps)``. Row ``t`` pairs the loss after ``t``
updates with the lr update ``t + 1`` uses, as the trajectory CSV and fastai's
recorder do.

The loss curve
    Each particle's loss gap to the surface's global minimum, relative to its
    gap at the start: 1 where it started, 0 at the minimum, above 1 when worse
    off than at the start; ``+inf`` from the update at which it diverged. The
    curve is the **median** over the swarm. The mean is no good here: the
    ratios of a swarm span orders of magnitude (a sweep of Adam on Rosenbrock
    ends with the median particle at 0.29 of its start, the mean at 6600, one
    straggler at 9e5), so the mean follows the worst particle, and it is
    infinite as soon as one diverges. The
    median is the typical particle's progress, ignores a minority of outliers,
    and becomes ``+inf`` only when more than half the swarm has diverged; the
    curve ends there, as fastai's stops.

Smoothing
    fastai's exponential moving average with bias correction
    (``avg = (1 - w) avg + w v``; ``avg / (1 - (1 - w) ** (t + 1))``), run forward
    and then backward over the curve, on the logarithm of the loss (a geometric
    mean, so a blow-up by 10^8 after the minimum does not swamp the points
    before it). fastai smooths online, while training, and accepts the lag; we
    have the whole curve, and a one-way average trails it by ``(1 - w) / w``
    steps: with fastai's weight (0.02) or torch-lr-finder's (0.05) on a
    100-step sweep over 7 decades that is 3.4 or 1.3 decades, which moved the
    minimum of Adam on the quadratic from lr 0.76 to 10. The median of a swarm
    is already smooth (gradient noise averages out over the particles), so the
    default weight is 0.4: 1.5 steps, a tenth of a decade, each way. Heavier
    smoothing (a smaller weight) is for a lone particle under gradient noise;
    in log space it also pulls a steep descent towards smaller lrs.

The suggestion
    ``suggested_upper`` is the largest lr of the sweep that is **stable**, up to
    where the smoothed loss is lowest. A sweep alone cannot show where
    divergence starts: its loss lags the lr, because the direction that turns
    unstable first has usually been shrunk to nothing by the rates just below
    its limit (plain SGD on ill_conditioned, curvature 20: the y-gap is ~1e-7
    of its start when lr passes 2/20 = 0.1, and the loss keeps falling along x
    until lr 0.3 to 0.5). So every lr of the sweep's grid up to the minimum is
    also run at a constant rate from the same starts for the same number of
    steps, without gradient noise (stability belongs to the update rule and
    the surface), and counts as stable when no particle diverges and none
    ends with a larger loss gap than it started with (Smith's "largest lr that
    still converges"). The upper bound is the last grid lr before the first
    unstable one: on a quadratic with SGD, the largest grid lr below
    2 / curvature. ``suggested_lower`` is where the smoothed loss falls
    fastest against log(lr) before its minimum (fastai's "steep"), but at most
    a quarter of the upper bound (the CLR paper's rule of thumb, base_lr =
    max_lr / 3 or / 4), so a cycle always spans a useful range.

    ``lr_at_min`` is where the smoothed loss is lowest, searched until it
    first rises above 4x its running minimum (fastai's stop);
    ``diverging_from`` is the first lr at which that happens or a particle of
    the sweep diverges (nan if neither).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from lrsim.core.engine import DEFAULT_MEMORY_BUDGET, Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.lr_find_result import (
    CSV_COLUMNS,
    LOWER_FRACTION,
    LrRangeResult,
    describe,
    round_lr,
    write_curve_csv,
)
from lrsim.core.runfile import (
    MAX_PARTICLES,
    NoiseConfig,
    ParticlesConfig,
    RunFile,
    edited_run,
    load_runfile,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_SMOOTHING",
    "LrRangeResult",
    "describe",
    "lr_range_test",
    "round_lr",
    "smooth_curve",
    "write_curve_csv",
]

MIN_STEPS = 10
MAX_STEPS = 100_000
DEFAULT_SMOOTHING = 0.4
DEFAULT_MAX_LR = 10.0
STOP_FACTOR = 4.0
"""The smoothed loss rising above this many times its running minimum ends the search."""
MIN_FALL = 0.01
"""The smoothed loss must fall at least this much below its start for a suggestion."""
WORSE_TOLERANCE = 1e-9
"""A particle ends worse off when its gap grew by more than this fraction (rounding)."""
CHECK_PARTICLES = 2048
"""At most this many of the starts (evenly picked) are run at each constant lr."""
_TINY = np.finfo(np.float64).tiny


# ----------------------------------------------------------------------------- the test


def lr_range_test(
    runfile: RunFile | str | Path,
    run_index: int = 0,
    *,
    min_lr: float = 1e-6,
    max_lr: float = DEFAULT_MAX_LR,
    steps: int = 100,
    particles: int | None = None,
    smoothing: float = DEFAULT_SMOOTHING,
    seed: int = 0,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> LrRangeResult:
    """Sweep run ``run_index``'s lr from ``min_lr`` to ``max_lr`` in ``steps`` updates.

    Starts are the run file's, or ``particles`` seeded (``seed``) uniform starts
    over the domain. ``smoothing`` in (0, 1] is the moving average's weight of
    each new value (1: no smoothing). See the module docstring for the curve and
    the rules of the suggestion. ConfigError names the bad argument.
    """
    if not isinstance(runfile, RunFile):
        runfile = load_runfile(runfile)
    _check_arguments(runfile, run_index, min_lr, max_lr, steps, particles, smoothing, seed)
    base = _test_runfile(runfile, run_index, steps, particles, seed)
    sweep = _sweep(base, min_lr, (max_lr / min_lr) ** (1.0 / steps), memory_budget)
    lrs = sweep.lrs
    smoothed = smooth_curve(sweep.loss, smoothing)
    i_rise = _rise_index(smoothed)
    i_min = int(np.argmin(smoothed[:i_rise]))
    if not smoothed[i_min] < (1.0 - MIN_FALL) * smoothed[0]:
        raise _no_fall_error(base, min_lr, max_lr, steps, memory_budget)
    first_diverged = np.flatnonzero(sweep.diverged_fraction > 0)
    i_diverging = min(i_rise, int(first_diverged[0]) if first_diverged.size else steps + 1)

    try:
        stable = _stable_at_constant_lr(
            base, sweep.starts, lrs[: i_min + 1], sweep.reference, memory_budget
        )
    except ConfigError as error:  # one constant-lr run per lr: the budget is the sweep's length
        raise ConfigError(
            "steps",
            f"checking the {i_min + 1} lrs below the loss minimum at a constant lr: "
            f"{error.problem}; use fewer steps",
        ) from None
    unstable = np.flatnonzero(~stable)
    i_upper = int(unstable[0]) - 1 if unstable.size else i_min
    if i_upper < 1:
        raise ConfigError(
            "min_lr",
            f"{min_lr:g} is already too large here: a constant lr of {lrs[i_upper + 1]:g} "
            "leaves particles worse off than they started; try a smaller min_lr",
        )
    upper = float(lrs[i_upper])
    slope = np.gradient(smoothed[: i_min + 1], np.log(lrs[: i_min + 1]))
    steepest = float(lrs[int(np.argmin(slope))])
    return LrRangeResult(
        runfile=runfile,
        run_index=run_index,
        lrs=lrs,
        loss=sweep.loss,
        smoothed=smoothed,
        diverged_fraction=sweep.diverged_fraction,
        suggested_lower=min(steepest, upper / LOWER_FRACTION),
        suggested_upper=upper,
        steepest=steepest,
        lr_at_min=float(lrs[i_min]),
        diverging_from=float(lrs[i_diverging]) if i_diverging <= steps else math.nan,
        stable_lrs=lrs[: i_min + 1].copy(),
        stable=stable,
    )


@dataclass(frozen=True)
class _Sweep:
    lrs: np.ndarray
    loss: np.ndarray
    diverged_fraction: np.ndarray
    starts: np.ndarray
    reference: float


def _sweep(base: RunFile, min_lr: float, gamma: float, memory_budget: int) -> _Sweep:
    """The run under lr(t) = min_lr * gamma^t (an exponential schedule) through the engine."""
    run = base.runs[0]
    swept = edited_run(
        run,
        base.steps,
        optimizer={**run.optimizer.written, "lr": min_lr},
        schedule={"name": "exponential", "gamma": gamma},
    )
    sim = Simulation(replace(base, runs=(swept,)), allow_stride=False, memory_budget=memory_budget)
    sim.run_to_end()
    trajectory = sim.runs[0]
    reference = _reference_loss(sim, trajectory.loss)
    ratios, usable = _gap_ratios(trajectory.loss, trajectory.frozen_at, reference)
    return _Sweep(
        lrs=np.array(trajectory.lr, dtype=np.float64),
        loss=np.median(ratios, axis=0),
        diverged_fraction=_diverged_by_step(trajectory.frozen_at[usable], base.steps),
        starts=sim.starts,
        reference=reference,
    )


def _check_arguments(runfile, run_index, min_lr, max_lr, steps, particles, smoothing, seed):
    def number(name: str, value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(name, f"must be a finite number, got {value!r}")
        return float(value)

    def integer(name: str, value: Any, low: int, high: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(name, f"must be an integer from {low} to {high}, got {value!r}")

    n_runs = len(runfile.runs)
    if isinstance(run_index, bool) or not isinstance(run_index, int) or not 0 <= run_index < n_runs:
        raise ConfigError("run_index", f"no run {run_index!r} (runs are 0 to {n_runs - 1})")
    if not number("min_lr", min_lr) > 0:
        raise ConfigError("min_lr", f"must be positive, got {min_lr!r}")
    if not number("max_lr", max_lr) > min_lr:
        raise ConfigError(
            "max_lr", f"must be larger than the first lr ({min_lr!r}), got {max_lr!r}"
        )
    if not math.isfinite(max_lr / min_lr):
        raise ConfigError(
            "max_lr",
            f"max_lr / min_lr = {max_lr!r} / {min_lr!r} is past float range; narrow the sweep",
        )
    integer("steps", steps, MIN_STEPS, MAX_STEPS)
    if particles is not None:
        integer("particles", particles, 1, MAX_PARTICLES)
    if not 0 < number("smoothing", smoothing) <= 1:
        raise ConfigError("smoothing", f"must be in (0, 1] (1: none), got {smoothing!r}")
    integer("seed", seed, 0, 2**63 - 1)


def _test_runfile(runfile: RunFile, run_index: int, steps: int, particles, seed) -> RunFile:
    """The run alone, ``steps`` long, on the given or random starts (a constant lr: the
    sweep and the stability checks set their own lr and schedule)."""
    run = edited_run(
        runfile.runs[run_index], steps, schedule={"name": "constant"}, loss_decay=False
    )
    starts = runfile.particles if particles is None else ParticlesConfig(random=(particles, seed))
    return replace(runfile, steps=steps, particles=starts, runs=(run,))


def _no_fall_error(base: RunFile, min_lr, max_lr, steps, memory_budget) -> ConfigError:
    """Blame what stopped the loss from falling: ``max_lr`` when a sweep to the default
    upper bound would have made it fall (the rate never got large enough), else the starts."""
    problem = f"the loss falls by less than {MIN_FALL:.0%} anywhere from min_lr {min_lr:g} to "
    if max_lr < DEFAULT_MAX_LR:
        probe = _sweep(base, min_lr, (DEFAULT_MAX_LR / min_lr) ** (1.0 / steps), memory_budget)
        probe_smoothed = smooth_curve(probe.loss, DEFAULT_SMOOTHING)
        if np.nanmin(probe_smoothed) < (1.0 - MIN_FALL) * probe_smoothed[0]:
            return ConfigError(
                "max_lr",
                problem + f"max_lr {max_lr:g}: the rate never gets large enough to move the "
                f"particles; raise it (the loss does fall below max_lr {DEFAULT_MAX_LR:g})",
            )
    return ConfigError(
        "particles",
        problem + f"max_lr {max_lr:g}: the starts sit where the gradient (nearly) vanishes; "
        "choose other starts or a larger max_lr",
    )


def _reference_loss(sim: Simulation, losses: np.ndarray) -> float:
    """The global minimum's value; the lowest loss seen where the surface lists none."""
    values = [point.value for point in sim.critical_points() if point.kind == "global_min"]
    seen = np.nanmin(losses) if np.isfinite(losses).any() else 0.0
    return float(min(values)) if values else float(seen)


def _gap_ratios(losses, frozen_at, reference):
    """(loss gap / gap at the start, per usable particle and step; which particles are usable).

    A particle that starts at the minimum (no gap to close) tells nothing and is left out.
    """
    gaps = losses - reference
    start = gaps[:, 0]
    usable = start > 1e-12 * max(1.0, abs(reference))
    if not usable.any():
        raise ConfigError(
            "particles", "every start is at the minimum; give starts away from it (--particles)"
        )
    ratios = np.maximum(gaps[usable], 0.0) / start[usable, None]
    steps = np.arange(losses.shape[1])
    frozen = frozen_at[usable]
    ratios[(frozen[:, None] >= 0) & (steps[None, :] >= frozen[:, None])] = np.inf
    return ratios, usable


def _diverged_by_step(frozen_at: np.ndarray, steps: int) -> np.ndarray:
    counts = np.bincount(frozen_at[frozen_at >= 0], minlength=steps + 1)[: steps + 1]
    return np.cumsum(counts) / max(1, len(frozen_at))


def smooth_curve(values: np.ndarray, weight: float) -> np.ndarray:
    """Bias-corrected EMA of log(values), forward then backward, over the finite prefix.

    Past the first infinite value (more than half the swarm diverged) stays +inf.
    """
    values = np.asarray(values, dtype=np.float64)
    if weight >= 1.0:
        return values.copy()  # no smoothing, exactly (exp(log(v)) may move the last bit)
    finite = np.isfinite(values)
    end = int(np.argmin(finite)) if not finite.all() else len(values)
    out = np.full_like(values, np.inf)
    if end:
        logs = np.log(np.maximum(values[:end], _TINY))
        forward = _ema(logs, weight)
        out[:end] = np.exp(_ema(forward[::-1], weight)[::-1])
    return out


def _ema(values: np.ndarray, weight: float) -> np.ndarray:
    out = np.empty_like(values)
    average = 0.0
    keep = 1.0 - weight
    for index, value in enumerate(values):
        average = keep * average + weight * value
        out[index] = average / (1.0 - keep ** (index + 1))
    return out


def _rise_index(smoothed: np.ndarray) -> int:
    """First index where the smoothed loss exceeds STOP_FACTOR x its minimum so far (or the end)."""
    running = np.minimum.accumulate(smoothed)
    risen = np.flatnonzero(smoothed[1:] > STOP_FACTOR * running[:-1])
    return int(risen[0]) + 1 if risen.size else len(smoothed)


def _check_starts(starts: np.ndarray) -> ParticlesConfig:
    """The sweep's starts, every k-th of them past CHECK_PARTICLES (one run per lr is checked)."""
    stride = max(1, math.ceil(len(starts) / CHECK_PARTICLES))
    return ParticlesConfig(points=tuple((float(x), float(y)) for x, y in starts[::stride]))


def _stable_at_constant_lr(
    base: RunFile, starts: np.ndarray, lrs: np.ndarray, reference: float, memory_budget: int
) -> np.ndarray:
    """Per lr: a constant-lr run from the same starts, without noise, leaves none worse off."""
    run = base.runs[0]
    runs = tuple(
        edited_run(
            run,
            base.steps,
            index,
            optimizer={**run.optimizer.written, "lr": float(lr)},
            schedule={"name": "constant"},
        )
        for index, lr in enumerate(lrs)
    )
    check = replace(base, runs=runs, noise=NoiseConfig(), particles=_check_starts(starts))
    sim = Simulation(check, stride=base.steps, allow_stride=False, memory_budget=memory_budget)
    sim.run_to_end()
    stable = np.empty(len(lrs), dtype=bool)
    for index, trajectory in enumerate(sim.runs):
        gaps = trajectory.loss - reference
        start = gaps[:, 0]
        usable = start > 1e-12 * max(1.0, abs(reference))
        worse = gaps[usable, -1] > start[usable] * (1.0 + WORSE_TOLERANCE)
        stable[index] = not (trajectory.diverged.any() or worse.any())
    return stable
