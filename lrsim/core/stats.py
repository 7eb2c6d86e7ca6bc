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

from lrsim.core.basins import BasinAtlas, hessian_entries
from lrsim.core.engine import Simulation

DEFAULT_LOSS_TOL = 1e-3
DEFAULT_DIST_TOL = 1e-2


@dataclass(frozen=True)
class RunStats:
    label: str
    color: str
    step: int
    n_particles: int
    iterations_to_loss_tol: float  # median first step with loss gap <= loss_tol (nan: none yet)
    iterations_to_dist_tol: float  # median first step within dist_tol of a known minimum
    reached_fraction: float  # particles whose loss gap fell under loss_tol by `step`
    final_loss_best: float  # final losses are over the particles that did not diverge
    final_loss_median: float
    final_loss_worst: float
    distance_median: float  # to the nearest known minimum (nan if the surface lists none)
    basin_counts: dict[str, int] = field(default_factory=dict)
    global_fraction: float = float("nan")  # fraction ending in a global minimum's basin
    diverged: int = 0
    sharpness_median: float = float("nan")  # median largest Hessian eigenvalue at the ends
    sharpness_max: float = float("nan")
    flatness_median: float = float("nan")  # median smallest Hessian eigenvalue at the ends
    dist_reached_fraction: float = float("nan")  # particles within dist_tol of a minimum by `step`


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


def _shown_step(sim: Simulation, step: int | None) -> tuple[int, int]:
    """(recorded step, its column) for a requested step: clamped to what is computed and
    snapped down to a recorded step (every k-th under a stride)."""
    step = sim.current_step if step is None else max(0, min(int(step), sim.current_step))
    column = int(np.searchsorted(sim.recorded_steps, step, side="right")) - 1
    return int(sim.recorded_steps[column]), column


def _first_hits(sim, run_index, floor, minima, loss_tol, dist_tol):
    """Per particle, the first computed step with loss gap <= loss_tol, and within dist_tol
    of a known minimum (nan: never). Computed once per simulation state and cached, so a
    table that follows the playback costs O(particles) per step."""
    key = (run_index, loss_tol, dist_tol)
    cache = sim.__dict__.setdefault("_first_hits_cache", {})
    state = (sim.generation, sim.current_step)
    if cache.get("state") != state:  # the simulation advanced or was recomputed: start afresh
        cache.clear()
        cache["state"] = state
    if key not in cache:
        run = sim.runs[run_index]
        columns = sim.recorded_upto()
        steps = sim.recorded_steps[:columns]
        with np.errstate(invalid="ignore"):
            by_loss = _first_true(run.loss[:, :columns] - floor <= loss_tol, steps)
        near = np.zeros((sim.n_particles, columns), dtype=bool)
        tol2 = dist_tol * dist_tol
        for lo in range(0, sim.n_particles, 4096):  # bounded temporaries
            x = run.x[lo : lo + 4096, :columns]
            y = run.y[lo : lo + 4096, :columns]
            block = near[lo : lo + 4096]
            for point in minima:
                block |= (x - point.x) ** 2 + (y - point.y) ** 2 <= tol2
        cache[key] = (by_loss, _first_true(near, steps))
    return cache[key]


