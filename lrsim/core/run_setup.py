"""A Simulation's set-up before any step: surface, starts, curves, budget, which engine.

Split from ``engine.py`` (which keeps the Simulation and its stepping): everything
here is computed once from the run file, and the reference engine and the streamed
export use the same functions, so their numbers and sizes are the engine's.
"""

from __future__ import annotations

import math

import numpy as np

from lrsim.core import kernel, lbfgs_kernel
from lrsim.core.engine_checks import curve_bytes
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunConfig, RunFile
from lrsim.core.surfaces.rotation import rotated

STATE_BYTES_PER_PARTICLE = 8 * (kernel.OPT_BASE + 6)
"""State bytes per particle of a run whose optimizer has at most 6 slots (more: 8 per slot)."""
START_BYTES_PER_PARTICLE = 8 * 2 * 4  # the (N, 2) starts and a grid's or a draw's temporaries

REFERENCE_PARTICLE_STEPS = 2_000_000
"""On a cold numba cache, simulations up to this size run in NumPy (``warmup``)."""


def run_learning_rates(run: RunConfig):
    """(lr each update uses, momentum each update uses, gradient scale per update or empty).

    Under ``loss_decay`` the schedule's factor lr(t) / lr moves from the rate to the
    loss: the optimizer keeps its base lr and every gradient is multiplied instead
    (the parser refuses loss_decay with lr 0). ``maximize`` (torch's: the gradient's
    sign flipped before the update) multiplies every scale by -1, which is exact.
    """
    optimizer = run.optimizer
    schedule_lrs, moms = run.schedule.curves(optimizer.lr, optimizer.base_momentum)
    schedule_lrs = np.ascontiguousarray(schedule_lrs, dtype=np.float64)
    if not run.loss_decay:
        lrs, scales = schedule_lrs, np.zeros(0)
    else:
        base_lr = optimizer.lr
        lrs, scales = np.full_like(schedule_lrs, base_lr), schedule_lrs / base_lr
    if optimizer.maximize:
        scales = -scales if scales.size else np.full_like(schedule_lrs, -1.0)
    return lrs, moms, scales


def resolve_surface(runfile: RunFile):
    """(Surface, its parameter vector, the domain) of the run file.

    A ``rotate`` other than a whole turn wraps the surface in a ``RotatedSurface``.
    """
    config = runfile.surface
    if config.formula is not None:
        from lrsim.core.surfaces.formula import formula_surface

        try:
            surface = formula_surface(config.formula, dict(config.params), config.domain)
        except ConfigError as error:
            raise error.within("surface.formula") from None
    else:
        from lrsim.core.surfaces import get_surface

        surface = get_surface(config.name)
    try:
        params = surface.param_vector(config.params)
    except ConfigError as error:
        raise error.within("surface.params") from None
    domain = config.domain if config.domain is not None else surface.domain
    return rotated(surface, config.rotate), params, domain


def start_points(runfile: RunFile, domain) -> np.ndarray:
    """The (N, 2) starts every run shares: explicit, seeded uniform, or cell centres of a grid."""
    parts = runfile.particles
    (xmin, xmax), (ymin, ymax) = domain
    if parts.points is not None:
        return np.array(parts.points, dtype=np.float64).reshape(-1, 2)
    if parts.random is not None:
        n, seed = parts.random
        rng = np.random.default_rng(seed)
        return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    assert parts.grid is not None
    nx, ny = parts.grid
    xs = xmin + (np.arange(nx) + 0.5) * (xmax - xmin) / nx
    ys = ymin + (np.arange(ny) + 0.5) * (ymax - ymin) / ny
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def recording_plan(steps: int, bytes_per_step: int, budget: int) -> tuple[int, np.ndarray]:
    """(stride, recorded steps): every step if it fits the budget, else every k-th and the last."""
    stride = max(1, math.ceil(bytes_per_step * (steps + 1) / budget)) if budget > 0 else 1
    recorded = np.arange(0, steps + 1, stride, dtype=np.int64)
    if recorded[-1] != steps:
        recorded = np.append(recorded, steps)
    return stride, recorded


def choose_engine(engine: str, particle_steps: int) -> str:
    if engine not in ("auto", "kernel", "reference"):
        raise ValueError(f"engine must be auto, kernel or reference, got {engine!r}")
    if engine != "auto":
        return engine
    from lrsim.core.warmup import use_numpy

    return "reference" if use_numpy() and particle_steps <= REFERENCE_PARTICLE_STEPS else "kernel"


def state_bytes_per_particle(run: RunConfig) -> int:
    """Bytes of kernel state per particle of ``run``."""
    optimizer = run.optimizer
    if optimizer.name == "lbfgs":
        return STATE_BYTES_PER_PARTICLE + lbfgs_kernel.state_bytes(optimizer.params)
    return STATE_BYTES_PER_PARTICLE + 8 * max(0, optimizer.spec.n_slots - 6)


def budget_terms(runfile: RunFile, stride: int | None):
    """(bytes per recorded step, state bytes, fixed bytes, recorded steps) of a simulation."""
    n, steps = runfile.particles.count, runfile.steps
    per_step = sum(8 * n * (4 if run.schedule.per_particle else 3) for run in runfile.runs)
    # what cannot be thinned by recording every k-th step: optimizer state and curves
    state_bytes = n * sum(state_bytes_per_particle(run) for run in runfile.runs)
    state_bytes += START_BYTES_PER_PARTICLE * n
    fixed_bytes = state_bytes + curve_bytes(steps, len(runfile.runs))
    if stride is not None and (isinstance(stride, bool) or not int(stride) >= 1):
        raise ConfigError("stride", f"must be a positive integer, got {stride!r}")
    kept = len(recording_plan(steps, stride, steps + 1)[1]) if stride else steps + 1
    return per_step, state_bytes, fixed_bytes, kept
