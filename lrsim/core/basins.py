"""Which minimum's basin of attraction a point lies in: where its descent ends.

A basin of attraction is the set of points whose descent ends in a minimum, so
the rule follows the descent rather than the distance: from each point lrsim
continues a short, exact, monotone descent on the surface (NumPy, vectorised
over the points) and names the known minimum where it ends. The optimizer's own
path is not used: it may orbit a minimum, overshoot or sit in a narrow valley
far from the bottom, and the question is which minimum the landscape leads it
to, not where it happens to be at this step.

The descent (``DESCENT_STEPS`` iterations at most, stopping early per point):

- where the Hessian is positive definite, a Newton step ``-H^-1 g`` (it reaches
  the bottom of a convex bowl or a curved valley in a few steps);
- elsewhere a gradient step of length ``MAX_STEP_FRACTION`` of the domain diagonal;
- every step is at most that long and is halved (up to ``BACKTRACKS`` times)
  until the loss falls, so the descent never climbs over a ridge into a
  neighbouring basin.

The point then belongs to the nearest known minimum if the descent ended within
``END_RADIUS_FRACTION`` of the domain diagonal (or ``dist_tol``, if larger) of
it; otherwise it is "elsewhere" (a flat plateau, a minimum the surface does not
list, or a descent still under way after ``DESCENT_STEPS``).

``BasinAtlas`` makes it cheap enough to follow the playback: it runs the descent
once from every node of an ``ATLAS_NODES`` x ``ATLAS_NODES`` grid over the domain
and a margin around it (where a large lr throws particles); a point inside a
cell whose four corners agree takes their basin, and only points in cells on a
basin's border (corners disagree) or beyond the margin run their own descent.
"""

from __future__ import annotations

import numpy as np

BASIN_RULE = (
    "A particle is in the basin of the known minimum where a short, exact descent of the "
    "loss from its position ends (Newton steps where the surface curves up, small gradient "
    'steps elsewhere, the loss falling at every step); "elsewhere" when that descent ends '
    "away from every known minimum (a plateau, a saddle, an unlisted minimum)."
)
"""The rule in one sentence, for tooltips and docs."""

DESCENT_STEPS = 60
MAX_STEP_FRACTION = 0.02
"""Longest descent step, as a fraction of the domain diagonal."""
END_RADIUS_FRACTION = 0.005
"""A descent that ends this close (fraction of the diagonal) to a known minimum is in its basin."""
BACKTRACKS = 12
CHUNK = 65_536  # points per vectorised batch: bounded temporaries
ATLAS_NODES = 193  # per side of the atlas box: cells of 1/96 of the domain
ATLAS_MARGIN = 0.5  # the atlas box reaches this fraction of the domain beyond each side


def hessian_entries(reference, x, y, p):
    """(hxx, hxy, hyy) by central differences of the exact gradient (symmetrised), with a
    step scaled to the point; the statistics' sharpness uses the same."""
    h = 1e-5 * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
    _, gx_xp, gy_xp = reference(x + h, y, p)
    _, gx_xm, gy_xm = reference(x - h, y, p)
    _, gx_yp, gy_yp = reference(x, y + h, p)
    _, gx_ym, gy_ym = reference(x, y - h, p)
    hxx = (gx_xp - gx_xm) / (2 * h)
    hyy = (gy_yp - gy_ym) / (2 * h)
    hxy = 0.5 * ((gy_xp - gy_xm) + (gx_yp - gx_ym)) / (2 * h)
    return hxx, hxy, hyy


