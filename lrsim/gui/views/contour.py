"""The contour view: heat map with colour bar and isolines, known minima, and the particles.

Everything is created once here and in ``set_simulation``; ``set_column`` only moves the
particles' item to another column. The heat map and isolines are cached by Qt in
device pixels (``DeviceCoordinateCache``), so a frame repaints them as one blit
instead of rescaling a 300x300 image (that alone cost ~13 ms a frame at 1600x1000).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from lrsim.gui.views import style
from lrsim.gui.views.contour_legend import RunLegend
from lrsim.gui.views.contour_look import (
    CACHE,
    ZoomCache,
    _SmoothImageItem,
    fit_title,
    label_colorbar,
    style_colorbar,
    surface_title,
)
from lrsim.gui.views.contour_note import DetailNote
from lrsim.gui.views.protocol import DrawnByGrab
from lrsim.gui.views.scene import (
    ColorScale,
    DetailPlan,
    isoline_segments,
    landmarks,
    plan_detail,
    same_surface,
    surface_grid,
    trail_polyline,
)
from lrsim.gui.views.step_arrows import StepArrows
from lrsim.gui.views.swarm_item import RunLayer, SwarmItem

__all__ = ["ContourView", "label_colorbar", "style_colorbar", "surface_title"]

RIGHT_MARGIN = 10  # pixels between the colour bar's label and whatever is beside the view


class ContourView(QWidget, DrawnByGrab):
    """Heat map of the surface with the runs' particles; see the module docstring."""

    start_point_requested = Signal(float, float)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        show_colorbar: bool = True,
        show_legend: bool = False,
    ):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot_widget = pg.PlotWidget(self)
        layout.addWidget(self.plot_widget)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.view_box: pg.ViewBox = self.plot_item.getViewBox()
        self.view_box.setAspectLocked(True)
        self.view_box.disableAutoRange()
        self.plot_item.hideButtons()
        left, top, _right, bottom = self.plot_item.layout.getContentsMargins()
        self.plot_item.layout.setContentsMargins(left, top, RIGHT_MARGIN, bottom)

        self._image = _SmoothImageItem(axisOrder="row-major")
        self._image.setZValue(-100)
        self._image.setCacheMode(CACHE)
        self.plot_item.addItem(self._image)
        self._isolines = pg.PlotCurveItem(connect="pairs", antialias=True)
        self._isolines.setZValue(-50)
        self._isolines.setCacheMode(CACHE)
        self.plot_item.addItem(self._isolines)
        self._swarm = SwarmItem(self.view_box)
        self._zoom_cache = ZoomCache(self.view_box, self._image, self._isolines, self)

        self._colorbar: pg.ColorBarItem | None = None
        if show_colorbar:
            self._colorbar = pg.ColorBarItem(colorMap=style.colormap(), interactive=False, width=18)
            self._colorbar.setImageItem(self._image, insert_in=self.plot_item)
        else:
            self._image.setColorMap(style.colormap())
        self._legend = RunLegend(self.view_box) if show_legend else None
        self.note = DetailNote(self)
        self._opacity: dict[int, float] = {}  # run index -> opacity (1 when absent)

        self._sim = None
        self._grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._known_min: float | None = None
        self._log = False
        self._scale: ColorScale | None = None
        self._visible: list[int] | None = None
        self._plan: DetailPlan | None = None
        self._column = -1
        self._title: tuple[str, str | None] | None = None  # (text, colour) set by a container
        self._dark = True
        self._font_scale = 1.0
        self._axis_labels = (True, True)
        self._shown_title: tuple | None = None  # (text, colour, size) on screen
        self._themed = self._looked = None  # the look styled last: drags re-send the same one
        self.step_arrows = StepArrows(self)  # the anatomy of a step, on a particle's click
        self.plot_widget.scene().sigMouseClicked.connect(self._on_clicked)
        self.set_theme(True)

    # ------------------------------------------------------------------ the API

    def set_simulation(self, sim) -> None:
        """Surface grid, domain, critical points and runs of ``sim``; shows column 0."""
        if sim is self._sim:  # the same simulation, more of it computed: redraw the history
            self._swarm.invalidate()
            if self._column >= 0:
                self.set_column(self._column)
            return
        kept = same_surface(self._sim, sim)
        self._sim = sim
        self._column = -1
        self.step_arrows.set_simulation(sim)
        if not kept:
            self._grid = surface_grid(sim)
            points = sim.critical_points()
            minima = [p.value for p in points if p.kind == "global_min"]
            self._known_min = min(minima) if minima else None
            self._log = bool(getattr(sim.surface, "log_scale", False))
            self._apply_scale()
            self._swarm.set_landmarks(landmarks(points))
            (xmin, xmax), (ymin, ymax) = sim.domain
            self.view_box.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
        self._update_title()
        self._rebuild_runs()
        self.set_column(0)

    def set_column(self, column: int) -> None:
        """Show column ``column`` of ``sim.recorded_steps`` (clamped to the recorded range)."""
        if self._sim is None:
            return
        column = int(np.clip(column, 0, len(self._sim.recorded_steps) - 1))
        self._column = column
        self._swarm.set_column(column)
        self.step_arrows.set_column(column)

    def set_log_scale(self, on: bool) -> None:
        """Colour by log10(f - f_min + offset) (valleys) or by f."""
        on = bool(on)
        if on == self._log and self._scale is not None:
            return
        self._log = on
        if self._grid is not None:
            self._apply_scale()

    def set_visible_runs(self, indices: list[int] | None) -> None:
        """Runs to draw, by index; None draws all (overlay)."""
        visible = None if indices is None else [int(i) for i in indices]
        if visible == self._visible:
            return  # set_simulation drew them so already
        self._visible = visible
        if self._sim is not None:
            self._rebuild_runs()
            if self._column >= 0:
                self._swarm.set_column(self._column)

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """Per run index, its particles' and trails' opacity (1 when absent): a highlight."""
        if dict(opacities or {}) == self._opacity:
            return  # set_simulation drew them so already
        self._opacity = dict(opacities or {})
        if self._sim is not None:
            self._rebuild_runs()
            if self._column >= 0:
                self._swarm.set_column(self._column)

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Trails of every step (None), none (0) or the last ``length`` steps (fading)."""
        self._swarm.set_trail(length, fade)

    def set_theme(self, dark: bool) -> None:
        """Dark background for projectors, light for print."""
        self._dark = bool(dark)
        if (self._dark, self._font_scale) == self._themed:
            return  # styled so already (a new simulation keeps the styled items)
        self._themed = (self._dark, self._font_scale)
        colors = style.theme(self._dark)
        self.plot_widget.setBackground(colors.background)
        self._style_axes()
        if self._colorbar is not None:
            style_colorbar(self._colorbar, colors.foreground, self._font_scale)
            self._update_colorbar_label()
        self._isolines.setPen(pg.mkPen(colors.isoline, width=1.0, cosmetic=True))
        if self._legend is not None:
            self._legend.set_colors(colors)
            self._rebuild_legend()
        self.note.set_colors(colors)
        self._update_title()

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Text ``font_scale``, trails and markers ``line_scale`` times as big (presenting: 1.5)."""
        if (float(font_scale), float(line_scale)) == self._looked:
            return
        self._looked = (float(font_scale), float(line_scale))
        self._font_scale = self._looked[0]
        self._swarm.set_line_scale(line_scale)
        self.step_arrows.redraw()
        self.note.set_font_scale(self._font_scale)
        if self._legend is not None:
            self._legend.set_font_scale(self._font_scale)
        self._themed = None  # a new look: the legend's marks take the new line scale too
        self.set_theme(self._dark)

    @property
    def font_scale(self) -> float:
        return self._font_scale

    # ------------------------------------------------------------------ for containers, tests

    def set_title(self, text: str | None, color: str | None = None) -> None:
        """Replace the surface's title (e.g. a run label in small multiples); None restores it."""
        self._title = None if text is None else (text, color)
        self._update_title()

    def set_axis_labels(self, x: bool, y: bool) -> None:
        self._axis_labels = (bool(x), bool(y))
        self._style_axes()

    def set_colorbar_visible(self, on: bool) -> None:
        """Show the colour bar (off beside a 3D view of the same scale: the plot gets its room)."""
        if self._colorbar is None:
            return
        self._colorbar.setVisible(bool(on))
        self._colorbar.setMaximumWidth(16_777_215 if on else 0)
        self._colorbar.setMinimumWidth(0)
        self._shown_title = None
        self._update_title()

    def set_compact(self, on: bool) -> None:
        """No title and no axis labels (presentation mode: the surface gets their room;
        the ticks stay, and the window shows the surface's name elsewhere)."""
        self._compact = bool(on)
        self._shown_title = None
        self._style_axes()
        self._update_title()

    def _style_axes(self) -> None:
        colors = style.theme(self._dark)
        x, y = self._axis_labels
        compact = getattr(self, "_compact", False)
        for name, label in (("bottom", "x" if x else ""), ("left", "y" if y else "")):
            axis = self.plot_item.getAxis(name)
            style.style_axis(axis, label, colors.foreground, self._font_scale)
            axis.showLabel(bool(label) and not compact)

    @property
    def log_scale(self) -> bool:
        return self._log

    @property
    def color_scale(self) -> ColorScale | None:
        return self._scale

    @property
    def detail_plan(self) -> DetailPlan | None:
        return self._plan

    @property
    def swarm(self) -> SwarmItem:
        return self._swarm

    def visible_run_indices(self) -> list[int]:
        if self._sim is None:
            return []
        if self._visible is None:
            return list(range(self._sim.n_runs))
        return [i for i in self._visible if 0 <= i < self._sim.n_runs]

    def drawn_counts(self) -> dict[int, dict[str, int]]:
        """Per visible run index: crosses, trail particles, current and diverged markers."""
        return dict(zip(self.visible_run_indices(), self._swarm.counts(), strict=True))

    def trail_data(self, run_index: int) -> tuple[np.ndarray, np.ndarray]:
        """The run's trails up to the current column as one polyline, NaN between particles."""
        run = self._sim.runs[run_index]
        history = self._plan.history if self._plan is not None else slice(None)
        return trail_polyline(run.x[history], run.y[history], max(self._column, 0))

    def width_wanted(self, limit: int | None = None) -> int | None:
        """The widget width at which the domain fills the plot's height (aspect kept;
        ``limit`` is not needed: the window gives the surface what it can)."""
        if self._sim is None:
            return None
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        box = self.view_box.boundingRect()
        if box.height() < 10:
            return None
        plot_width = box.height() * (xmax - xmin) / (ymax - ymin)
        return round(self.width() - box.width() + plot_width)

    def note_text(self) -> str:
        """The level-of-detail note (shown elided to the room beside the title)."""
        return self._plan.note() if self._plan is not None else ""

    # ------------------------------------------------------------------ internals

    def _apply_scale(self) -> None:
        xs, ys, values = self._grid
        scale = ColorScale.for_grid(values, self._log, self._known_min)
        self._scale = scale
        shown = scale.apply(values)
        self._image.setImage(shown, autoLevels=False, levels=scale.levels)
        dx = (xs[-1] - xs[0]) / max(1, len(xs) - 1)
        dy = (ys[-1] - ys[0]) / max(1, len(ys) - 1)
        self._image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        if self._colorbar is not None:
            self._colorbar.setLevels(scale.levels)
            self._update_colorbar_label()
        else:
            self._image.setLevels(scale.levels)
        seg_x, seg_y = isoline_segments(xs, ys, shown, scale.isoline_levels())
        self._isolines.setData(seg_x, seg_y, connect="pairs")

    def _update_colorbar_label(self) -> None:
        if self._colorbar is not None and self._scale is not None:
            foreground = style.theme(self._dark).foreground
            label_colorbar(self._colorbar, self._scale, foreground, self._font_scale)

    def _rebuild_runs(self) -> None:
        sim = self._sim
        indices = self.visible_run_indices()
        plan = plan_detail(sim.n_particles, len(sim.recorded_steps), len(indices))
        self._plan = plan
        history = None if not plan.reduced else plan.history
        layers = [
            RunLayer(
                sim.runs[i].color,
                sim.runs[i].x,
                sim.runs[i].y,
                sim.runs[i].frozen_at,
                history,
                index=i,
                opacity=self._opacity.get(i, 1.0),
            )
            for i in indices
        ]
        self._swarm.set_runs(layers, sim.recorded_steps, sim.domain)
        self.note.show_plan(plan)
        self.note.place(self.plot_widget)
        self._rebuild_legend()

    def _rebuild_legend(self) -> None:
        if self._legend is not None:
            runs = [self._sim.runs[i] for i in self.visible_run_indices()]
            self._legend.set_runs(runs, self._swarm.line_scale)

    def _update_title(self) -> None:
        colors = style.theme(self._dark)
        if self._title is not None:
            text, color = self._title
        elif self._sim is not None:
            text, color = surface_title(self._sim.surface), None
        else:
            text, color = "", None
        full = self._sim.surface.title if self._title is None and self._sim is not None else text
        size = style.scaled_points(style.TITLE_POINT_SIZE, self._font_scale)
        room = self.plot_widget.width() - self.plot_item.getAxis("left").width() - 40
        if self._colorbar is not None and self._colorbar.isVisible():
            room -= self._colorbar.width() + self._colorbar.axis.width()
        shown, size, width = fit_title(text, size, max(80, room))
        self._title_width = width
        self.plot_widget.setToolTip(full if shown != full else "")
        key = (shown, color or colors.foreground, size, getattr(self, "_compact", False))
        if key == self._shown_title:
            return  # resizes come often; setting the same title again relays the plot out
        self._shown_title = key
        if key[3]:
            self.plot_item.setTitle(None)
            return
        self.plot_item.setTitle(html.escape(shown), color=key[1], size=size, bold=True)

    def resizeEvent(self, event) -> None:  # Qt override: the title elides to the new width
        super().resizeEvent(event)
        self._update_title()
        self.note.place(self.plot_widget)

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        position = event.scenePos()
        if not self.view_box.sceneBoundingRect().contains(position):
            return
        if self._legend is not None and self._legend.contains(position):
            return
        if self.step_arrows.click(position):
            return
        point = self.view_box.mapSceneToView(position)
        self.start_point_requested.emit(float(point.x()), float(point.y()))
