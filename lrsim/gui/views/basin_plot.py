"""One run's basin map (``BasinPlot``) and its titled panel (``RunPanel``).

The plot shows the starts as one RGBA image coloured by basin (grid starts as
cells, other starts as squares on a fine raster), over faint isolines, with the
known minima as stars; ``BasinMapView`` arranges one panel per run.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy, QVBoxLayout, QWidget

from lrsim.gui.views import style
from lrsim.gui.views.basin_legend import ElidedLabel, paint_widget
from lrsim.gui.views.basin_style import ScatterRaster, scatter_raster
from lrsim.gui.views.scene import ColorScale, isoline_segments, surface_grid

ISOLINE_COUNT = 10
TITLE_POINT_SIZE = 15
SUBTITLE_POINT_SIZE = 12


def basin_isolines(sim) -> tuple[np.ndarray, np.ndarray]:
    """Faint isolines of the surface for orientation (the grid is cached per surface)."""
    xs, ys, values = surface_grid(sim)
    known = [p.value for p in sim.critical_points() if p.kind == "global_min"]
    log = bool(getattr(sim.surface, "log_scale", False))
    scale = ColorScale.for_grid(values, log, min(known) if known else None)
    return isoline_segments(xs, ys, scale.apply(values), scale.isoline_levels(ISOLINE_COUNT))


class BasinPlot(pg.PlotWidget):
    """One run's map: cells (grid starts) or squares (other starts), isolines and stars."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.view_box: pg.ViewBox = self.plot_item.getViewBox()
        self.view_box.setAspectLocked(True)
        self.view_box.disableAutoRange()
        self.plot_item.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-100)
        self.plot_item.addItem(self.image)
        self.isolines = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.isolines.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static
        self.plot_item.addItem(self.isolines)
        self.stars = pg.ScatterPlotItem(pxMode=True)
        self.stars.setZValue(100)
        self.plot_item.addItem(self.stars)
        self.grid: tuple[int, int] | None = None  # (nx, ny) when the starts are a grid
        self.raster: ScatterRaster | None = None  # the squares of other starts
        self.labels = np.zeros(0, dtype=np.int64)
        self.colors = np.zeros((0, 4), dtype=np.uint8)  # RGBA per particle, as drawn
        self._dark = True
        self._font_scale = 1.0
        self._minima: list = []

    def set_starts(self, sim, isolines: tuple[np.ndarray, np.ndarray]) -> None:
        (xmin, xmax), (ymin, ymax) = sim.domain
        grid = sim.runfile.particles.grid
        self.grid = tuple(grid) if grid is not None else None
        if self.grid is not None:
            nx, ny = self.grid
            self.raster = None
            self.image.setImage(np.zeros((ny, nx, 4), np.uint8), autoLevels=False)
            self.image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
            self.isolines.setZValue(-50)  # over the cells, faint
        else:
            self.raster = scatter_raster(sim.starts, sim.domain)
            rows, columns = self.raster.index.shape
            self.image.setImage(np.zeros((rows, columns, 4), np.uint8), autoLevels=False)
            self.image.setRect(QRectF(*self.raster.rect))
            self.isolines.setZValue(-110)  # under the squares: shows in the gaps
        self.isolines.setData(*isolines, connect="pairs")
        self._style_isolines()

    def set_minima(self, minima) -> None:
        """Stars on the known minima: big for global, smaller for local; white, outlined."""
        self._minima = list(minima)
        scale = self._font_scale
        spots = [
            {
                "pos": (p.x, p.y),
                "size": (20 if p.kind == "global_min" else 13) * scale,
                "symbol": "star",
                "brush": pg.mkBrush("#ffffff"),
                "pen": pg.mkPen(style.OUTLINE, width=1.4),
            }
            for p in minima
        ]
        self.stars.setData(spots)

    def show_labels(self, labels: np.ndarray, palette: np.ndarray) -> None:
        """Colour every start by its label (``basin_assignments``)."""
        self.labels = labels
        self.colors = palette[labels]
        if self.raster is None:
            nx, ny = self.grid
            self.image.setImage(self.colors.reshape(ny, nx, 4), autoLevels=False)
        else:
            self.image.setImage(self.raster.image(self.colors), autoLevels=False)

    def set_theme(self, dark: bool) -> None:
        self._dark = dark
        colors = style.theme(dark)
        self.setBackground(colors.background)
        for name in ("left", "bottom"):
            axis = self.plot_item.getAxis(name)
            style.style_axis(axis, None, colors.foreground, self._font_scale)
        self._style_isolines()

    def _style_isolines(self) -> None:
        if self.grid is not None:
            color = (0, 0, 0, 60)  # over the cells' light colours, in either theme
        else:
            color = (255, 255, 255, 80) if self._dark else (0, 0, 0, 70)
        self.isolines.setPen(pg.mkPen(color, width=1.0, cosmetic=True))

    def set_look(self, font_scale: float) -> None:
        """Tick labels and stars ``font_scale`` times as big (presentation mode)."""
        self._font_scale = font_scale
        self.set_theme(self._dark)
        self.set_minima(self._minima)


class RunPanel(QWidget):
    """A run's title (its label in its colour), the global fraction, and its map."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(0)
        self.title = ElidedLabel(self, point_size=TITLE_POINT_SIZE, bold=True)
        self.subtitle = ElidedLabel(self, point_size=SUBTITLE_POINT_SIZE)
        self.plot = BasinPlot(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.plot, 1)
        self.setAutoFillBackground(True)
        # every cell of the grid the same size, whatever the plots' size hints say: linked
        # maps with a locked aspect ratio show the same region only in plots of one size
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._color: str | None = None
        self._dark = True

    def set_title(self, label: str, color: str) -> None:
        self._color = color
        self.title.set_texts(label)
        self._recolor()

    def set_subtitle(self, full: str, short: str) -> None:
        self.subtitle.set_texts(full, short)

    def title_text(self) -> str:
        return f"{self.title.full_text()}\n{self.subtitle.full_text()}"

    def set_theme(self, dark: bool) -> None:
        self._dark = dark
        self.plot.set_theme(dark)
        self._recolor()

    def set_look(self, font_scale: float) -> None:
        self.title.set_point_size(TITLE_POINT_SIZE * font_scale)
        self.subtitle.set_point_size(SUBTITLE_POINT_SIZE * font_scale)
        self.plot.set_look(font_scale)

    def _recolor(self) -> None:
        colors = style.theme(self._dark)
        paint_widget(self, colors.background, colors.foreground)
        paint_widget(self.title, colors.background, self._color or colors.foreground)
