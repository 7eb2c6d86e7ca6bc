"""What the surface views draw, as plain NumPy: grid, colour scale, isolines, level of detail.

Nothing here touches Qt, so the numbers behind every view (the colour scale,
the isoline segments, which particles keep a trail, which particles count as
diverged at a step) are computed once, shared by the contour and 3D views and
tested without a display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GRID_SIZE = 300
"""Samples along the longer side of the domain for the contour heat map."""

HISTORY_BUDGET = 120_000
"""Crosses (and trail points) drawn over all visible runs before the level of detail
keeps the history of only a subset of particles."""

MIN_HISTORY_PARTICLES = 100
"""The subset never shrinks below this many particles per run (or all of them)."""

MAX_HISTORY_PARTICLES = 500
"""Nor grows past this many per run once the budget is exceeded."""

ISOLINE_COUNT = 14

_GRID_CACHE: dict[tuple, tuple[object, np.ndarray, np.ndarray, np.ndarray]] = {}
_GRID_CACHE_SIZE = 6


# ----------------------------------------------------------------------------- titles

TITLE_LIMIT = 30  # characters of a formula shown as a view's title


def short_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """A title that fits a view: itself if short, else the head of a formula cut after a
    whole top-level term ("x**2 + y**2 + …"), or its first ``limit`` characters and "…".
    """
    title = " ".join(str(title).split())
    if len(title) <= limit:
        return title
    depth, cuts = 0, []
    for index, char in enumerate(title):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char in "+-" and 0 < index and title[index - 1] == " ":
            cuts.append(index)
    fitting = [cut for cut in cuts if cut - 1 <= limit - 4]
    if fitting:
        cut = fitting[-1]
        return f"{title[: cut - 1]} {title[cut]} …"
    return title[: limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- the grid


def grid_axes(domain, size: int = GRID_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Sample positions along x and y: ``size`` on the longer side, square cells if possible."""
    (xmin, xmax), (ymin, ymax) = domain
    width, height = float(xmax - xmin), float(ymax - ymin)
    longest = max(width, height)
    nx = max(16, round(size * width / longest))
    ny = max(16, round(size * height / longest))
    return np.linspace(xmin, xmax, nx), np.linspace(ymin, ymax, ny)


def same_surface(old, new) -> bool:
    """Whether simulation ``new`` shows the same surface, parameters and domain as ``old``
    (None: no): a view then keeps its grid, colour scale and range."""
    return old is not None and (
        old.surface is new.surface
        and np.array_equal(old.surface_params, new.surface_params)
        and tuple(map(tuple, old.domain)) == tuple(map(tuple, new.domain))
    )


