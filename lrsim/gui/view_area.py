"""The central surface views: a flat view, the 3D view or both; one legend.

The views and their names come from ``lrsim.gui.views.registry.VIEWS``; this
module only arranges them and keeps every shown view on the same simulation,
column, log scale, theme and visible runs through the ``SurfaceView`` protocol.
Views other than the overlay contour are created the first time they are shown
(start-up stays fast; without OpenGL the 3D view says so), and hidden views are
brought up to date when they appear rather than every frame.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout, QWidget

from lrsim.gui.legend_bar import LegendBar
from lrsim.gui.views.protocol import SurfaceView
from lrsim.gui.views.registry import DEFAULT, arrangements, flat_views, side_view, view_spec

KINDS = tuple(kind for kind, _text, _key in arrangements())  # flat, 3d (the side view), both
LAYOUTS = tuple(spec.name for spec in flat_views())


class ViewArea(QWidget):
    """Holds the views; ``set_simulation`` / ``set_column`` go to the ones on screen."""

    start_point_requested = Signal(float, float)
    trail_changed = Signal(object, bool)  # length (None: all), fade
    arrangement_changed = Signal()  # another view, layout or domain: the window refits the docks

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.legend = LegendBar(self)
        self.legend.visible_runs_changed.connect(self._on_visible_runs_changed)
        self.legend.emphasis_changed.connect(self.set_emphasis)
        layout.addWidget(self.legend)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self.flat = QStackedWidget(self.splitter)
        self._views: dict[str, QWidget] = {}  # name -> view, each made when first shown
        self.contour = self._make(DEFAULT)  # the main view: live edits, compact mode
        self.kind = "flat"
        self.layout_mode = DEFAULT
        self._sim = None
        self._column = 0
        self._log = False
        self._dark = False
        self._look = (1.0, 1.0)  # (font scale, line scale): bigger in presentation mode
        self._visible: list[int] | None = None
        self._emphasis: dict[int, float] = {}  # run index -> opacity (legend's menu)
        self._trail: tuple[int | None, bool] = (None, True)  # View > Trails
        self._trail_chosen = False  # the user picked a trail: new scenes keep it
        self._synced: dict[int, object] = {}  # id(view) -> the simulation it shows

    # ------------------------------------------------------------------ which views

    def _make(self, name: str) -> QWidget:
        """The view ``name``, made now (without OpenGL the 3D view shows why, itself)."""
        spec = view_spec(name)
        holder = self.flat if spec.place == "flat" else self.splitter
        view = spec.create(holder)
        if spec.adds_starts:
            view.start_point_requested.connect(self.start_point_requested)
        holder.addWidget(view)
        self._views[name] = view
        return view

    def view(self, name: str) -> QWidget | None:
        """The view ``name`` if it has been shown (None before); unknown names raise."""
        view_spec(name)
        return self._views.get(name)

    def _shown(self, name: str) -> QWidget:
        return self._views.get(name) or self._make(name)

    @property
    def side(self) -> QWidget | None:
        """The view beside the flat ones (3D), once it has been shown."""
        return self._views.get(side_view().name)

    def active_views(self) -> list[QWidget]:
        """The views on screen now."""
        views = []
        if self.kind != side_view().name:
            views.append(self._flat_view())
        if self.kind != "flat":
            views.append(self.side)
        return [view for view in views if view is not None]

    def grab_with_overlays(self, widget: QWidget | None = None) -> QPixmap:
        """``widget`` (this area by default, or the window holding it) as a picture, with
        what the views paint over a GL scene (the 3D axes' labels): a plain grab of a GL
        widget has its framebuffer only, so File > PNG lost the labels."""
        widget = self if widget is None else widget
        pixmap = widget.grab()
        painter = QPainter(pixmap)
        for view in self.active_views():
            if view.isVisible():
                origin = QPointF(view.mapTo(widget, QPoint(0, 0)))
                painter.save()  # a label turned past the view's edge stays in the view
                painter.setClipRect(QRectF(origin, QSizeF(view.size())))
                view.paint_overlay(painter, origin)
                painter.restore()
        painter.end()
        return pixmap

    def set_kind(self, kind: str) -> None:
        """'flat' (the layout's view), '3d' (the side view) or 'both' (side by side)."""
        if kind not in KINDS:
            raise ValueError(f"unknown arrangement {kind!r}; one of {KINDS}")
        self.kind = kind
        side = self._shown(side_view().name) if kind != "flat" else self.side
        self.flat.setVisible(kind != side_view().name)
        if side is not None:
            side.setVisible(kind != "flat")
        if kind == "both":
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])
            self.splitter.setStretchFactor(0, 1)
            self.splitter.setStretchFactor(1, 1)
        # "both": one colour bar, the 3D view's at the right; the contour gets the width
        self.contour.set_colorbar_visible(kind != "both")
        self._sync_active()
        self.arrangement_changed.emit()

    def _flat_view(self) -> QWidget | None:
        """The flat view of the layout mode (overlay contour, small multiples, basin map)."""
        return self._views.get(self.layout_mode)

    def set_layout_mode(self, mode: str) -> None:
        """Which flat view shows: 'contour' (every run on one surface), 'multiples' (one
        view per run) or 'basins' (one basin map per run)."""
        if mode not in LAYOUTS:
            raise ValueError(f"unknown flat view {mode!r}; one of {LAYOUTS}")
        self.layout_mode = mode
        self.flat.setCurrentWidget(self._shown(mode))
        self._sync_active()
        self.arrangement_changed.emit()

    def current_view_name(self) -> str:
        """The name of the view on screen (the flat one when both show)."""
        return self.kind if self.kind == side_view().name else self.layout_mode

    def width_wanted(self, limit: int) -> int | None:
        """The width at which the surface fills the height it has, with no padding beside it.

        The flat view says what it wants (at most ``limit``); "both" gives the 3D
        view as much again as the overlay contour; the 3D view alone, and other flat
        views beside it, take what they get (None).
        """
        if self._sim is None or self.kind == side_view().name:
            return None
        flat = self._flat_view()
        if self.kind == "flat":
            return flat.width_wanted(limit)
        if flat is not self.contour:
            return None
        needed = self.contour.width_wanted(limit)
        if needed is None:
            return None
        return 2 * needed + self.splitter.handleWidth()  # the side column yields all it can

    # ------------------------------------------------------------------ keeping in step

    def _sync(self, view: SurfaceView) -> None:
        if self._synced.get(id(view)) is not self._sim:
            view.set_simulation(self._sim)
            view.set_theme(self._dark)
            view.set_look(*self._look)
            view.set_log_scale(self._log)
            view.set_visible_runs(self._visible)
            view.set_emphasis(self._emphasis)
            view.set_trail(*self._trail)
            self._synced[id(view)] = self._sim
        view.set_column(self._column)

    def _sync_active(self) -> None:
        if self._sim is None:
            return
        for view in self.active_views():
            self._sync(view)

    def set_simulation(self, sim) -> None:
        same_runs = self._sim is not None and [(r.label, r.color) for r in self._sim.runs] == [
            (r.label, r.color) for r in sim.runs
        ]
        self._sim = sim
        self._synced.clear()
        if not same_runs:
            self._visible = None
            self._emphasis = {}
            self.legend.set_runs(sim.runs)
        if not self._trail_chosen:
            self._trail = (default_trail(sim.n_particles), self._trail[1])
            self.trail_changed.emit(*self._trail)
        self._column = min(self._column, max(0, sim.recorded_upto() - 1))
        self._sync_active()
        self.arrangement_changed.emit()

    def set_column(self, column: int) -> None:
        self._column = column
        for view in self.active_views():
            view.set_column(column)

    def set_log_scale(self, on: bool) -> None:
        self._log = on
        for view in self._all_views():
            view.set_log_scale(on)

    def set_theme(self, dark: bool) -> None:
        self._dark = dark
        for view in self._all_views():
            view.set_theme(dark)

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Bigger text and thicker trails in every view (presentation mode); 1, 1 is normal."""
        self._look = (float(font_scale), float(line_scale))
        for view in self._all_views():
            view.set_look(*self._look)

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """Per run index, its opacity in every view (the legend's highlight and opacity)."""
        self._emphasis = dict(opacities or {})
        for view in self._all_views():
            view.set_emphasis(self._emphasis)

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Trails of every step (None), none (0) or the last ``length`` steps, in every view
        (the user's choice: later scenes keep it)."""
        self._trail_chosen = True
        self._trail = (length, bool(fade))
        self.trail_changed.emit(*self._trail)
        for view in self._all_views():
            view.set_trail(*self._trail)

    def set_compact(self, on: bool) -> None:
        """The overlay contour without title and axis labels (presentation mode)."""
        self.contour.set_compact(on)
        self.arrangement_changed.emit()

    def reset_camera(self) -> None:
        """The 3D view's camera back to its default (View > Reset 3D camera)."""
        if self.side is not None:
            self.side.reset_camera()

    @property
    def trail(self) -> tuple[int | None, bool]:
        return self._trail

    def _on_visible_runs_changed(self, indices: list[int] | None) -> None:
        self._visible = indices
        for view in self._all_views():
            view.set_visible_runs(indices)
            view.set_column(self._column)

    def _all_views(self) -> list[SurfaceView]:
        """The views showing the current scene (the others catch up when shown)."""
        return [v for v in self._views.values() if self._synced.get(id(v)) is self._sim]


CROWDED_SWARM = 100  # particles from which trails show the last steps only, by default
CROWDED_TRAIL = 10


def default_trail(n_particles: int) -> int | None:
    """Whole trails for a few particles; a crowd's whole trails are a tangle, so the last
    ``CROWDED_TRAIL`` steps (fading) show where each particle is heading."""
    return CROWDED_TRAIL if n_particles >= CROWDED_SWARM else None
