"""What the side plots draw, computed from a Simulation (NumPy only, no Qt).

Across-particle summaries use at most ``MAX_PARTICLES`` evenly spaced particles
and ``MAX_POINTS`` evenly spaced recorded steps, so a million particles or a
million steps cost the same few milliseconds as a hundred.
"""

from __future__ import annotations

import warnings

import numpy as np

MAX_PARTICLES = 4096
MAX_POINTS = 4000


def _even(count: int, limit: int) -> np.ndarray:
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(np.int64))


def plot_columns(sim, upto: int | None = None) -> np.ndarray:
    """Indices of the recorded columns to draw (all computed ones, thinned to MAX_POINTS)."""
    upto = sim.recorded_upto() if upto is None else upto
    columns = _even(upto, MAX_POINTS)
    if upto and columns[-1] != upto - 1:
        columns = np.append(columns, upto - 1)
    return columns


def lr_series(sim, run_index: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps, lr): the schedule over every step, or the median per-particle lr (plateau)."""
    run = sim.runs[run_index]
    if not run.per_particle_lr:
        steps = np.arange(sim.steps + 1)
        keep = _even(len(steps), MAX_POINTS * 4)
        return steps[keep], run.lr_curve[keep]
    columns = plot_columns(sim)
    particles = _even(sim.n_particles, MAX_PARTICLES)
    values = run.lr[np.ix_(particles, columns)]
    return sim.recorded_steps[columns], np.median(values, axis=0)


def momentum_series(sim, run_index: int) -> tuple[np.ndarray, np.ndarray]:
    run = sim.runs[run_index]
    steps = np.arange(sim.steps + 1)
    keep = _even(len(steps), MAX_POINTS * 4)
    return steps[keep], run.momentum_curve[keep]


def cycles_momentum(sim) -> bool:
    """True when some run's momentum / beta1 changes over the steps."""
    return any(
        np.ptp(run.momentum_curve) > 0
        for run in sim.runs
        if np.all(np.isfinite(run.momentum_curve))
    )


def loss_quantiles(
    sim, run_index: int, low: float = 10.0, high: float = 90.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(steps, median, low percentile, high percentile) of the loss across particles.

    A particle leaves the statistics from the step it diverged at (its frozen loss
    could be anything up to 1e12); a step where every particle has diverged is NaN.
    """
    columns = plot_columns(sim)
    particles = _even(sim.n_particles, MAX_PARTICLES)
    run = sim.runs[run_index]
    values = run.loss[np.ix_(particles, columns)]
    frozen_at = run.frozen_at[particles]
    steps = sim.recorded_steps[columns]
    diverged = (frozen_at[:, None] >= 0) & (frozen_at[:, None] <= steps[None, :])
    values = np.where(diverged, np.nan, values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        median, lower, upper = np.nanpercentile(values, [50.0, low, high], axis=0)
    return steps, median, lower, upper


def loss_floor(sim) -> float:
    """The lowest known minimum value of the surface (for a log plot of the loss gap)."""
    values = [p.value for p in sim.critical_points() if p.kind in ("global_min", "local_min")]
    return float(min(values)) if values else float("nan")
