"""The 3D view: the shaded loss surface with the particles and their trails on it.

Heights use the contour view's colour scale (``ColorScale``): the displayed value
(f, or log10(f - f_min) for valley surfaces) mapped to 0..1 over the grid's range,
so Rosenbrock or Goldstein-Price, whose values span six decades, keep a readable
shape, and the particles sit on the surface at the height of their loss. The
domain is scaled into [-1, 1] (square cells) and the height to ``HEIGHT``.

OpenGL may be missing (no PyOpenGL, or a platform such as ``offscreen`` that
cannot create a context); the view then shows a label saying so and its methods
still accept calls, so the window does not have to special-case it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPainter, QVector3D
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from lrsim.gui.views import style
from lrsim.gui.views.axes3d import (
    FLOOR,
    box_ticks,
    floor_contour,
    floor_frame,
    tick_labels,
)
from lrsim.gui.views.contour import label_colorbar, style_colorbar, surface_title
from lrsim.gui.views.gl_support import (
    ON_TOP,
    SceneItems,
    _on_top_options,
    _rgba,
    _RunItems,
    history_geometry,
    opengl_problem,
    shade,
)
from lrsim.gui.views.scene import (
    ColorScale,
    nice_ticks,
    plan_detail,
    same_surface,
    surface_grid,
)

GRID_SIZE_3D = 64  # software GL pays per triangle: 90 cost 12 ms a frame, 64 about 7
FLOOR_GRID = 64  # the floor's contour, from the surface's own grid
HEIGHT = 0.9
LIFT = 0.012  # particles float this far above the surface, so it does not hide them
HISTORY_BUDGET_3D = 12_000  # trail points: 4 GL vertices of cross each
CAMERA = {"distance": 3.7, "elevation": 26, "azimuth": -58}  # the default (View > Reset)
CROWDED = 2_000
LOG_DECADES_3D = 3.0  # a log surface spans this many decades of height: minima stay


# valleys rather than becoming bottomless funnels
class SurfaceView3D(QWidget):
    """Shaded surface + particles; the same methods as ContourView (no clicks)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._title = QLabel(self)
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title_row = QHBoxLayout()
        self._title_row.setContentsMargins(0, 0, 6, 0)
        self._title_row.addWidget(self._title, 1)
        layout.addLayout(self._title_row)
        self.problem = opengl_problem()
        self.gl_view = None
        self._sim = None
        self._log = False
        self._scale: ColorScale | None = None
        self._visible: list[int] | None = None
        self._column = -1
        self._dark = True
        self._look = (1.0, 1.0)  # (font scale, line scale)
        self._runs: list[_RunItems] = []
        self._indices: list[int] = []
        self._history = np.zeros(0, np.int64)
        if self.problem is not None:
            label = QLabel(self.problem, self)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            layout.addWidget(label, 1)
            self._title.hide()
        else:
            self._build_gl(layout)
        self.set_theme(True)

    def _build_gl(self, layout) -> None:
        import pyqtgraph.opengl as gl

        if not ON_TOP:
            ON_TOP.update(_on_top_options())

        self._gl = gl
        self.gl_view = gl.GLViewWidget(self)
        self.reset_camera()
        self._reset_button = QToolButton(self)
        self._reset_button.setText("Reset view")
        self._reset_button.setToolTip(
            "The camera back to its default angle (View > Reset 3D camera)"
        )
        self._reset_button.clicked.connect(self.reset_camera)
        self._title_row.addWidget(self._reset_button)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.gl_view, 1)
        # the colour bar is a Qt widget beside the GL view, not a GL overlay: overlays
        # painted with QPainter in paintGL are lost from QWidget.grab() (PNG export)
        self._bar_widget = pg.GraphicsLayoutWidget(self)
        self._bar_widget.setFixedWidth(145)
        self._bar = pg.ColorBarItem(colorMap=style.colormap(), interactive=False, width=18)
        self._bar_widget.addItem(self._bar)
        row.addWidget(self._bar_widget)
        layout.addLayout(row, 1)
        items = SceneItems(gl, self.gl_view)
        self._surface, self._floor, self._frame, self._labels = (
            items.surface,
            items.floor,
            items.frame,
            items.labels,
        )
        self._minima, self._local_minima = items.minima, items.local_minima
        self._saddles, self._diverged = items.saddles, items.diverged

    def reset_camera(self) -> None:
        """The default camera: the whole domain, seen from the front left and above."""
        if self.gl_view is None:
            return
        self.gl_view.setCameraPosition(**CAMERA)
        self.gl_view.opts["center"] = QVector3D(0, 0, 0.5 * (HEIGHT + FLOOR) - 0.2)
        self.gl_view.update()

    @property
    def available(self) -> bool:
        return self.gl_view is not None

    # ------------------------------------------------------------------ the API

    def set_simulation(self, sim) -> None:
        new_surface = not same_surface(self._sim, sim)
        self._sim = sim
        if new_surface:
            self._log = bool(getattr(sim.surface, "log_scale", False))
        self._title.setText(surface_title(sim.surface))
        self._title.setToolTip(getattr(sim.surface, "title", "") or "")
        if not self.available:
            return
        self._rebuild_surface()
        self._rebuild_runs()
        self.set_column(0 if self._column < 0 else self._column)

    def set_column(self, column: int) -> None:
        if self._sim is None:
            return
        self._column = int(np.clip(column, 0, len(self._sim.recorded_steps) - 1))
        if self.available:
            self._show_column()

    def set_log_scale(self, on: bool) -> None:
        on = bool(on)
        if on == self._log and self._scale is not None:
            return
        self._log = on
        if self._sim is not None and self.available:
            self._rebuild_surface()
            self._rebuild_runs()
            self._show_column()

    def set_visible_runs(self, indices: list[int] | None) -> None:
        self._visible = None if indices is None else [int(i) for i in indices]
        if self._sim is not None and self.available:
            self._rebuild_runs()
            self._show_column()

    def set_theme(self, dark: bool) -> None:
        self._dark = bool(dark)
        colors = style.theme(self._dark)
        title_size = style.scaled_points(style.TITLE_POINT_SIZE, self._look[0])
        self._title.setStyleSheet(
            f"background: {colors.background}; color: {colors.foreground};"
            f"font-size: {title_size}; font-weight: bold; padding: 4px;"
        )
        if self.available:
            self.gl_view.setBackgroundColor(colors.background)
            self._style_frame()
            self._bar_widget.setBackground(colors.background)
            self._update_bar()

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """Nothing to do: every shown run is drawn opaque (GL blending of faded crosses
        over the surface would change with the camera)."""

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Nothing to do: the 3D view always draws the history it kept (``HISTORY_BUDGET_3D``)."""

    def width_wanted(self, limit: int) -> int | None:
        """None: the camera frames the surface in whatever room the view gets."""
        return None

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Bigger title and colour bar text, thicker trails and bigger markers (1, 1: normal)."""
        look = (float(font_scale), float(line_scale))
        if look == self._look:
            return
        self._look = look
        if self.available:
            self._bar_widget.setFixedWidth(round(145 * font_scale))
        self.set_theme(self._dark)
        if self._sim is not None and self.available:
            self._rebuild_runs()
            self._show_column()

    # ------------------------------------------------------------------ geometry

    def _to_box(self, x, y):
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        scale = 2.0 / max(xmax - xmin, ymax - ymin)
        return (x - 0.5 * (xmin + xmax)) * scale, (y - 0.5 * (ymin + ymax)) * scale

    def _height(self, values):
        return np.nan_to_num(self._scale.normalised(values), nan=0.0) * HEIGHT

    def _inside(self, x, y):
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        return (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)

    def _rebuild_surface(self) -> None:
        sim = self._sim
        xs, ys, values = surface_grid(sim, GRID_SIZE_3D)
        minima = [p.value for p in sim.critical_points() if p.kind == "global_min"]
        self._scale = ColorScale.for_grid(
            values, self._log, min(minima) if minima else None, LOG_DECADES_3D
        )
        norm = np.nan_to_num(self._scale.normalised(values), nan=0.0)  # (ny, nx)
        bx, by = self._to_box(xs, ys)
        colors = style.colormap().map(norm.T.ravel(), mode="float").astype(np.float32)
        colors[:, :3] *= shade(bx, by, norm.T * HEIGHT).ravel()[:, None]
        self._surface.setData(x=bx, y=by, z=norm.T * HEIGHT, colors=colors)
        self._build_frame(*surface_grid(sim, FLOOR_GRID))
        if self._surface.view() is None:
            self.gl_view.addItem(self._surface)
        points = sim.critical_points()
        for item, kinds in (
            (self._minima, ("global_min",)),
            (self._local_minima, ("local_min",)),
            (self._saddles, ("saddle",)),
        ):
            chosen = [p for p in points if p.kind in kinds]
            if chosen:
                px, py = self._to_box(
                    np.array([p.x for p in chosen]), np.array([p.y for p in chosen])
                )
                pz = self._height(np.array([p.value for p in chosen])) + LIFT
                item.setData(pos=np.column_stack([px, py, pz]))
            else:
                item.setData(pos=np.zeros((0, 3)))
        self._update_bar()

    def _build_frame(self, xs, ys, values) -> None:
        """The contour on the floor (coloured by level) and the axes with their ticks."""
        shown = self._scale.apply(values)
        bx, by = self._to_box(xs, ys)
        lo, hi = self._scale.levels
        positions, tints = floor_contour(bx, by, shown, self._scale.isoline_levels(), (lo, hi))
        if tints.size:
            colors = style.colormap().map(tints, mode="float").astype(np.float32)
            self._floor.setData(pos=positions, color=colors)
        else:
            self._floor.setData(pos=positions)
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        (x0, x1), (y0, y1) = self._to_box(np.array([xmin, xmax]), np.array([ymin, ymax]))
        extent = (float(x0), float(x1), float(y0), float(y1))
        x_ticks = box_ticks(xmin, xmax, lambda v: self._to_box(v, 0.0)[0])
        y_ticks = box_ticks(ymin, ymax, lambda v: self._to_box(0.0, v)[1])
        if self._scale.log:
            z_ticks = [(k, text) for k, text in self._scale.decade_ticks()]
        else:
            z_ticks = nice_ticks(lo, hi, 4)
        z_ticks = [((k - lo) / (hi - lo) * HEIGHT, text) for k, text in z_ticks if lo <= k <= hi]
        self._axes = (x_ticks, y_ticks, z_ticks, extent)
        self._frame.setData(pos=floor_frame(x_ticks, y_ticks, z_ticks, extent, HEIGHT))
        self._style_frame()

    def _style_frame(self) -> None:
        if getattr(self, "_axes", None) is None:
            return
        foreground = style.theme(self._dark).foreground
        self._frame.setData(color=_rgba(foreground, 0.85))
        self._labels.set_labels(tick_labels(*self._axes), foreground, self._look[0])

    def _update_bar(self) -> None:
        foreground = style.theme(self._dark).foreground
        style_colorbar(self._bar, foreground, self._look[0])
        if self._scale is not None:
            self._bar.setLevels(self._scale.levels)
            label_colorbar(self._bar, self._scale, foreground, self._look[0])

    def _rebuild_runs(self) -> None:
        sim = self._sim
        for items in self._runs:
            items.remove(self.gl_view)
        indices = (
            list(range(sim.n_runs))
            if self._visible is None
            else [i for i in self._visible if 0 <= i < sim.n_runs]
        )
        plan = plan_detail(
            sim.n_particles, len(sim.recorded_steps), len(indices), HISTORY_BUDGET_3D
        )
        self._history = plan.history
        self._indices = indices
        self._runs = []
        for index in indices:
            run = sim.runs[index]
            crowded = sim.n_particles >= CROWDED
            items = _RunItems(self._gl, self.gl_view, run.color, crowded, self._look[1])
            self._precompute_history(items, run)
            self._runs.append(items)

    def _precompute_history(self, items: _RunItems, run) -> None:
        """The run's kept history in box coordinates, laid out by column (``history_geometry``)."""
        hx, hy = run.x[self._history], run.y[self._history]
        hz = self._height(run.loss[self._history]) + LIFT
        bx, by = self._to_box(hx, hy)
        inside = self._inside(hx, hy) & np.isfinite(hz)
        items.set_history(*history_geometry(hx, hy, bx, by, hz, inside))

    def _show_column(self) -> None:
        if self._sim is None or self._scale is None:
            return
        column = self._column
        step = int(self._sim.recorded_steps[column])
        diverged_positions = []
        for index, items in zip(self._indices, self._runs, strict=True):
            run = self._sim.runs[index]
            items.trail.setData(pos=items.segments[: items.segment_ends[column]])
            items.crosses.setData(pos=items.crosses_xyz[: 4 * items.point_ends[column]])
            x, y = run.x[:, column], run.y[:, column]
            z = self._height(run.loss[:, column]) + 2 * LIFT
            diverged = (run.frozen_at >= 0) & (run.frozen_at <= step)
            finite = np.isfinite(x) & np.isfinite(y)
            live = finite & ~diverged & self._inside(x, y)
            bx, by = self._to_box(x[live], y[live])
            positions = np.column_stack([bx, by, z[live]])
            if items.halo.visible():
                items.halo.setData(pos=positions)
            items.current.setData(pos=positions)
            gone = finite & diverged
            if gone.any():
                (xmin, xmax), (ymin, ymax) = self._sim.domain
                gx, gy = self._to_box(np.clip(x[gone], xmin, xmax), np.clip(y[gone], ymin, ymax))
                diverged_positions.append(np.column_stack([gx, gy, np.full(gx.shape, HEIGHT)]))
        self._diverged.setData(
            pos=np.concatenate(diverged_positions) if diverged_positions else np.zeros((0, 3))
        )

    # ------------------------------------------------------------------ for tests

    def drawn_counts(self) -> dict[int, dict[str, int]]:
        if not self.available or self._sim is None:
            return {}
        return {
            index: {
                "crosses": int(items.point_ends[self._column]),
                "trail_vertices": int(items.segment_ends[self._column]),
            }
            for index, items in zip(self._indices, self._runs, strict=True)
        }

    def grab_frame(self):
        """The rendered frame as a QImage (the GL framebuffer and the axes' labels), or a
        widget grab without GL."""
        image = self.grab().toImage()
        if self.available:
            painter = QPainter(image)
            self.paint_overlay(painter, QPointF(0, 0))
            painter.end()
        return image

    def paint_overlay(self, painter, origin) -> None:
        """What QPainter draws over the GL scene (the axes' labels), with this view's
        top-left corner at ``origin``."""
        if self.available:
            self._labels.draw(painter, origin + QPointF(self.gl_view.mapTo(self, QPoint(0, 0))))
