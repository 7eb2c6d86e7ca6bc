"""Shared look of the side plots: projector-readable fonts, thick lines, light or dark."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem

LINE_WIDTH = 2.5
CURSOR_COLOR = "#888888"
THEMES = {
    False: {"background": "#ffffff", "foreground": "#202020"},
    True: {"background": "#1e1f22", "foreground": "#d8d8d8"},
}


def tick_font(point_size: float | None = None) -> QFont:
    font = QFont()
    if point_size is not None:
        font.setPointSizeF(point_size)
    return font


def run_pen(color: str, width: float = LINE_WIDTH, style=None) -> pg.QtGui.QPen:
    pen = pg.mkPen(color=color, width=width)
    if style is not None:
        pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


def band_brush(color: str, alpha: int = 55) -> pg.QtGui.QBrush:
    fill = QColor(color)
    fill.setAlpha(alpha)
    return pg.mkBrush(fill)


def make_cursor() -> pg.InfiniteLine:
    """The vertical line at the current step."""
    return pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(CURSOR_COLOR, width=1.5))


def cache(item: QGraphicsItem) -> None:
    """Draw ``item`` once into a pixmap and blit it on later repaints.

    The side plots' curves, bands and axes (with their grid) do not change
    during playback; only the cursor moves, and without the cache every frame
    repaints them all (antialiased paths cost milliseconds each).
    """
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def style_plot(plot: pg.PlotItem, dark: bool, font: QFont | None = None) -> None:
    """Axis colours and fonts of ``plot`` for the theme."""
    foreground = THEMES[dark]["foreground"]
    font = font or tick_font()
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(foreground))
        axis.setTextPen(pg.mkPen(foreground))
        axis.setTickFont(font)
        axis.label.setFont(font)
    plot.showGrid(x=True, y=True, alpha=0.25)
    for name in ("left", "bottom"):
        cache(plot.getAxis(name))
    plot.titleLabel.item.setFont(font)


def set_label(plot: pg.PlotItem, side: str, text: str, dark: bool) -> None:
    plot.setLabel(side, text, color=THEMES[dark]["foreground"])


def set_title(plot: pg.PlotItem, text: str, dark: bool) -> None:
    plot.setTitle(text, color=THEMES[dark]["foreground"], bold=True)
