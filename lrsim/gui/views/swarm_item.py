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

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import internals
from PySide6.QtCore import QLineF, QPointF, QRectF, QTimer
from PySide6.QtGui import QImage, QPainter, QTransform

from lrsim.gui.views import style
from lrsim.gui.views.scene import diverged_at
from lrsim.gui.views.swarm_geometry import (
    Mapping,
    RunLayer,
    bands_of,
    dodge,
    prepare,
    segments,
)

__all__ = ["RunLayer", "SwarmItem"]

MARGIN = 24.0  # pixels beyond the plot area where markers are still drawn (they are clipped)
SETTLE_MS = 150  # after a pan or zoom, the history is redrawn sharp once this long passes
SMOOTH_SEGMENTS = 40_000  # batches up to this many segments are antialiased


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
        self._trail: int | None = None  # steps of trail shown: None all, 0 none, k the last k
        self._fade = True  # a short trail fades with age
        self._preview = False  # the last paint showed a moved picture of the history
        self._settle = QTimer()
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        view_box.sigResized.connect(self._on_resized)
        view_box.sigTransformChanged.connect(self._on_view_moved)

    # ------------------------------------------------------------------ data

    def set_runs(self, runs: list[RunLayer], recorded_steps: np.ndarray, domain=None) -> None:
        self._steps = np.asarray(recorded_steps, dtype=np.int64)
        self._runs = [prepare(run, self._steps, domain) for run in runs]
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

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Trails of every step (None), of none (0) or of the last ``length`` steps, fading
        with age when ``fade``."""
        length = None if length is None else max(0, int(length))
        if (length, bool(fade)) != (self._trail, self._fade):
            self._trail, self._fade = length, bool(fade)
            self.invalidate()

    @property
    def trail(self) -> tuple[int | None, bool]:
        return self._trail, self._fade

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
            first = 0 if self._trail is None else max(0, self._column - self._trail + 1)
            hx, hy = run.columns(first, self._column)
            if self._trail == 0:
                hx, hy = hx[:, :0], hy[:, :0]
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
        mapping = Mapping(to_device, origin, (area.width(), area.height()))
        painter.save()
        painter.resetTransform()
        column = min(self._column, self._runs[0].x.shape[1] - 1) if has_runs else -1
        if has_runs and (widget is None or self._trail is not None):
            # an exporter, or a short trail: straight onto the device
            painter.translate(origin)
            first = 0 if self._trail is None else max(0, column - self._trail + 1)
            if self._trail != 0:
                self._draw_history(painter, mapping, first, column, fade=self._trail is not None)
        elif has_runs:
            self._paint_layer(painter, to_device, area, widget.devicePixelRatioF(), mapping)
            painter.translate(origin)
        else:
            painter.translate(origin)
        self._draw_landmarks(painter, mapping, widget)
        if has_runs:
            self._draw_current(painter, mapping, column, widget)
        painter.restore()

    def _paint_layer(self, painter, to_device: QTransform, area, ratio: float, mapping) -> None:
        """The whole history from the pixel layer, drawing only the columns it lacks.

        While the view pans or zooms, the finished layer is drawn moved and scaled (a
        cached picture: one image blit a frame) and redrawn sharp once it settles.
        """
        column = min(self._column, self._runs[0].x.shape[1] - 1)
        frame = (area.x(), area.y(), area.width(), area.height(), ratio, self._version)
        moved = self._layer_key is not None and self._layer_key[4:] == frame
        transform = (to_device.m11(), to_device.m22(), to_device.dx(), to_device.dy())
        if moved and self._layer_key[:4] != transform and self._drawn == column:
            old = self._layer_key
            kx, ky = transform[0] / old[0], transform[1] / old[1]
            tx = (area.x() - old[2]) * kx + transform[2]
            ty = (area.y() - old[3]) * ky + transform[3]
            painter.save()
            painter.setTransform(QTransform(kx, 0, 0, ky, tx, ty))
            painter.drawImage(QPointF(0, 0), self._layer)
            painter.restore()
            self._preview = True
            self._settle.start()
            return
        layer = self._ensure_layer(to_device, area, ratio)
        if self._drawn > column:
            layer.fill(0)
            self._drawn = -1
        if self._drawn < column:
            layer_painter = QPainter(layer)
            self._draw_history(layer_painter, mapping, self._drawn + 1, column)
            layer_painter.end()
            self._drawn = column
        painter.drawImage(QPointF(area.topLeft()), layer)
        self._preview = False

    def _on_settled(self) -> None:
        if self._preview:
            self._layer_key = None  # redraw the history sharp at the new view
            self.update()

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

    def _draw_history(
        self, painter: QPainter, mapping: Mapping, first: int, last: int, fade: bool = False
    ) -> None:
        """Trails from column first-1 to last, then marks at columns first..last.

        Every run's trails go down before any run's marks, so no run's trails bury
        another's marks; a run differs by its mark's shape where runs overlap exactly.
        ``fade``: older quarters of the columns drawn fainter (a short trail).
        """
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        scale = self._history_scale()
        outline = style.outline_pen(scale)
        bands = bands_of(first, last, fade)
        drawn = []
        for run in self._runs:
            hx, hy = run.columns(max(0, first - 1), last)
            drawn.append(mapping(hx, hy))
        for run, (px, py) in zip(self._runs, drawn, strict=True):
            if px.shape[1] < 2:
                continue
            offset = max(0, first - 1)
            for low, high, alpha in bands:  # segments ending in columns low..high
                a, b = max(0, low - 1 - offset), high - offset
                count = self._fill_segments(px[:, a : b + 1], py[:, a : b + 1], mapping)
                if not count:
                    continue
                painter.setOpacity(run.opacity * alpha)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, count <= SMOOTH_SEGMENTS)
                painter.setPen(outline)
                painter.drawLines(*self._lines.drawargs())
                painter.setPen(style.trail_pen(run.color, scale))
                painter.drawLines(*self._lines.drawargs())
        for run, (px, py) in zip(self._runs, drawn, strict=True):
            offset = max(0, first - 1)
            pixmap = style.cross_pixmap(
                run.color, ratio, self._cross_size, style.mark_shape(run.index)
            )
            for low, high, alpha in bands:
                a, b = low - offset, high - offset
                painter.setOpacity(run.opacity * alpha)
                self._stamp(
                    painter, px[:, a : b + 1].ravel(), py[:, a : b + 1].ravel(), mapping, pixmap
                )
        painter.setOpacity(1.0)

    def _draw_landmarks(self, painter: QPainter, mapping: Mapping, widget) -> None:
        ratio = widget.devicePixelRatioF() if widget is not None else 1.0
        for x, y, kind in self._landmarks:
            px, py = mapping(x, y)
            pixmap = style.landmark_pixmap(kind, ratio, self._line_scale)
            self._stamp(painter, px, py, mapping, pixmap)

    def _draw_current(self, painter: QPainter, mapping: Mapping, column: int, widget) -> None:
        """Diverged particles (a grey 'x' where they left the map) under every run's
        particles now, each run in its own shape."""
        ratio = widget.devicePixelRatioF() if widget is not None else 1.0
        step = int(self._steps[min(column, len(self._steps) - 1)])
        current_size = round(style.CURRENT_SIZE * self._line_scale)
        diverged = style.diverged_pixmap(ratio, round(style.DIVERGED_SIZE * self._line_scale))
        alive = []
        for run in self._runs:
            x, y = run.last_good(column)
            px, py = mapping(x, y)
            gone = diverged_at(run.frozen_at, step)
            if gone.any():
                painter.setOpacity(run.opacity)
                self._stamp(painter, px[gone], py[gone], mapping, diverged)
                px, py = px[~gone], py[~gone]
            alive.append((run, px, py))
        for run, px, py in dodge(alive, current_size):
            painter.setOpacity(run.opacity)
            shape = style.current_shape(run.index)
            pixmap = style.current_pixmap(run.color, ratio, current_size, shape)
            self._stamp(painter, px, py, mapping, pixmap)
        painter.setOpacity(1.0)

    # ------------------------------------------------------------------ primitives

    def _fill_segments(self, px: np.ndarray, py: np.ndarray, mapping: Mapping) -> int:
        """Consecutive columns of (n, k) pixel positions as QLineF segments in ``self._lines``."""
        seg = segments(px, py, mapping)
        self._lines.resize(len(seg))
        if len(seg):
            self._lines.ndarray()[:] = seg
        return len(seg)

    def _stamp(self, painter: QPainter, px, py, mapping: Mapping, pixmap) -> None:
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
