"""The central surface views: contour, 3D or both; overlay or small multiples; one legend.

Views are the views engineer's (``lrsim.gui.views``); this module only arranges
them and keeps every shown view on the same scene, step, log scale, theme and
visible runs. The 3D view and the small multiples are created the first time
they are shown (start-up stays fast; without OpenGL the 3D view says so), and
hidden views are brought up to date when they appear rather than every frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout, QWidget

from lrsim.gui.legend_bar import LegendBar

KINDS = ("contour", "3d", "both")
LAYOUTS = ("overlay", "multiples", "basins")


class ViewArea(QWidget):
    """Holds the views; ``set_scene`` / ``set_step`` go to the ones on screen."""

    start_point_requested = Signal(float, float)
    trail_changed = Signal(object, bool)  # length (None: all), fade
    arrangement_changed = Signal()  # another view, layout or domain: the window refits the docks

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from lrsim.gui.views import ContourView

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
        self.contour = ContourView(self.flat)
        self.contour.start_point_requested.connect(self.start_point_requested)
        self.flat.addWidget(self.contour)
        self.multiples: QWidget | None = None
        self.basins: QWidget | None = None  # the basin map, made when first shown
        self.surface3d: QWidget | None = None
        self.kind = "contour"
        self.layout_mode = "overlay"
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

    def _make_multiples(self) -> QWidget:
        from lrsim.gui.views import SmallMultiplesView

        view = SmallMultiplesView(self.flat)
        view.start_point_requested.connect(self.start_point_requested)
        self.flat.addWidget(view)
        return view

    def _make_basins(self) -> QWidget:
        from lrsim.gui.views.basin_map import BasinMapView

        view = BasinMapView(self.flat)
        self.flat.addWidget(view)
        return view

    def _make_3d(self) -> QWidget:
        from lrsim.gui.views import SurfaceView3D  # without OpenGL it shows why, itself

        view = SurfaceView3D(self.splitter)
        self.splitter.addWidget(view)
        return view

    def active_views(self) -> list[QWidget]:
        """The views on screen now."""
        views = []
        if self.kind in ("contour", "both"):
            views.append(self._flat_view())
        if self.kind in ("3d", "both"):
            views.append(self.surface3d)
        return [view for view in views if view is not None]

    def set_kind(self, kind: str) -> None:
        """'contour', '3d' or 'both' (side by side)."""
        assert kind in KINDS
        self.kind = kind
        if kind != "contour" and self.surface3d is None:
            self.surface3d = self._make_3d()
        self.flat.setVisible(kind in ("contour", "both"))
        if self.surface3d is not None:
            self.surface3d.setVisible(kind in ("3d", "both"))
        if kind == "both":
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])
            self.splitter.setStretchFactor(0, 1)
            self.splitter.setStretchFactor(1, 1)
        # "both": one colour bar, the 3D view's at the right; the contour gets the width
        self.contour.set_colorbar_visible(kind != "both")
        if self.surface3d is not None and hasattr(self.surface3d, "set_colorbar_visible"):
            self.surface3d.set_colorbar_visible(True)
        self._sync_active()
        self.arrangement_changed.emit()

    def _flat_view(self) -> QWidget | None:
        """The 2D view of the layout mode (overlay contour, small multiples or basin map)."""
        return {"multiples": self.multiples, "basins": self.basins}.get(
            self.layout_mode, self.contour
        )

    def set_layout_mode(self, mode: str) -> None:
        """'overlay' (every run on one surface), 'multiples' (one view per run) or 'basins'."""
        assert mode in LAYOUTS
        self.layout_mode = mode
        if mode == "multiples" and self.multiples is None:
            self.multiples = self._make_multiples()
        if mode == "basins" and self.basins is None:
            self.basins = self._make_basins()
        self.flat.setCurrentWidget(self._flat_view())
        self._sync_active()
        self.arrangement_changed.emit()

    def width_wanted(self, limit: int) -> int | None:
        """The width at which the surface fills the height it has, with no padding beside it.

        The overlay contour needs its domain's aspect at full height; "both" gives the
        3D view as much again; small multiples the width of their best grid (at most
        ``limit``); the basin map and 3D alone take what they get (None).
        """
        if self._sim is None or self.kind == "3d":
            return None
        if self.layout_mode == "multiples" and self.kind == "contour" and self.multiples:
            return self.multiples.width_wanted(limit)
        if self.layout_mode != "overlay":
            return None
        needed = self.contour.width_wanted()
        if needed is None:
            return None
        if self.kind == "both":  # the side column yields all it can; the views share halves
            return 2 * needed + self.splitter.handleWidth()
        return needed

    # ------------------------------------------------------------------ keeping in step

    def _sync(self, view: QWidget) -> None:
        if self._synced.get(id(view)) is not self._sim:
            view.set_scene(self._sim)
            view.set_theme(self._dark)
            _set_look(view, self._look)
            view.set_log_scale(self._log)
            view.set_visible_runs(self._visible)
            _call(view, "set_emphasis", self._emphasis)
            _call(view, "set_trail", *self._trail)
            self._synced[id(view)] = self._sim
        view.set_step(self._column)

    def _sync_active(self) -> None:
        if self._sim is None:
            return
        for view in self.active_views():
            self._sync(view)

    def set_scene(self, sim) -> None:
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

    def set_step(self, column: int) -> None:
        self._column = column
        for view in self.active_views():
            view.set_step(column)

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
            _set_look(view, self._look)

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """Per run index, its opacity in every view (the legend's highlight and opacity)."""
        self._emphasis = dict(opacities or {})
        for view in self._all_views():
            _call(view, "set_emphasis", self._emphasis)

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Trails of every step (None), none (0) or the last ``length`` steps, in every view
        (the user's choice: later scenes keep it)."""
        self._trail_chosen = True
        self._trail = (length, bool(fade))
        self.trail_changed.emit(*self._trail)
        for view in self._all_views():
            _call(view, "set_trail", *self._trail)

    def set_compact(self, on: bool) -> None:
        """The overlay contour without title and axis labels (presentation mode)."""
        self.contour.set_compact(on)
        self.arrangement_changed.emit()

    def reset_camera(self) -> None:
        """The 3D view's camera back to its default (View > Reset 3D camera)."""
        if self.surface3d is not None:
            _call(self.surface3d, "reset_camera")

    @property
    def trail(self) -> tuple[int | None, bool]:
        return self._trail

    def _on_visible_runs_changed(self, indices: list[int] | None) -> None:
        self._visible = indices
        for view in self._all_views():
            view.set_visible_runs(indices)
            view.set_step(self._column)

    def _all_views(self) -> list[QWidget]:
        """The views showing the current scene (the others catch up when shown)."""
        views = (self.contour, self.multiples, self.basins, self.surface3d)
        return [v for v in views if v is not None and self._synced.get(id(v)) is self._sim]


CROWDED_SWARM = 100  # particles from which trails show the last steps only, by default
CROWDED_TRAIL = 10


def default_trail(n_particles: int) -> int | None:
    """Whole trails for a few particles; a crowd's whole trails are a tangle, so the last
    ``CROWDED_TRAIL`` steps (fading) show where each particle is heading."""
    return CROWDED_TRAIL if n_particles >= CROWDED_SWARM else None


def _call(view: QWidget, name: str, *args) -> None:
    """``view.name(*args)`` for the views that have it."""
    method = getattr(view, name, None)
    if method is not None:
        method(*args)


def _set_look(view: QWidget, look: tuple[float, float]) -> None:
    """``view.set_look(*look)`` for the views that have it."""
    set_look = getattr(view, "set_look", None)
    if set_look is not None:
        set_look(*look)