def surface_grid(sim, size: int = GRID_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, f) with f of shape (len(ys), len(xs)); non-finite values become NaN.

    Cached per (surface, parameters, domain, size), so the several views of one
    scene, and a scene rebuilt with new optimizer settings, evaluate it once.
    """
    surface, params, domain = sim.surface, np.asarray(sim.surface_params, np.float64), sim.domain
    key = (
        id(surface),
        tuple(params.tolist()),
        tuple(map(tuple, domain)),
        size,
    )
    hit = _GRID_CACHE.get(key)
    if hit is not None and hit[0] is surface:
        return hit[1], hit[2], hit[3]
    xs, ys = grid_axes(domain, size)
    with np.errstate(all="ignore"):
        values = np.array(surface.evaluate_grid(xs, ys, params), dtype=np.float64)
    values[~np.isfinite(values)] = np.nan
    values.setflags(write=False)
    if len(_GRID_CACHE) >= _GRID_CACHE_SIZE:
        _GRID_CACHE.pop(next(iter(_GRID_CACHE)))
    _GRID_CACHE[key] = (surface, xs, ys, values)  # the surface itself keeps id() unique
    return xs, ys, values


# ----------------------------------------------------------------------------- colour scale


@dataclass(frozen=True)
class ColorScale:
    """Loss -> displayed value: ``f`` (linear) or ``log10(f - floor)`` (log).

    ``floor`` is the lowest value on the grid (or of the known minima) less a small
    offset, ``10**-decades`` of the value range, so the deepest point sits at most
    ``decades`` decades below the highest and the log never sees zero. ``levels`` is the range of
    displayed values over the grid: the colour bar's ends and the 3D height range.
    """

    log: bool
    floor: float
    levels: tuple[float, float]

    @classmethod
    def for_grid(
        cls, values: np.ndarray, log: bool, known_min: float | None = None, decades: float = 6.0
    ) -> ColorScale:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return cls(log, 0.0, (0.0, 1.0))
        low, high = float(finite.min()), float(finite.max())
        if known_min is not None and math.isfinite(known_min):
            low = min(low, known_min)
        spread = high - low
        offset = max(spread * 10.0**-decades, abs(low) * 1e-12, 1e-300)
        floor = low - offset
        scale = cls(log, floor, (0.0, 1.0))
        shown = scale.apply(finite)
        lo, hi = float(shown.min()), float(shown.max())
        if not hi > lo:
            hi = lo + 1.0
        return cls(log, floor, (lo, hi))

    def apply(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if not self.log:
            return values
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(values - self.floor, 1e-300))

    def normalised(self, values: np.ndarray) -> np.ndarray:
        """Displayed values mapped to 0..1 over ``levels`` (clipped; NaN stays NaN)."""
        lo, hi = self.levels
        return np.clip((self.apply(values) - lo) / (hi - lo), 0.0, 1.0)

    def isoline_levels(self, count: int = ISOLINE_COUNT) -> np.ndarray:
        """``count`` levels evenly spaced in displayed value, strictly inside ``levels``."""
        lo, hi = self.levels
        return lo + (hi - lo) * np.arange(1, count + 1) / (count + 1)

    def decade_ticks(self) -> list[tuple[float, str]]:
        """Colour-bar ticks for the log scale: whole decades of ``f - f_min``."""
        lo, hi = self.levels
        first, last = math.ceil(lo), math.floor(hi)
        step = max(1, math.ceil((last - first + 1) / 8))
        return [(float(k), _decade_label(k)) for k in range(first, last + 1, step)]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[tuple[float, str]]:
    """About ``count`` round values (1, 2, 2.5 or 5 times a power of ten apart) in lo..hi."""
    if not hi > lo:
        return [(lo, f"{lo:.3g}")]
    raw = (hi - lo) / max(1, count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= 0.8 * raw)
    first = math.ceil(lo / step) * step
    values = np.arange(first, hi + step * 1e-9, step)
    return [(float(v), f"{v:.4g}") for v in values + 0.0]


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_label(exponent: int) -> str:
    if exponent == 0:
        return "1"
    if exponent == 1:
        return "10"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


# ----------------------------------------------------------------------------- isolines

# Marching squares: corner bits 1 = (i, j), 2 = (i, j+1), 4 = (i+1, j+1), 8 = (i+1, j);
# edges 0 = bottom (i, j)-(i, j+1), 1 = right, 2 = top (i+1, j)-(i+1, j+1), 3 = left.
_CASE_SEGMENTS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((3, 0),),
    2: ((0, 1),),
    3: ((3, 1),),
    4: ((1, 2),),
    5: ((3, 0), (1, 2)),
    6: ((0, 2),),
    7: ((3, 2),),
    8: ((2, 3),),
    9: ((2, 0),),
    10: ((0, 1), (2, 3)),
    11: ((2, 1),),
    12: ((1, 3),),
    13: ((1, 0),),
    14: ((0, 3),),
}


def isoline_segments(
    xs: np.ndarray, ys: np.ndarray, shown: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All isolines as line segments: x, y of length 2 * segments (pairs, for connect='pairs').

    A vectorised marching squares over ``shown`` (ny, nx), the displayed values;
    cells with a NaN corner are skipped.
    """
    v00, v01 = shown[:-1, :-1], shown[:-1, 1:]
    v11, v10 = shown[1:, 1:], shown[1:, :-1]
    valid = np.isfinite(v00) & np.isfinite(v01) & np.isfinite(v11) & np.isfinite(v10)
    x0, x1 = xs[:-1][None, :], xs[1:][None, :]
    y0, y1 = ys[:-1][:, None], ys[1:][:, None]
    out_x: list[np.ndarray] = []
    out_y: list[np.ndarray] = []
    with np.errstate(all="ignore"):
        for level in levels:
            case = (
                (v00 > level).astype(np.int8)
                | (v01 > level) << 1
                | (v11 > level) << 2
                | (v10 > level) << 3
            )
            case[~valid] = 0
            rows, cols = np.nonzero((case != 0) & (case != 15))
            if rows.size == 0:
                continue
            kinds = case[rows, cols]
            a, b = v00[rows, cols], v01[rows, cols]
            c, d = v11[rows, cols], v10[rows, cols]
            xl, xr = x0[0, cols], x1[0, cols]
            yb, yt = y0[rows, 0], y1[rows, 0]
            t_bottom = (level - a) / (b - a)
            t_right = (level - b) / (c - b)
            t_top = (level - d) / (c - d)
            t_left = (level - a) / (d - a)
            edge_x = (xl + t_bottom * (xr - xl), xr, xl + t_top * (xr - xl), xl)
            edge_y = (yb, yb + t_right * (yt - yb), yt, yb + t_left * (yt - yb))
            for kind, pairs in _CASE_SEGMENTS.items():
                mask = kinds == kind
                if not mask.any():
                    continue
                for start, end in pairs:
                    seg_x = np.empty((int(mask.sum()), 2))
                    seg_y = np.empty_like(seg_x)
                    seg_x[:, 0] = _pick(edge_x[start], mask)
                    seg_x[:, 1] = _pick(edge_x[end], mask)
                    seg_y[:, 0] = _pick(edge_y[start], mask)
                    seg_y[:, 1] = _pick(edge_y[end], mask)
                    out_x.append(seg_x.ravel())
                    out_y.append(seg_y.ravel())
    if not out_x:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(out_x), np.concatenate(out_y)