def descend(reference, p, x, y, diagonal: float) -> tuple[np.ndarray, np.ndarray]:
    """Where a monotone Newton / gradient descent from (x, y) ends (see the module)."""
    x = np.array(x, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    max_step = MAX_STEP_FRACTION * diagonal
    done_below = 1e-10 * diagonal
    with np.errstate(all="ignore"):
        f, gx, gy = reference(x, y, p)
        active = np.flatnonzero(np.isfinite(f) & np.isfinite(gx) & np.isfinite(gy))
        for _ in range(DESCENT_STEPS):
            if active.size == 0:
                break
            ax, ay, af = x[active], y[active], f[active]
            agx, agy = gx[active], gy[active]
            hxx, hxy, hyy = hessian_entries(reference, ax, ay, p)
            det = hxx * hyy - hxy * hxy
            convex = (hxx > 0) & (det > 0) & np.isfinite(det)
            safe_det = np.where(convex, det, 1.0)
            dx = np.where(convex, -(hyy * agx - hxy * agy) / safe_det, -agx)
            dy = np.where(convex, -(hxx * agy - hxy * agx) / safe_det, -agy)
            length = np.hypot(dx, dy)
            # gradient steps always take the longest step; Newton steps at most that
            scale = np.where(convex, np.minimum(1.0, max_step / np.maximum(length, 1e-300)), 0.0)
            scale = np.where(convex, scale, max_step / np.maximum(length, 1e-300))
            scale = np.where(np.isfinite(scale) & (length > 0), scale, 0.0)
            moved = np.zeros(active.size, dtype=bool)
            new_x, new_y, new_f = ax.copy(), ay.copy(), af.copy()
            new_gx, new_gy = agx.copy(), agy.copy()
            trying = np.flatnonzero(scale > 0)
            for _ in range(BACKTRACKS):
                if trying.size == 0:
                    break
                tx = ax[trying] + scale[trying] * dx[trying]
                ty = ay[trying] + scale[trying] * dy[trying]
                tf, tgx, tgy = reference(tx, ty, p)
                better = np.isfinite(tf) & (tf < af[trying])
                won = trying[better]
                new_x[won], new_y[won], new_f[won] = tx[better], ty[better], tf[better]
                new_gx[won], new_gy[won] = tgx[better], tgy[better]
                moved[won] = True
                trying = trying[~better]
                scale[trying] *= 0.5
            step = np.hypot(new_x - ax, new_y - ay)
            x[active], y[active], f[active] = new_x, new_y, new_f
            gx[active], gy[active] = new_gx, new_gy
            active = active[moved & (step > done_below)]
    return x, y


def classify(reference, p, x, y, minima, domain, dist_tol: float) -> np.ndarray:
    """Index into ``minima`` of the basin each point's descent ends in (-1: elsewhere)."""
    (xmin, xmax), (ymin, ymax) = domain
    diagonal = float(np.hypot(xmax - xmin, ymax - ymin))
    labels = np.full(len(x), -1, dtype=np.int64)
    if not minima or len(x) == 0:
        return labels
    mx = np.array([point.x for point in minima])
    my = np.array([point.y for point in minima])
    radius = max(dist_tol, END_RADIUS_FRACTION * diagonal)
    for lo in range(0, len(x), CHUNK):
        end_x, end_y = descend(reference, p, x[lo : lo + CHUNK], y[lo : lo + CHUNK], diagonal)
        distance = np.hypot(end_x[:, None] - mx, end_y[:, None] - my)
        nearest = np.argmin(distance, axis=1)
        inside = distance[np.arange(len(end_x)), nearest] <= radius
        labels[lo : lo + CHUNK] = np.where(inside, nearest, -1)
    return labels


class BasinAtlas:
    """The basin of every node of a grid over the domain, computed once (see the module)."""

    def __init__(self, reference, p, minima, domain, dist_tol: float):
        self._args = (reference, p, minima, domain, dist_tol)
        (xmin, xmax), (ymin, ymax) = domain
        pad_x, pad_y = ATLAS_MARGIN * (xmax - xmin), ATLAS_MARGIN * (ymax - ymin)
        self.xmin, xmax = xmin - pad_x, xmax + pad_x
        self.ymin, ymax = ymin - pad_y, ymax + pad_y
        self.dx = (xmax - self.xmin) / (ATLAS_NODES - 1)
        self.dy = (ymax - self.ymin) / (ATLAS_NODES - 1)
        xs = np.linspace(self.xmin, xmax, ATLAS_NODES)
        ys = np.linspace(self.ymin, ymax, ATLAS_NODES)
        grid_x, grid_y = np.meshgrid(xs, ys)
        nodes = classify(reference, p, grid_x.ravel(), grid_y.ravel(), minima, domain, dist_tol)
        self.nodes = nodes.reshape(ATLAS_NODES, ATLAS_NODES)  # [row (y), column (x)]

    def classify(self, x, y, skip=None) -> np.ndarray:
        """Index into the minima of each point's basin (-1: elsewhere), as ``classify`` gives;
        points where ``skip`` is True get -1 without a descent (diverged particles)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            fx = (x - self.xmin) / self.dx
            fy = (y - self.ymin) / self.dy
            inside = (fx >= 0) & (fx <= ATLAS_NODES - 1) & (fy >= 0) & (fy <= ATLAS_NODES - 1)
        col = np.clip(np.floor(np.where(inside, fx, 0)).astype(np.int64), 0, ATLAS_NODES - 2)
        row = np.clip(np.floor(np.where(inside, fy, 0)).astype(np.int64), 0, ATLAS_NODES - 2)
        corner = self.nodes[row, col]
        same = (
            (corner == self.nodes[row, col + 1])
            & (corner == self.nodes[row + 1, col])
            & (corner == self.nodes[row + 1, col + 1])
        )
        labels = np.where(inside & same, corner, -1)
        wanted = np.isfinite(x) & np.isfinite(y) if skip is None else ~skip & np.isfinite(x)
        own = np.flatnonzero(~(inside & same) & wanted & np.isfinite(y))
        if own.size:
            reference, p, minima, domain, dist_tol = self._args
            labels[own] = classify(reference, p, x[own], y[own], minima, domain, dist_tol)
        return labels