def _nanmedian(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else float("nan")


def hessian_eigenvalues(sim: Simulation, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N, 2) eigenvalues (ascending) of the Hessian at each point.

    Central differences of the exact gradient with a step scaled to the point,
    symmetrised: accurate to ~1e-7 relative, plenty to tell flat from sharp.
    """
    with np.errstate(all="ignore"):
        hxx, hxy, hyy = hessian_entries(sim.surface.reference, x, y, sim.surface_params)
        middle = 0.5 * (hxx + hyy)
        radius = np.hypot(0.5 * (hxx - hyy), hxy)
    return np.column_stack([middle - radius, middle + radius])


DIVERGED_BASIN = -2
ELSEWHERE_BASIN = -1


BASIN_CACHE_SIZE = 64  # (run, column) assignments kept: playback back and forth costs nothing


def basin_assignments(sim: Simulation, run_index: int, step: int | None = None, dist_tol=None):
    """(known minima, per-particle index into them) of each particle's basin at ``step``.

    A particle is in the basin of the known minimum where a short, exact descent
    from its position ends (``lrsim.core.basins``: Newton steps in convex regions,
    capped gradient steps elsewhere, the loss falling at every step), within
    half a percent of the domain diagonal (or ``dist_tol``, if larger); otherwise
    ``ELSEWHERE_BASIN``; a particle that diverged by then is ``DIVERGED_BASIN``.
    A particle orbiting a minimum therefore keeps that minimum's colour. The
    descents are tabulated once per simulation (``BasinAtlas``).
    """
    dist_tol = DEFAULT_DIST_TOL if dist_tol is None else dist_tol
    run = sim.runs[run_index]
    step, column = _shown_step(sim, step)
    minima = [p for p in sim.critical_points() if p.kind in ("global_min", "local_min")]
    cache = sim.__dict__.setdefault("_basin_cache", {})
    key = (run_index, column, float(dist_tol), sim.generation)  # a recompute: new labels
    labels = cache.get(key)
    if labels is None:
        atlases = sim.__dict__.setdefault("_basin_atlases", {})
        if key[2] not in atlases:  # once per surface and tolerance (a recompute keeps both)
            atlases[key[2]] = BasinAtlas(
                sim.surface.reference, sim.surface_params, minima, sim.domain, dist_tol
            )
        diverged = (run.frozen_at >= 0) & (run.frozen_at <= step)
        labels = atlases[key[2]].classify(run.x[:, column], run.y[:, column], skip=diverged)
        labels[diverged] = DIVERGED_BASIN
        if column < sim.recorded_upto():  # a computed column never changes
            if len(cache) >= BASIN_CACHE_SIZE:
                cache.pop(next(iter(cache)))
            cache[key] = labels
    return minima, labels.copy()


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
    step, last_column = _shown_step(sim, step)
    columns = last_column + 1
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
        hits_loss, hits_dist = _first_hits(sim, run_index, floor, minima, loss_tol, dist_tol)
        iterations_loss = np.where(hits_loss <= step, hits_loss, np.nan)
        iterations_dist = np.where(hits_dist <= step, hits_dist, np.nan)
        mx = np.array([p.x for p in minima])
        my = np.array([p.y for p in minima])
        end_dist = np.hypot(end_x[:, None] - mx[None, :], end_y[:, None] - my[None, :])
        nearest_end = end_dist[np.arange(sim.n_particles), np.argmin(end_dist, axis=1)]
        distance = np.where(alive, nearest_end, np.nan)
        _, labels = basin_assignments(sim, run_index, step, dist_tol)
        for index, point in enumerate(minima):
            count = int(np.count_nonzero(labels == index))
            if count:
                basins[minimum_label(point)] = count
        elsewhere = int(np.count_nonzero(labels == ELSEWHERE_BASIN))
        if elsewhere:
            basins["elsewhere"] = elsewhere
        # labels -1 (elsewhere) and -2 (diverged) index the two False entries at the end
        is_global = np.array([p.kind == "global_min" for p in minima] + [False, False])
        global_fraction = float(np.count_nonzero(is_global[labels])) / sim.n_particles
    eigen = hessian_eigenvalues(sim, end_x[alive], end_y[alive])
    sharp = eigen[:, 1][np.isfinite(eigen[:, 1])]
    flat = eigen[:, 0][np.isfinite(eigen[:, 0])]
    finite_loss = end_loss[alive & np.isfinite(end_loss)]  # diverged ones are counted apart
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
        sharpness_median=float(np.median(sharp)) if sharp.size else float("nan"),
        sharpness_max=float(sharp.max()) if sharp.size else float("nan"),
        flatness_median=float(np.median(flat)) if flat.size else float("nan"),
        dist_reached_fraction=(
            float(np.count_nonzero(np.isfinite(iterations_dist))) / sim.n_particles
            if minima
            else float("nan")
        ),
    )


def stats_table(sim: Simulation, step: int | None = None, **tolerances) -> list[RunStats]:
    """One RunStats per run, side by side."""
    return [compute_run_stats(sim, r, step=step, **tolerances) for r in range(sim.n_runs)]