def _pick(values, mask):
    return values[mask] if np.ndim(values) else np.full(int(mask.sum()), values)


# ----------------------------------------------------------------------------- level of detail


@dataclass(frozen=True)
class DetailPlan:
    """Which particles of each run get their full history (trail + a cross per iteration).

    Every particle always shows its current position; ``history`` holds the indices
    (the same for every run, so runs stay comparable) whose trails and crosses are
    drawn. ``reduced`` says the level of detail dropped some, for the on-view note.
    """

    history: np.ndarray
    n_particles: int

    @property
    def reduced(self) -> bool:
        return len(self.history) < self.n_particles

    def note(self, long: bool = False) -> str:
        if not self.reduced:
            return ""
        if not long:
            return f"Trails for {len(self.history):,} of {self.n_particles:,} particles"
        return (
            f"Trails and marks for {len(self.history):,} of {self.n_particles:,} particles "
            "(evenly spread); current positions for all"
        )


def plan_detail(
    n_particles: int, n_columns: int, n_runs: int, budget: int = HISTORY_BUDGET
) -> DetailPlan:
    """Full history while particles x columns x visible runs fits ``budget``, else a subset.

    The subset is evenly spread over the particle indices (starts are seeded, so
    this is deterministic and representative), sized to fit the budget but kept
    between ``MIN_HISTORY_PARTICLES`` and ``MAX_HISTORY_PARTICLES`` per run.
    """
    n_runs = max(1, n_runs)
    if n_particles * n_columns * n_runs <= budget:
        return DetailPlan(np.arange(n_particles), n_particles)
    fit = budget // max(1, n_columns * n_runs)
    keep = int(min(n_particles, max(MIN_HISTORY_PARTICLES, min(MAX_HISTORY_PARTICLES, fit))))
    index = np.unique(np.linspace(0, n_particles - 1, keep).round().astype(np.int64))
    return DetailPlan(index, n_particles)


# ----------------------------------------------------------------------------- one frame


def diverged_at(frozen_at: np.ndarray, step: int) -> np.ndarray:
    """Particles that have diverged by ``step`` (frozen at an update <= step)."""
    return (frozen_at >= 0) & (frozen_at <= step)


def trail_polyline(x: np.ndarray, y: np.ndarray, column: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns 0..column of the (n, S) histories as one polyline with a NaN after each particle."""
    n = x.shape[0]
    out_x = np.full((n, column + 2), np.nan)
    out_y = np.full((n, column + 2), np.nan)
    out_x[:, : column + 1] = x[:, : column + 1]
    out_y[:, : column + 1] = y[:, : column + 1]
    return out_x.ravel(), out_y.ravel()


MAX_SADDLES = 40  # more than this many saddles are not marked


def landmarks(points) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """(xs, ys, kind) of the critical points the contour marks: stars on the minima (big
    for global), diamonds on saddles (none past ``MAX_SADDLES``: e.g. Rastrigin's 220
    would bury the heat map); maxima are not marked."""
    marks = []
    for kind in ("saddle", "local_min", "global_min"):
        chosen = [p for p in points if p.kind == kind]
        if kind == "saddle" and len(chosen) > MAX_SADDLES:
            continue
        if chosen:
            xs = np.array([p.x for p in chosen], dtype=np.float64)
            ys = np.array([p.y for p in chosen], dtype=np.float64)
            marks.append((xs, ys, kind))
    return marks
