"""The particles of every run over a contour: trails, a cross per iteration, current positions.

Why one custom item rather than a PlotCurveItem and ScatterPlotItems per run:
measured here (software rendering, 2 cores), a ScatterPlotItem spends ~5 us per
point per frame in Python bookkeeping, and a trail curve re-strokes its whole
history every frame (50k points at 2 px: ~80 ms), so 10,000 particles with
trails ran at 2-15 fps. The history of a playing animation only grows, so this
item keeps it in a pixel layer and, on each step forward, draws only the new
segments and crosses into it (O(particles) per frame, not O(particles x steps)).
The layer is redrawn from scratch only when the view moves, zooms, resizes or
steps back. Markers are pre-rendered pixmaps stamped with one
``drawPixmapFragments`` call per run (~0.25 us each). Each run is still one
batch: all its trails in one ``drawLines``, all its crosses in one call.

The item is a child of the ViewBox (not of its data group), so it covers the
plot area in pixels and does not take part in auto-range; data are mapped to
pixels with the ViewBox's data transform at paint time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import internals
from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QImage, QPainter, QTransform

from lrsim.gui.views import style
from lrsim.gui.views.scene import diverged_at

MARGIN = 24.0  # pixels beyond the plot area where markers are still drawn (they are clipped)
FAR = 4000.0  # segments are clipped to the plot area grown by this many pixels
SMOOTH_SEGMENTS = 40_000  # batches up to this many segments are antialiased


@dataclass
class RunLayer:
    """One run as the item draws it: (N, S) histories, its colour and divergence."""

    color: str
    x: np.ndarray
    y: np.ndarray
    frozen_at: np.ndarray
    history: np.ndarray | None  # particle indices with trails and crosses; None = all

    def columns(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """History particles' columns first..last inclusive, shape (n, last - first + 1)."""
        if self.history is None:
            return self.x[:, first : last + 1], self.y[:, first : last + 1]
        return self.x[self.history, first : last + 1], self.y[self.history, first : last + 1]


class _Mapping:
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


