"""Small multiples: one contour view per run, in a grid, with zoom and pan linked."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from lrsim.gui.views import style
from lrsim.gui.views.basin_style import best_grid
from lrsim.gui.views.contour import ContourView, label_colorbar, style_colorbar
from lrsim.gui.views.protocol import DrawnByGrab

BAR_WIDTH = 145  # the shared colour bar's column, at font scale 1
OVERHEAD = (70.0, 85.0)  # a view's pixels beside and above/below its plot, before it is shown


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, columns): one row up to three views, then as square as possible."""
    if count <= 3:
        return 1, max(1, count)
    columns = math.ceil(math.sqrt(count))
    return math.ceil(count / columns), columns


class SmallMultiplesView(QWidget, DrawnByGrab):
    """One ContourView per run, each titled with its run's label in its colour.

    The views share one colour scale, shown by one colour bar at the right, so the
    plots get the room. Every view keeps both axis labels: linked axes with a
    locked aspect ratio show the same region only if the plot areas are the same size.
    """

    start_point_requested = Signal(float, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        grid = QWidget(self)
        self._grid = grid
        grid.setMinimumSize(1, 1)  # the views' fixed sizes must not hold the window open
        self.setMinimumSize(1, 1)
        self._layout = QGridLayout(grid)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        outer.addWidget(grid, 1)
        self._bar_widget = pg.GraphicsLayoutWidget(self)
        self._bar_widget.setFixedWidth(BAR_WIDTH)
        self.colorbar = pg.ColorBarItem(colorMap=style.colormap(), interactive=False, width=18)
        self._bar_widget.addItem(self.colorbar)
        outer.addWidget(self._bar_widget)
        self.views: list[ContourView] = []
        self._sim = None
        self._visible: list[int] | None = None
        self._dark = True
        self._column = 0
        self._look = (1.0, 1.0)  # (font scale, line scale)
        self._trail: tuple[int | None, bool] = (None, True)
        # Linked views with a locked aspect ratio each widen the shared range a little on
        # every resize while the grid settles (the domain drifted to 5x its size): once the
        # layout is quiet the domain is shown again
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit_domain)
        self._sizes: tuple | None = None  # (rows, columns, view width, view height) arranged
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self._fit_views)

    # ------------------------------------------------------------------ the API

    def set_simulation(self, sim) -> None:
        if sim is not self._sim:
            self._column = 0
            if self._sim is None or sim.n_runs != self._sim.n_runs:
                self._build(sim.n_runs)
        self._sim = sim
        for index, view in enumerate(self.views):
            view.set_simulation(sim)
            run = sim.runs[index]
            view.set_title(run.label, run.color)
        self._arrange()
        self._update_colorbar()
        self.set_column(self._column)

    def set_column(self, column: int) -> None:
        self._column = column
        for view in self.views:
            view.set_column(column)

    def set_log_scale(self, on: bool) -> None:
        for view in self.views:
            view.set_log_scale(on)
        self._update_colorbar()

    def set_visible_runs(self, indices: list[int] | None) -> None:
        """Show only these runs' views (None = all)."""
        self._visible = None if indices is None else [int(i) for i in indices]
        self._arrange()

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """A run's opacity applies in its own view."""
        opacities = dict(opacities or {})
        for index, view in enumerate(self.views):
            view.set_emphasis({index: opacities[index]} if index in opacities else None)

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        self._trail = (length, fade)
        for view in self.views:
            view.set_trail(length, fade)

    def set_theme(self, dark: bool) -> None:
        self._dark = bool(dark)
        for view in self.views:
            view.set_theme(dark)
        background = style.theme(self._dark).background
        self._bar_widget.setBackground(background)
        self._update_colorbar()

    def fit_domain(self) -> None:
        """Show the surface's domain in every view (they are linked)."""
        if self._sim is None or not self.views:
            return
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        self.views[0].view_box.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Bigger text and thicker trails in every view (see ``ContourView.set_look``)."""
        self._look = (float(font_scale), float(line_scale))
        for view in self.views:
            view.set_look(*self._look)
        self._bar_widget.setFixedWidth(round(BAR_WIDTH * font_scale))
        self._update_colorbar()

    # ------------------------------------------------------------------ internals

    def _build(self, count: int) -> None:
        for view in self.views:
            self._layout.removeWidget(view)
            view.deleteLater()
        self.views = []
        for index in range(count):
            view = ContourView(self, show_colorbar=False, show_legend=False)
            view.start_point_requested.connect(self.start_point_requested)
            view.set_visible_runs([index])
            view.set_theme(self._dark)
            view.set_look(*self._look)
            view.set_trail(*self._trail)
            view.view_box.sigResized.connect(self._refit.start)
            if index:
                view.plot_item.setXLink(self.views[0].plot_item)
                view.plot_item.setYLink(self.views[0].plot_item)
            self.views.append(view)

    def _shown(self) -> list[ContourView]:
        return [
            view
            for index, view in enumerate(self.views)
            if self._visible is None or index in self._visible
        ]

    def _arrange(self) -> None:
        self._sizes = None
        self._fit_views()

    def _overhead(self, shown: list[ContourView]) -> tuple[float, float]:
        """Pixels a view spends beside (axis) and above and below (title, axis) its plot."""
        view = shown[0]
        box = view.view_box.boundingRect()
        if not view.isVisible() or box.width() < 10 or box.height() < 10:
            return OVERHEAD
        return (view.width() - box.width(), view.height() - box.height())

    def _fit_views(self) -> None:
        """The grid (rows x columns) that makes the views biggest, each view sized so its
        plot is the domain's shape (no padding), centred in the space there is."""
        shown = self._shown()
        if not shown or self._sim is None:
            return
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        aspect = (xmax - xmin) / (ymax - ymin)
        width, height = max(50, self._grid.width()), max(50, self._grid.height())
        overhead = self._overhead(shown)
        rows, columns, _ = best_grid(len(shown), width, height, aspect, overhead=overhead)
        room_w, room_h = width / columns - overhead[0], height / rows - overhead[1]
        plot_h = max(40.0, min(room_w / aspect, room_h))
        size = (round(plot_h * aspect + overhead[0]), round(plot_h + overhead[1]))
        key = (rows, columns, *size, len(shown))
        if self._sizes is not None and self._sizes[:2] == key[:2] and self._sizes[4:] == key[4:]:
            if abs(self._sizes[2] - size[0]) <= 2 and abs(self._sizes[3] - size[1]) <= 2:
                return  # settled: a pixel here or there must not relayout for ever
        self._sizes = key
        for view in self.views:
            self._layout.removeWidget(view)
            view.hide()
        centre = Qt.AlignmentFlag.AlignCenter
        for slot, view in enumerate(shown):
            row, column = divmod(slot, columns)
            view.setFixedSize(*size)
            self._layout.addWidget(view, row, column, centre)
            view.show()
        for column in range(max(columns, self._layout.columnCount())):
            self._layout.setColumnStretch(column, 0)
        for row in range(max(rows, self._layout.rowCount())):
            self._layout.setRowStretch(row, 0)
        self._layout.setAlignment(centre)  # the views together in the middle, no gaps
        self._refit.start()
        self._relayout.start()  # once more with the overhead measured on the shown views

    def width_wanted(self, limit: int) -> int | None:
        """The width (at most ``limit``) whose best grid makes the views biggest at this
        height, with no padding beside them."""
        shown = self._shown()
        if not shown or self._sim is None:
            return None
        (xmin, xmax), (ymin, ymax) = self._sim.domain
        aspect = (xmax - xmin) / (ymax - ymin)
        overhead = self._overhead(shown)
        bar = self._bar_widget.width()
        height = max(50, self._grid.height())
        best = None
        for rows in range(1, len(shown) + 1):
            columns = math.ceil(len(shown) / rows)
            if (rows - 1) * columns >= len(shown):
                continue
            across = ((limit - bar) / columns - overhead[0]) / aspect
            plot = min(height / rows - overhead[1], across)
            if best is None or plot > best[0] * 1.02:
                best = (plot, columns)
        plot, columns = best
        return round(columns * (plot * aspect + overhead[0]) + bar + 2)

    def resizeEvent(self, event) -> None:  # Qt override: the grid follows the room there is
        super().resizeEvent(event)
        self._relayout.start()

    def _update_colorbar(self) -> None:
        scale = self.views[0].color_scale if self.views else None
        foreground = style.theme(self._dark).foreground
        font_scale = self._look[0]
        style_colorbar(self.colorbar, foreground, font_scale)
        if scale is not None:
            self.colorbar.setLevels(scale.levels)
            label_colorbar(self.colorbar, scale, foreground, font_scale)
