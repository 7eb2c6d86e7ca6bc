"""Finding a surface's critical points for any parameter vector.

A finder is ``find(p) -> [(x, y, category), ...]`` with category "min",
"saddle" or "max"; ``surfaces`` turns the list into labelled ``CriticalPoint``s.
Closed forms are used where they exist. Otherwise ``refine`` runs Newton's
method on the exact gradient (the NumPy reference, vectorised over all seeds)
with a central-difference Hessian, and keeps the points that converge, are
non-degenerate and have the expected kind, so changed parameters move the
points or drop the ones that no longer exist.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lrsim.core.surfaces import reference

Seed = tuple[float, float, str | None]  # x, y and the expected "min" | "saddle" | "max" (None: any)
Finder = Callable[[np.ndarray], list[Seed]]
Box = tuple[tuple[float, float], tuple[float, float]]


def _hessian(ref, x, y, p):
    """Central differences of the exact gradient: (hxx, hxy, hyy), symmetrised."""
    hx = 1e-5 * np.maximum(1.0, np.abs(x))
    hy = 1e-5 * np.maximum(1.0, np.abs(y))
    _, gx_right, gy_right = ref(x + hx, y, p)
    _, gx_left, gy_left = ref(x - hx, y, p)
    _, gx_up, gy_up = ref(x, y + hy, p)
    _, gx_down, gy_down = ref(x, y - hy, p)
    width = (x + hx) - (x - hx)
    height = (y + hy) - (y - hy)
    hxy = 0.5 * ((gy_right - gy_left) / width + (gx_up - gx_down) / height)
    return (gx_right - gx_left) / width, hxy, (gy_up - gy_down) / height


def _eigenvalues(hxx, hxy, hyy):
    """(smaller, larger) eigenvalue of the symmetric 2x2 matrix."""
    mean = 0.5 * (hxx + hyy)
    spread = np.hypot(0.5 * (hxx - hyy), hxy)
    return mean - spread, mean + spread


def _category(low: float, high: float) -> str | None:
    """ "min", "saddle" or "max" from the Hessian eigenvalues; None if degenerate."""
    tol = 1e-7 * max(abs(low), abs(high))
    if low > tol:
        return "min"
    if high < -tol:
        return "max"
    if low < -tol and high > tol:
        return "saddle"
    return None


def refine(ref, p: np.ndarray, seeds: list[Seed], within: Box | None = None) -> list[Seed]:
    """Newton's method from every seed: the converged, non-degenerate, distinct points.

    A seed converging to a kind other than the one it expects is dropped;
    ``within`` drops points outside that box. Of coinciding points the first
    seed's is kept, so list exact seeds first.
    """
    x = np.array([seed[0] for seed in seeds], np.float64)
    y = np.array([seed[1] for seed in seeds], np.float64)
    step = np.full(x.shape, np.inf)
    with np.errstate(all="ignore"):
        for _ in range(60):
            _, gx, gy = ref(x, y, p)
            hxx, hxy, hyy = _hessian(ref, x, y, p)
            det = hxx * hyy - hxy * hxy
            dx = (hyy * gx - hxy * gy) / det
            dy = (hxx * gy - hxy * gx) / det
            x, y = x - dx, y - dy
            step = np.hypot(dx, dy)
            if np.all(~np.isfinite(step) | (step <= 1e-15 * (1.0 + np.hypot(x, y)))):
                break
        low, high = _eigenvalues(*_hessian(ref, x, y, p))
    converged = np.isfinite(x) & np.isfinite(y) & (step <= 1e-10 * (1.0 + np.hypot(x, y)))
    if within is not None:
        (xmin, xmax), (ymin, ymax) = within
        converged &= (xmin <= x) & (x <= xmax) & (ymin <= y) & (y <= ymax)
    kept: list[Seed] = []
    for i in np.flatnonzero(converged):
        category = _category(low[i], high[i])
        if category is None or seeds[i][2] not in (None, category):
            continue
        tol = 1e-7 * (1.0 + abs(x[i]) + abs(y[i]))
        if any(abs(x[i] - kx) <= tol and abs(y[i] - ky) <= tol for kx, ky, _ in kept):
            continue
        kept.append((float(x[i]), float(y[i]), category))
    return kept


def seeded(ref, seeds: list[Seed]) -> Finder:
    """A finder that refines fixed seeds (REFERENCE's 6-decimal coordinates)."""
    return lambda p: refine(ref, p, seeds)


def half_lattice(ref, box: Box) -> Finder:
    """A finder that refines every point of the (k/2, l/2) lattice inside ``box``.

    Suits separable egg-box surfaces (Rastrigin): their critical points sit near
    that lattice, minima near integers. Seeds nearest the origin come first so
    an exact critical point there is kept exactly.
    """
    (xmin, xmax), (ymin, ymax) = box
    xs = np.arange(math.ceil(2 * xmin), math.floor(2 * xmax) + 1) / 2.0
    ys = np.arange(math.ceil(2 * ymin), math.floor(2 * ymax) + 1) / 2.0
    seeds = sorted(((float(x), float(y), None) for y in ys for x in xs), key=_taxicab)
    return lambda p: refine(ref, p, seeds, within=box)


def _taxicab(seed: Seed) -> float:
    return abs(seed[0]) + abs(seed[1])


def quadratic_points(p: np.ndarray) -> list[Seed]:
    """0.5 (a x^2 + b y^2): the origin, a minimum, maximum or saddle by the signs of a, b."""
    a, b = p
    if a >= 0.0 and b >= 0.0:
        return [(0.0, 0.0, "min")]
    return [(0.0, 0.0, "max" if a <= 0.0 and b <= 0.0 else "saddle")]


def saddle_points(p: np.ndarray) -> list[Seed]:
    """a x^2 - b y^2 is the quadratic with curvatures 2a and -2b."""
    return quadratic_points(np.array([p[0], -p[1]]))


def rosenbrock_points(p: np.ndarray) -> list[Seed]:
    """(a, a^2) is the only critical point; its Hessian determinant is 4b."""
    a, b = p
    return [(float(a), float(a * a), "min" if b >= 0.0 else "saddle")]


ACKLEY_NEAREST = ((0.952167, 0.0), (-0.952167, 0.0), (0.0, 0.952167), (0.0, -0.952167))


def ackley_points(p: np.ndarray) -> list[Seed]:
    """The origin (f = 0, a minimum where the gradient is undefined) and the nearest ripples.

    Needs a, b, c > 0. The ripple minima are seeded at REFERENCE's positions
    scaled by the ripple period 2 pi / c.
    """
    period = 2.0 * math.pi / p[2]
    seeds = [(x * period, y * period, "min") for x, y in ACKLEY_NEAREST]
    return [(0.0, 0.0, "min"), *refine(reference.ackley, p, seeds)]


def two_basin_points(p: np.ndarray) -> list[Seed]:
    """The bowl's minimum and, if they exist, the well's minimum and the saddle between.

    The gradient 2c q + (A G / s^2)(q - q0) can vanish only on the line through
    the origin and the well's centre q0 (c > 0), so the search is 1-D: along it,
    more than 15 s from q0 the Gaussian is below e^-112 and the only root is the
    bowl's, next to the origin; within 15 s the slope is scanned for sign
    changes and bisected. Newton then polishes and classifies every root.
    """
    c, big_a, s, x0, y0 = p
    distance = math.hypot(x0, y0)
    seeds: list[Seed] = [(0.0, 0.0, None)]
    if distance > 0.0:
        ux, uy = x0 / distance, y0 / distance

        def slope(t):
            _, gx, gy = reference.two_basin(t * ux, t * uy, p)
            return gx * ux + gy * uy

        t = np.linspace(distance - 15.0 * s, distance + 15.0 * s, 1201)
        g = slope(t)
        bracket = np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) <= 0.0)
        low, high, g_low = t[bracket], t[bracket + 1], g[bracket]
        for _ in range(80):
            mid = 0.5 * (low + high)
            g_mid = slope(mid)
            left = np.sign(g_mid) == np.sign(g_low)
            low, g_low = np.where(left, mid, low), np.where(left, g_mid, g_low)
            high = np.where(left, high, mid)
        seeds += [(r * ux, r * uy, None) for r in 0.5 * (low + high)]
    return refine(reference.two_basin, p, seeds)
