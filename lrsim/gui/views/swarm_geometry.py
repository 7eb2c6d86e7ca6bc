"""Data to pixels for the swarm item, and its trail segments clipped near the plot area."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QTransform

FAR = 4000.0  # segments are clipped to the plot area grown by this many pixels
FADE_BANDS = (0.2, 0.45, 0.7, 1.0)  # opacity of a short trail's oldest..newest quarter


class Mapping:
    """Data -> layer pixels for a transform with no rotation (what a ViewBox makes)."""

    def __init__(self, transform: QTransform, origin: QPointF, size: tuple[float, float]):
        self.sx, self.sy = transform.m11(), transform.m22()
        self.dx, self.dy = transform.dx() - origin.x(), transform.dy() - origin.y()
        self.width, self.height = size

    def __call__(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            return x * self.sx + self.dx, y * self.sy + self.dy

    def inside(self, px: np.ndarray, py: np.ndarray, margin: float) -> np.ndarray:
        return (
            (px > -margin)
            & (px < self.width + margin)
            & (py > -margin)
            & (py < self.height + margin)
        )


def segments(px: np.ndarray, py: np.ndarray, mapping: Mapping) -> np.ndarray:
    """Consecutive columns of (n, k) pixel positions as (m, 4) segments x0, y0, x1, y1.

    Segments with a NaN end or of zero length are left out; one leaving the area
    (grown by ``FAR``) is cut where it leaves.
    """
    x0, y0 = px[:, :-1].ravel(), py[:, :-1].ravel()
    x1, y1 = px[:, 1:].ravel(), py[:, 1:].ravel()
    finite = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    moved = (x0 != x1) | (y0 != y1)
    keep = finite & moved
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    in0 = mapping.inside(x0, y0, FAR)
    in1 = mapping.inside(x1, y1, FAR)
    both = in0 & in1
    one = in0 ^ in1
    if one.any():  # pull the far end of a segment leaving the view back along it
        ax = np.where(in0, x0, x1)[one]
        ay = np.where(in0, y0, y1)[one]
        bx = np.where(in0, x1, x0)[one]
        by = np.where(in0, y1, y0)[one]
        t = np.minimum(
            _exit_fraction(ax, bx, -FAR, mapping.width + FAR),
            _exit_fraction(ay, by, -FAR, mapping.height + FAR),
        )
        bx, by = ax + t * (bx - ax), ay + t * (by - ay)
        cut = np.column_stack([ax, ay, bx, by])
    else:
        cut = np.zeros((0, 4))
    return np.concatenate([np.column_stack([x0, y0, x1, y1])[both], cut])


def _exit_fraction(a: np.ndarray, b: np.ndarray, low: float, high: float) -> np.ndarray:
    """Fraction of the way from a (inside [low, high]) to b where the segment leaves it."""
    with np.errstate(all="ignore"):
        t = np.where(b > high, (high - a) / (b - a), np.where(b < low, (low - a) / (b - a), 1.0))
    return np.clip(np.nan_to_num(t, nan=1.0), 0.0, 1.0)


@dataclass
class RunLayer:
    """One run as the item draws it: (N, S) histories, its colour and divergence."""

    color: str
    x: np.ndarray
    y: np.ndarray
    frozen_at: np.ndarray
    history: np.ndarray | None  # particle indices with trails and crosses; None = all
    index: int = 0  # the run's index in the simulation: its marker shapes
    opacity: float = 1.0  # 0..1: a run faded behind a highlighted one
    cut: np.ndarray | None = None  # per history particle: its first diverged column

    def columns(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """History particles' columns first..last inclusive, shape (n, last - first + 1)."""
        if self.history is None:
            x, y = self.x[:, first : last + 1], self.y[:, first : last + 1]
        else:
            x, y = self.x[self.history, first : last + 1], self.y[self.history, first : last + 1]
        if self.cut is None:
            return x, y
        # a diverged particle's history ends where it left: no streak to where it blew up
        gone = (first + np.arange(x.shape[1]))[None, :] >= self.cut[:, None]
        return np.where(gone, np.nan, x), np.where(gone, np.nan, y)

    def last_good(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """Every particle's position at ``column``, diverged ones where they were last."""
        x, y = self.x[:, column], self.y[:, column]
        if not (self.frozen_at >= 0).any():
            return x, y
        columns = np.minimum(column, self.all_cut - 1).clip(0)
        rows = np.arange(len(x))
        return self.x[rows, columns], self.y[rows, columns]

    @property
    def all_cut(self) -> np.ndarray:
        cut = getattr(self, "_all_cut", None)
        return prepare(self, np.arange(self.x.shape[1]))._all_cut if cut is None else cut


def prepare(run: RunLayer, steps: np.ndarray, domain=None) -> RunLayer:
    """Fill in where each diverged particle's history ends: the first column at or after
    its freezing step, or, given the ``domain``, the first column it is off the map on its
    way out (its marker then stays where it left, and no trail streaks across the map)."""
    frozen = run.frozen_at >= 0
    cut = np.where(
        frozen, np.searchsorted(steps, np.where(frozen, run.frozen_at, 0), side="left"), 1 << 60
    )
    rows = np.flatnonzero(frozen)
    if domain is not None and rows.size:
        (xmin, xmax), (ymin, ymax) = domain
        mx, my = 0.05 * (xmax - xmin), 0.05 * (ymax - ymin)
        x, y = run.x[rows], run.y[rows]
        with np.errstate(invalid="ignore"):
            off = ~((x >= xmin - mx) & (x <= xmax + mx) & (y >= ymin - my) & (y <= ymax + my))
        columns = np.arange(x.shape[1])[None, :]
        before = columns < cut[rows][:, None]
        on_map_before = ~off & before
        last_in = np.where(  # the last column on the map before it froze
            on_map_before.any(axis=1),
            x.shape[1] - 1 - np.argmax(on_map_before[:, ::-1], axis=1),
            0,
        )
        cut[rows] = np.minimum(cut[rows], last_in + 1)
    run._all_cut = cut
    if frozen.any():
        run.cut = cut if run.history is None else cut[run.history]
    return run


def bands_of(first: int, last: int, fade: bool) -> list[tuple[int, int, float]]:
    """(first column, last column, opacity) of the bands a history is drawn in."""
    if not fade or last - first < len(FADE_BANDS):
        return [(first, last, 1.0)]
    edges = np.linspace(first, last + 1, len(FADE_BANDS) + 1).round().astype(int)
    return [
        (int(low), int(high) - 1, alpha)
        for low, high, alpha in zip(edges[:-1], edges[1:], FADE_BANDS, strict=True)
        if high > low
    ]


def dodge(runs: list, size: float) -> list:
    """(run, px, py) of every run, a marker that lands on an earlier run's nudged aside.

    Runs that agree (two schedules equal for a while, or all ending in one minimum)
    would otherwise hide each other under the last one drawn; a clashing marker moves
    ``size / 2`` pixels in its run's own direction, so every run stays in sight.
    """
    if len(runs) < 2:
        return runs
    cell = max(2.0, size / 2)
    occupied = np.zeros(0, np.int64)
    out = []
    for slot, (run, px, py) in enumerate(runs):
        finite = np.isfinite(px) & np.isfinite(py)
        cx = np.where(finite, np.floor(px / cell), 0).astype(np.int64)
        cy = np.where(finite, np.floor(py / cell), 0).astype(np.int64)
        cells = cx * 1_000_003 + cy
        if slot:
            clash = finite & np.isin(cells, occupied)
            angle = 2 * np.pi * (slot - 1) / (len(runs) - 1) - np.pi / 2
            px = np.where(clash, px + 0.5 * size * np.cos(angle), px)
            py = np.where(clash, py + 0.5 * size * np.sin(angle), py)
        occupied = np.concatenate([occupied, cells[finite]])
        out.append((run, px, py))
    return out