class SwarmItem(pg.GraphicsObject):
    """Draws the runs given to ``set_runs`` at the column given to ``set_column``."""

    def __init__(self, view_box: pg.ViewBox):
        super().__init__(view_box)
        self._view_box = view_box
        self.setZValue(50)
        self._runs: list[RunLayer] = []
        self._steps = np.zeros(1, dtype=np.int64)
        self._column = -1
        self._version = 0
        self._layer: QImage | None = None
        self._layer_key: tuple | None = None
        self._drawn = -1  # last column drawn into the layer
        self._lines = internals.PrimitiveArray(QLineF, 4)
        self._fragments = internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self._rect = QRectF(view_box.boundingRect())
        self._landmarks: list[tuple[np.ndarray, np.ndarray, str]] = []
        self._cross_size = style.CROSS_SIZE
        self._line_scale = 1.0  # trails, crosses and markers grow with it (presentation mode)
        self._crosses = 0  # crosses in the whole history (smaller crosses when many)
        view_box.sigResized.connect(self._on_resized)
        view_box.sigTransformChanged.connect(self._on_view_moved)

    # ------------------------------------------------------------------ data

    def set_runs(self, runs: list[RunLayer], recorded_steps: np.ndarray) -> None:
        self._runs = list(runs)
        self._steps = np.asarray(recorded_steps, dtype=np.int64)
        crosses = sum(
            (run.x.shape[0] if run.history is None else len(run.history)) * run.x.shape[1]
            for run in self._runs
        )
        self._crosses = crosses
        self._cross_size = round(style.cross_size(crosses) * self._history_scale())
        self.invalidate()

    def set_line_scale(self, scale: float) -> None:
        """Trails ``scale`` times as thick and markers ``scale`` times as big (1 = normal)."""
        scale = float(scale)
        if scale == self._line_scale:
            return
        self._line_scale = scale
        self._cross_size = round(style.cross_size(self._crosses) * self._history_scale())
        self.invalidate()

    def _history_scale(self) -> float:
        """``line_scale`` for trails and crosses, but little of it in a crowded history: thick
        trails of hundreds of particles would bury the surface under one colour."""
        if self._crosses <= style.CROWDED_CROSSES:
            return self._line_scale
        return min(self._line_scale, style.CROWDED_LINE_SCALE)

    @property
    def line_scale(self) -> float:
        return self._line_scale

    def set_landmarks(self, landmarks: list[tuple[np.ndarray, np.ndarray, str]]) -> None:
        """Known critical points (x, y, kind), drawn over the trails, under the particles."""
        self._landmarks = list(landmarks)
        self.update()

    def set_column(self, column: int) -> None:
        if column != self._column:
            self._column = column
            self.update()

    def invalidate(self) -> None:
        """Redraw the history from scratch at the next paint (new data or style)."""
        self._version += 1
        self.update()

    @property
    def column(self) -> int:
        return self._column

    def counts(self) -> list[dict[str, int]]:
        """Per run: crosses and trail particles in the history, current and diverged markers."""
        out = []
        for run in self._runs:
            if self._column < 0:
                out.append({"crosses": 0, "trails": 0, "current": 0, "diverged": 0})
                continue
            hx, hy = run.columns(0, self._column)
            diverged = diverged_at(run.frozen_at, int(self._steps[self._column]))
            finite = np.isfinite(run.x[:, self._column]) & np.isfinite(run.y[:, self._column])
            out.append(
                {
                    "crosses": int(np.count_nonzero(np.isfinite(hx) & np.isfinite(hy))),
                    "trails": int(hx.shape[0]),
                    "current": int(np.count_nonzero(finite & ~diverged)),
                    "diverged": int(np.count_nonzero(finite & diverged)),
                }
            )
        return out

    # ------------------------------------------------------------------ geometry

    def _on_resized(self) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(self._view_box.boundingRect())
        self.update()

    def _on_view_moved(self, *_args) -> None:
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self._rect

    # ------------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option, widget=None) -> None:
        has_runs = bool(self._runs) and self._column >= 0
        if not has_runs and not self._landmarks:
            return
        device = painter.transform()
        to_device = self._view_box.childGroup.transform() * device
        area = device.mapRect(self._rect).toAlignedRect()
        origin = QPointF(area.topLeft())
        mapping = _Mapping(to_device, origin, (area.width(), area.height()))
        painter.save()
        painter.resetTransform()
        column = min(self._column, self._runs[0].x.shape[1] - 1) if has_runs else -1
        if has_runs and widget is None:  # an exporter: draw straight onto its device
            painter.translate(origin)
            self._draw_history(painter, mapping, 0, column)
        elif has_runs:
            layer = self._ensure_layer(to_device, area, widget.devicePixelRatioF())
            if self._drawn > column:
                layer.fill(0)
                self._drawn = -1
            if self._drawn < column:
                layer_painter = QPainter(layer)
                self._draw_history(layer_painter, mapping, self._drawn + 1, column)
                layer_painter.end()
                self._drawn = column
            painter.drawImage(origin, layer)
            painter.translate(origin)
        else:
            painter.translate(origin)
        self._draw_landmarks(painter, mapping, widget)
        if has_runs:
            self._draw_current(painter, mapping, column, widget)
        painter.restore()

    def _ensure_layer(self, to_device: QTransform, area, ratio: float) -> QImage:
        key = (
            to_device.m11(),
            to_device.m22(),
            to_device.dx(),
            to_device.dy(),
            area.x(),
            area.y(),
            area.width(),
            area.height(),
            ratio,
            self._version,
        )
        if key != self._layer_key or self._layer is None:
            width, height = (
                max(1, round(area.width() * ratio)),
                max(1, round(area.height() * ratio)),
            )
            if self._layer is None or (self._layer.width(), self._layer.height()) != (
                width,
                height,
            ):
                self._layer = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
            self._layer.setDevicePixelRatio(ratio)
            self._layer.fill(0)
            self._layer_key = key
            self._drawn = -1
        return self._layer

    def _draw_history(self, painter: QPainter, mapping: _Mapping, first: int, last: int) -> None:
        """Trails from column first-1 to last, then crosses at columns first..last, per run."""
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        scale = self._history_scale()
        outline = style.outline_pen(scale)
        for run in self._runs:
            hx, hy = run.columns(max(0, first - 1), last)
            px, py = mapping(hx, hy)
            if hx.shape[1] >= 2:
                count = self._fill_segments(px, py, mapping)
                if count:
                    painter.setRenderHint(
                        QPainter.RenderHint.Antialiasing, count <= SMOOTH_SEGMENTS
                    )
                    painter.setPen(outline)
                    painter.drawLines(*self._lines.drawargs())
                    painter.setPen(style.trail_pen(run.color, scale))
                    painter.drawLines(*self._lines.drawargs())
            crosses_from = 0 if first == 0 else 1
            self._stamp(
                painter,
                px[:, crosses_from:].ravel(),
                py[:, crosses_from:].ravel(),
                mapping,
                style.cross_pixmap(run.color, ratio, self._cross_size),
            )

    def _draw_landmarks(self, painter: QPainter, mapping: _Mapping, widget) -> None:
        ratio = widget.devicePixelRatioF() if widget is not None else 1.0
        for x, y, kind in self._landmarks:
            px, py = mapping(x, y)
            pixmap = style.landmark_pixmap(kind, ratio, self._line_scale)
            self._stamp(painter, px, py, mapping, pixmap)

    def _draw_current(self, painter: QPainter, mapping: _Mapping, column: int, widget) -> None:
        ratio = widget.devicePixelRatioF() if widget is not None else 1.0
        step = int(self._steps[min(column, len(self._steps) - 1)])
        current_size = round(style.CURRENT_SIZE * self._line_scale)
        diverged = style.diverged_pixmap(ratio, round(style.DIVERGED_SIZE * self._line_scale))
        for run in self._runs:
            px, py = mapping(run.x[:, column], run.y[:, column])
            gone = diverged_at(run.frozen_at, step)
            if gone.any():
                self._stamp(painter, px[gone], py[gone], mapping, diverged)
                px, py = px[~gone], py[~gone]
            pixmap = style.current_pixmap(run.color, ratio, current_size)
            self._stamp(painter, px, py, mapping, pixmap)

    # ------------------------------------------------------------------ primitives

    def _fill_segments(self, px: np.ndarray, py: np.ndarray, mapping: _Mapping) -> int:
        """Consecutive columns of (n, k) pixel positions as QLineF segments in ``self._lines``."""
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
            seg = np.column_stack([ax, ay, bx, by])
        else:
            seg = np.zeros((0, 4))
        seg = np.concatenate([np.column_stack([x0, y0, x1, y1])[both], seg])
        self._lines.resize(len(seg))
        if len(seg):
            self._lines.ndarray()[:] = seg
        return len(seg)

    def _stamp(self, painter: QPainter, px, py, mapping: _Mapping, pixmap) -> None:
        """Draw ``pixmap`` centred at every finite pixel position near the plot area."""
        keep = np.isfinite(px) & np.isfinite(py)
        keep &= mapping.inside(np.where(keep, px, 0.0), np.where(keep, py, 0.0), MARGIN)
        count = int(np.count_nonzero(keep))
        if not count:
            return
        ratio = pixmap.devicePixelRatio()
        self._fragments.resize(count)
        frag = self._fragments.ndarray()
        frag[:, 0] = px[keep]
        frag[:, 1] = py[keep]
        frag[:, 2] = 0.0
        frag[:, 3] = 0.0
        frag[:, 4] = pixmap.width()
        frag[:, 5] = pixmap.height()
        frag[:, 6] = 1.0 / ratio
        frag[:, 7] = 1.0 / ratio
        frag[:, 8] = 0.0
        frag[:, 9] = 1.0
        painter.drawPixmapFragments(*self._fragments.drawargs(), pixmap)


def _exit_fraction(a: np.ndarray, b: np.ndarray, low: float, high: float) -> np.ndarray:
    """Fraction of the way from a (inside [low, high]) to b where the segment leaves it."""
    with np.errstate(all="ignore"):
        t = np.where(b > high, (high - a) / (b - a), np.where(b < low, (low - a) / (b - a), 1.0))
    return np.clip(np.nan_to_num(t, nan=1.0), 0.0, 1.0)
