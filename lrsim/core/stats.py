"""Convergence statistics per run, from the recorded trajectories (what the table shows).

Everything is evaluated "as of" a step, so the table can follow the playback:
iterations until the loss gap (loss minus the global minimum value) and the
distance to the nearest known minimum first fall under a tolerance, final
losses, where each particle ended (the basin of the nearest known minimum) and
how many diverged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lrsim.core.engine import Simulation

DEFAULT_LOSS_TOL = 1e-3
DEFAULT_DIST_TOL = 1e-2
BASIN_RADIUS_FRACTION = 0.02
"""A particle is in a minimum's basin when closer than this fraction of the domain diagonal."""


@dataclass(frozen=True)
class RunStats:
    label: str
    color: str
    step: int
    n_particles: int
    iterations_to_loss_tol: float  # median first step with loss gap <= loss_tol (nan: none yet)
    iterations_to_dist_tol: float  # median first step within dist_tol of a known minimum
    reached_fraction: float  # particles whose loss gap fell under loss_tol by `step`
    final_loss_best: float
    final_loss_median: float
    final_loss_worst: float
    distance_median: float  # to the nearest known minimum (nan if the surface lists none)
    basin_counts: dict[str, int] = field(default_factory=dict)
    global_fraction: float = float("nan")  # fraction ending in a global minimum's basin
    diverged: int = 0


def _coordinate(value: float) -> str:
    return "0" if abs(value) < 5e-7 else f"{value:.3g}"


def minimum_label(point) -> str:
    """``global (3, 2)`` / ``local (1.92, 1.92)``: short enough for a table header."""
    kind = "global" if point.kind == "global_min" else "local"
    return f"{kind} ({_coordinate(point.x)}, {_coordinate(point.y)})"


def _first_true(mask: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Per row, the step of the first True column (nan where none)."""
    hit = mask.any(axis=1)
    first = np.argmax(mask, axis=1)
    return np.where(hit, steps[first].astype(np.float64), np.nan)


def _nanmedian(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else float("nan")


def compute_run_stats(
    sim: Simulation,
    run_index: int,
    *,
    step: int | None = None,
    loss_tol: float = DEFAULT_LOSS_TOL,
    dist_tol: float = DEFAULT_DIST_TOL,
) -> RunStats:
    """Statistics of run ``run_index`` as of ``step`` (default: the last computed step)."""
    run = sim.runs[run_index]
    step = sim.current_step if step is None else min(int(step), sim.current_step)
    columns = int(np.searchsorted(sim.recorded_steps, step, side="right"))
    steps = sim.recorded_steps[:columns]
    x, y, loss = run.x[:, :columns], run.y[:, :columns], run.loss[:, :columns]
    minima = [p for p in sim.critical_points() if p.kind in ("global_min", "local_min")]
    floor = min((p.value for p in minima), default=float("nan"))
    end_x, end_y, end_loss = x[:, -1], y[:, -1], loss[:, -1]
    diverged = int(np.count_nonzero((run.frozen_at >= 0) & (run.frozen_at <= step)))
    alive = ~((run.frozen_at >= 0) & (run.frozen_at <= step))
    iterations_loss = np.full(sim.n_particles, np.nan)
    iterations_dist = np.full(sim.n_particles, np.nan)
    distance = np.full(sim.n_particles, np.nan)
    basins: dict[str, int] = {}
    global_fraction = float("nan")
    if minima:
        with np.errstate(invalid="ignore"):
            iterations_loss = _first_true(loss - floor <= loss_tol, steps)
        mx = np.array([p.x for p in minima])
        my = np.array([p.y for p in minima])
        # distance of every recorded point to its nearest minimum, without an (N, S, M) array
        nearest_path = np.full(x.shape, np.inf)
        for px, py in zip(mx, my, strict=True):
            np.minimum(nearest_path, np.hypot(x - px, y - py), out=nearest_path)
        iterations_dist = _first_true(nearest_path <= dist_tol, steps)
        end_dist = np.hypot(end_x[:, None] - mx[None, :], end_y[:, None] - my[None, :])
        nearest = np.argmin(end_dist, axis=1)
        distance = end_dist[np.arange(sim.n_particles), nearest]
        (xmin, xmax), (ymin, ymax) = sim.domain
        radius = max(dist_tol, BASIN_RADIUS_FRACTION * float(np.hypot(xmax - xmin, ymax - ymin)))
        inside = alive & (distance <= radius)
        for index, point in enumerate(minima):
            count = int(np.count_nonzero(inside & (nearest == index)))
            if count:
                basins[minimum_label(point)] = count
        elsewhere = int(np.count_nonzero(alive & ~inside))
        if elsewhere:
            basins["elsewhere"] = elsewhere
        is_global = np.array([p.kind == "global_min" for p in minima])
        global_fraction = float(np.count_nonzero(inside & is_global[nearest])) / sim.n_particles
    finite_loss = end_loss[np.isfinite(end_loss)]
    return RunStats(
        label=run.label,
        color=run.color,
        step=step,
        n_particles=sim.n_particles,
        iterations_to_loss_tol=_nanmedian(iterations_loss),
        iterations_to_dist_tol=_nanmedian(iterations_dist),
        reached_fraction=float(np.count_nonzero(np.isfinite(iterations_loss))) / sim.n_particles,
        final_loss_best=float(finite_loss.min()) if finite_loss.size else float("nan"),
        final_loss_median=float(np.median(finite_loss)) if finite_loss.size else float("nan"),
        final_loss_worst=float(finite_loss.max()) if finite_loss.size else float("nan"),
        distance_median=_nanmedian(distance),
        basin_counts=basins,
        global_fraction=global_fraction,
        diverged=diverged,
    )


def stats_table(sim: Simulation, step: int | None = None, **tolerances) -> list[RunStats]:
    """One RunStats per run, side by side."""
    return [compute_run_stats(sim, r, step=step, **tolerances) for r in range(sim.n_runs)]
