"""Where the learning rate lives: 2 / lambda_max and the sharpness along a run.

Gradient descent on a quadratic with largest Hessian eigenvalue lambda_max
settles only when ``lr < 2 / lambda_max`` (the update multiplies the error
along that eigenvector by ``1 - lr * lambda_max``). ``stable_lr`` is that bound
at the surface's sharpest minimum; ``sharpness_along`` is the median, over the
particles still running, of the largest Hessian eigenvalue at each recorded
step, to set against ``2 / lr`` ("edge of stability").
"""

from __future__ import annotations

import numpy as np

from lrsim.core.engine import Simulation
from lrsim.core.stats import hessian_eigenvalues


def max_sharpness(sim: Simulation) -> float:
    """The largest Hessian eigenvalue over the surface's known minima (NaN without one)."""
    minima = [p for p in sim.critical_points() if p.kind in ("global_min", "local_min")]
    if not minima:
        return float("nan")
    x = np.array([p.x for p in minima], dtype=float)
    y = np.array([p.y for p in minima], dtype=float)
    eigen = hessian_eigenvalues(sim, x, y)[:, 1]
    eigen = eigen[np.isfinite(eigen)]
    return float(eigen.max()) if eigen.size else float("nan")


def stable_lr(sim: Simulation) -> float:
    """2 / lambda_max at the sharpest minimum: plain gradient descent settles there below it
    (NaN when the surface has no known minimum or is flat there)."""
    sharpness = max_sharpness(sim)
    return 2.0 / sharpness if np.isfinite(sharpness) and sharpness > 0 else float("nan")


def sharpness_along(sim: Simulation, run_index: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps, median largest Hessian eigenvalue) at each computed recorded column of a run."""
    run = sim.runs[run_index]
    upto = max(1, sim.recorded_upto())
    x, y = run.x[:, :upto], run.y[:, :upto]
    eigen = hessian_eigenvalues(sim, x.ravel(), y.ravel())[:, 1].reshape(x.shape)
    with np.errstate(all="ignore"):
        finite = np.isfinite(eigen)
        counts = finite.sum(axis=0)
        filled = np.where(finite, eigen, np.nan)
        median = np.full(upto, np.nan)
        has = counts > 0
        median[has] = np.nanmedian(filled[:, has], axis=0)
    return np.asarray(sim.recorded_steps[:upto], dtype=float), median
