"""The basin map: one small map per run, each start coloured by the minimum its particle is in.

Each run's map is a ``basin_plot.BasinPlot``. A grid of starts (``[particles] grid``)
is drawn as one RGBA ``ImageItem`` of nx x ny
cells over the domain; other starts as squares at the start points, themselves one
RGBA image on a fine raster (``basin_style.scatter_raster``: painting 40,000 squares
one by one cost ~20 ms a frame, the image ~2 ms), over faint isolines of the surface.
``set_column`` only recolours: per run one ``basin_assignments`` call and one palette lookup,
so playing the animation shows the basins filling in. The colours are in
``basin_style`` (shared by every run's map, so a minimum has one colour everywhere).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from lrsim.core.stats import basin_assignments
from lrsim.gui.views import style
from lrsim.gui.views.basin_legend import BasinLegend, paint_widget
from lrsim.gui.views.basin_plot import BasinPlot, RunPanel, basin_isolines
from lrsim.gui.views.basin_style import (
    basin_palette,
    best_grid,
    fraction_texts,
    legend_entries,
)
from lrsim.gui.views.protocol import DrawnByGrab

MINIMUM_KINDS = ("global_min", "local_min")
LEGEND_TOP_IN_CELL = 60  # in an empty cell the legend starts level with the maps' tops


def known_minima(sim) -> list:
    """The minima ``basin_assignments`` labels by index, in its order."""
    return [p for p in sim.critical_points() if p.kind in MINIMUM_KINDS]


class BasinMapView(QWidget, DrawnByGrab):
    """One basin map per run, side by side, linked zoom and pan, and one legend.

    A ``SurfaceView`` (no colour scale, trails or run opacity here: those settings
    are accepted and ignored). The maps are arranged in the rows and columns that make them
    biggest for the domain's shape; the legend takes an empty cell if there is one,
    else a strip underneath.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._outer.setSpacing(0)
        self._grid_widget = QWidget(self)
        self._grid_widget.setAutoFillBackground(True)
        self._layout = QGridLayout(self._grid_widget)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._outer.addWidget(self._grid_widget, 1)
        self.legend = BasinLegend(self)
        self._outer.addWidget(self.legend)
        self.panels: list[RunPanel] = []
        self.minima: list = []
        self.palette_rgba = basin_palette([])
        self._is_global = np.zeros(0, dtype=bool)
        self._sim = None
        self._visible: list[int] | None = None
        self._dark = True
        self._column = 0
        self._shape: tuple[int, int, bool] | None = None
        self._font_scale = 1.0
        self._range: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._range_timer = QTimer(self)  # re-fit the shared range once resizes settle
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(0)
        self._range_timer.timeout.connect(self._apply_range)
        self.step = 0
        self.set_theme(True)

    # ------------------------------------------------------------------ the API

    def set_simulation(self, sim) -> None:
        if sim is self._sim:  # more of it computed: recolour the step shown
            self.set_column(self._column)
            return
        self._sim = sim
        self._column = 0
        if len(self.panels) != sim.n_runs:
            self._build(sim.n_runs)
        self.minima = known_minima(sim)
        self.palette_rgba = basin_palette(self.minima)
        self._is_global = np.array([p.kind == "global_min" for p in self.minima], dtype=bool)
        isolines = basin_isolines(sim)
        for panel, run in zip(self.panels, sim.runs, strict=True):
            panel.plot.set_starts(sim, isolines)
            panel.plot.set_minima(self.minima)
            panel.set_title(run.label, run.color)
        self.legend.set_entries(legend_entries(self.minima), self._dark)
        (xmin, xmax), (ymin, ymax) = sim.domain
        pad_x, pad_y = 0.02 * (xmax - xmin), 0.02 * (ymax - ymin)
        self._range = ((xmin - pad_x, xmax + pad_x), (ymin - pad_y, ymax + pad_y))
        self._arrange(force=True)
        self._apply_range()
        self.set_column(0)

    def set_column(self, column: int) -> None:
        """Colour the starts by where their particles are at column ``column``."""
        self._column = int(column)
        sim = self._sim
        if sim is None:
            return
        column = int(np.clip(column, 0, len(sim.recorded_steps) - 1))
        self.step = min(int(sim.recorded_steps[column]), sim.current_step)
        for index in self.visible_run_indices():
            _minima, labels = basin_assignments(sim, index, self.step)
            panel = self.panels[index]
            panel.plot.show_labels(labels, self.palette_rgba)
            panel.set_subtitle(*fraction_texts(labels, self._is_global))

    def set_theme(self, dark: bool) -> None:
        self._dark = bool(dark)
        colors = style.theme(self._dark)
        paint_widget(self._grid_widget, colors.background, colors.foreground)
        for panel in self.panels:
            panel.set_theme(self._dark)
        self.legend.set_entries(self.legend.entries, self._dark)

    def set_visible_runs(self, indices: list[int] | None) -> None:
        """Show only these runs' maps (None = all)."""
        self._visible = None if indices is None else [int(i) for i in indices]
        self._arrange(force=True)
        self.set_column(self._column)

    def set_log_scale(self, on: bool) -> None:
        """Nothing to do: the map has no loss colour scale."""

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """Nothing to do: each run has its own map, and a start's colour is its basin's."""

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Nothing to do: the map colours the starts and draws no trails."""

    def width_wanted(self, limit: int) -> int | None:
        """None: the maps are arranged to fill whatever room the window gives."""
        return None

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Text and stars ``font_scale`` times as big (presentation mode); no lines to thicken
        here beyond the faint isolines, so ``line_scale`` is not used."""
        self._font_scale = float(font_scale)
        for panel in self.panels:
            panel.set_look(self._font_scale)
        self.legend.set_font_scale(self._font_scale)
        if self._sim is not None:
            self._arrange(force=True)

    # ------------------------------------------------------------------ for tests

    @property
    def maps(self) -> list[BasinPlot]:
        return [panel.plot for panel in self.panels]

    def visible_run_indices(self) -> list[int]:
        if self._sim is None:
            return []
        if self._visible is None:
            return list(range(self._sim.n_runs))
        return [i for i in self._visible if 0 <= i < self._sim.n_runs]

    def particle_colors(self, run_index: int) -> np.ndarray:
        """(N, 4) RGBA of each particle's start as drawn now."""
        return self.panels[run_index].plot.colors

    def grid_shape(self) -> tuple[int, int] | None:
        """(rows, columns) of the maps now."""
        return None if self._shape is None else self._shape[:2]

    # ------------------------------------------------------------------ internals

    def _build(self, count: int) -> None:
        for panel in self.panels:
            self._layout.removeWidget(panel)
            panel.hide()
            panel.deleteLater()
        self.panels = []
        for _index in range(count):
            panel = RunPanel(self._grid_widget)
            panel.set_theme(self._dark)
            panel.set_look(self._font_scale)
            panel.plot.view_box.sigRangeChangedManually.connect(
                lambda _axes, box=panel.plot.view_box: self._on_zoomed(box)
            )
            panel.plot.view_box.sigResized.connect(lambda *_: self._range_timer.start())
            self.panels.append(panel)

    def _best_shape(self, count: int) -> tuple[int, int, bool]:
        if self._sim is None:
            return 1, max(1, count), False
        (xmin, xmax), (ymin, ymax) = self._sim.domain

        def legend_height(width: float, inline: bool) -> float:
            top = 0 if inline else LEGEND_TOP_IN_CELL
            return self.legend.needed_height(width, inline) + top

        aspect = (xmax - xmin) / (ymax - ymin)
        return best_grid(count, max(1, self.width()), max(1, self.height()), aspect, legend_height)

    def _arrange(self, force: bool = False) -> None:
        shown = [self.panels[i] for i in self.visible_run_indices()]
        shape = self._best_shape(len(shown))
        if shape == self._shape and not force:
            return
        self._shape = shape
        for panel in self.panels:
            self._layout.removeWidget(panel)
            panel.hide()
        self._layout.removeWidget(self.legend)
        self._outer.removeWidget(self.legend)
        rows, columns, in_cell = shape
        for slot, panel in enumerate(shown):
            row, column = divmod(slot, columns)
            self._layout.addWidget(panel, row, column)
            panel.show()
        spare = rows * columns - len(shown)
        if in_cell:  # the legend in the empty cell(s) at the end of the last row
            self.legend.set_inline(False)
            self.legend.set_top_margin(LEGEND_TOP_IN_CELL)
            self._layout.addWidget(self.legend, rows - 1, columns - spare, 1, spare)
        else:
            self.legend.set_inline(True)
            self.legend.set_top_margin(4)
            self._outer.addWidget(self.legend)
        self.legend.show()
        for index in range(max(columns, self._layout.columnCount())):
            self._layout.setColumnStretch(index, 1 if index < columns else 0)
        for index in range(max(rows, self._layout.rowCount())):
            self._layout.setRowStretch(index, 1 if index < rows else 0)

    def _on_zoomed(self, box: pg.ViewBox) -> None:
        """The user zoomed or panned one map: every map shows that region."""
        (x0, x1), (y0, y1) = box.viewRange()
        self._range = ((x0, x1), (y0, y1))
        for panel in self.panels:
            if panel.plot.view_box is not box:
                panel.plot.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _apply_range(self) -> None:
        """Fit the shared region into every map (after a resize or a new scene).

        Maps are not linked with setXLink/setYLink: with locked aspect ratios, links
        between plots of different sizes (as happens while a layout settles) widen
        each other's ranges without end.
        """
        if self._range is None:
            return
        (x0, x1), (y0, y1) = self._range
        for panel in self.panels:
            panel.plot.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._sim is not None:
            self._arrange()
