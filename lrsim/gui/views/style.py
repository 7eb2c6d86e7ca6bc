"""Look of the surface views: colormap, themes, fonts and the particle marker pixmaps.

Sizes are chosen for a 1920x1080 projector seen from the back of a lecture hall:
13-15 pt text, crosses 13 px wide with a dark outline so they read over any
colour of the heat map, the current position a 15 px disc ringed in white.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap

COLORMAP_NAME = "viridis"
DIVERGED_COLOR = "#9a9a9a"
TICK_POINT_SIZE = 13
NOTE_POINT_SIZE = 12
LABEL_POINT_SIZE = "15pt"
TITLE_POINT_SIZE = "16pt"

CROSS_SIZE = 11
CURRENT_SIZE = 15
DIVERGED_SIZE = 15
TRAIL_WIDTH = 2.0
TRAIL_OUTLINE_WIDTH = 3.6
OUTLINE = QColor(0, 0, 0, 200)
TRAIL_OUTLINE = QColor(0, 0, 0, 130)


@dataclass(frozen=True)
class Theme:
    background: str
    foreground: str
    isoline: tuple[int, int, int, int]
    legend_fill: tuple[int, int, int, int]
    note: str


DARK = Theme("#111216", "#e6e6e6", (255, 255, 255, 70), (20, 20, 24, 200), "#f0f0f0")
LIGHT = Theme("#ffffff", "#1a1a1a", (255, 255, 255, 80), (255, 255, 255, 215), "#101010")


def theme(dark: bool) -> Theme:
    return DARK if dark else LIGHT


def colormap() -> pg.ColorMap:
    return pg.colormap.get(COLORMAP_NAME)


def scaled_points(size: str | float, scale: float = 1.0) -> str:
    """A CSS point size ("15pt" or 15) times ``scale``, as "22.5pt" (for labels and titles)."""
    points = float(str(size).removesuffix("pt"))
    return f"{points * scale:g}pt"


def tick_font(scale: float = 1.0) -> QFont:
    font = QFont()
    font.setPointSizeF(TICK_POINT_SIZE * scale)
    return font


def note_font(scale: float = 1.0) -> QFont:
    font = QFont()
    font.setPointSizeF(NOTE_POINT_SIZE * scale)
    return font


def style_axis(
    axis: pg.AxisItem, label: str | None, foreground: str, font_scale: float = 1.0
) -> None:
    """Tick font, colours and (if given) the label of ``axis``; ``font_scale`` enlarges text."""
    axis.setStyle(
        tickFont=tick_font(font_scale),
        tickTextOffset=round(6 * font_scale),
        tickLength=-round(8 * font_scale),
    )
    axis.setPen(pg.mkPen(foreground))
    axis.setTextPen(pg.mkPen(foreground))
    axis.setSIPrefixEnableRanges(())  # ticks show the values: a loss of 0.5 is not "500 (x0.001)"
    axis.enableAutoSIPrefix(False)
    if label is not None:
        size = scaled_points(LABEL_POINT_SIZE, font_scale)
        axis.setLabel(label, color=foreground, **{"font-size": size})


def outline_pen(line_scale: float = 1.0) -> QPen:
    return pg.mkPen(TRAIL_OUTLINE, width=TRAIL_OUTLINE_WIDTH * line_scale, cosmetic=True)


def trail_pen(color: str, line_scale: float = 1.0) -> QPen:
    return pg.mkPen(color, width=TRAIL_WIDTH * line_scale, cosmetic=True)


# ----------------------------------------------------------------------------- marker pixmaps


CROWDED_CROSSES = 8_000  # more crosses than this in a history: smaller ones
CROWDED_LINE_SCALE = 1.15  # a crowded history grows at most this much in presentation mode


def cross_size(total_crosses: int) -> int:
    """Crosses shrink a little when there are many, so dense trails do not clot."""
    return CROSS_SIZE if total_crosses <= CROWDED_CROSSES else CROSS_SIZE - 2


def _canvas(size: int, ratio: float) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    return pixmap, painter


def _stroke_twice(painter: QPainter, path: QPainterPath, color: QColor, width: float) -> None:
    """The path in a dark outline ``width + 2`` wide, then in ``color``: readable on any map."""
    outline = QPen(OUTLINE, width + 1.8)
    outline.setCapStyle(Qt.PenCapStyle.SquareCap)
    painter.setPen(outline)
    painter.drawPath(path)
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.SquareCap)
    painter.setPen(pen)
    painter.drawPath(path)


@lru_cache(maxsize=64)
def cross_pixmap(color: str, ratio: float = 1.0, size: int = CROSS_SIZE) -> QPixmap:
    """An upright cross '+' in ``color``, outlined: the mark of one iteration."""
    pixmap, painter = _canvas(size, ratio)
    half, arm = size / 2, size / 2 - 1.8
    path = QPainterPath()
    path.moveTo(half - arm, half)
    path.lineTo(half + arm, half)
    path.moveTo(half, half - arm)
    path.lineTo(half, half + arm)
    _stroke_twice(painter, path, QColor(color), max(1.8, 1.8 * size / CROSS_SIZE))
    painter.end()
    return pixmap


@lru_cache(maxsize=64)
def current_pixmap(color: str, ratio: float = 1.0, size: int = CURRENT_SIZE) -> QPixmap:
    """The particle now: a disc in ``color`` ringed white then dark, bigger than a cross."""
    pixmap, painter = _canvas(size, ratio)
    centre = QPointF(size / 2, size / 2)
    radius = size / 2 - 1.0
    ring = max(1.0, size / CURRENT_SIZE)  # rings grow with a bigger disc (presentation mode)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(OUTLINE)
    painter.drawEllipse(centre, radius, radius)
    painter.setBrush(QColor("#ffffff"))
    painter.drawEllipse(centre, radius - 1.2 * ring, radius - 1.2 * ring)
    painter.setBrush(QColor(color))
    painter.drawEllipse(centre, radius - 3.0 * ring, radius - 3.0 * ring)
    painter.end()
    return pixmap


@lru_cache(maxsize=8)
def diverged_pixmap(ratio: float = 1.0, size: int = DIVERGED_SIZE) -> QPixmap:
    """A grey 'x', outlined: a particle frozen after its loss or position blew up."""
    pixmap, painter = _canvas(size, ratio)
    inset = 3.0
    path = QPainterPath()
    path.moveTo(inset, inset)
    path.lineTo(size - inset, size - inset)
    path.moveTo(size - inset, inset)
    path.lineTo(inset, size - inset)
    _stroke_twice(painter, path, QColor(DIVERGED_COLOR), max(2.4, 2.4 * size / DIVERGED_SIZE))
    painter.end()
    return pixmap


@lru_cache(maxsize=16)
def landmark_pixmap(kind: str, ratio: float = 1.0, scale: float = 1.0) -> QPixmap:
    """Known critical points: a big white star (global minimum), a smaller one (local
    minimum), a small hollow diamond (saddle); all outlined in black. ``scale``
    enlarges them (presentation mode)."""
    symbol, size, brush, pen = {
        "global_min": ("star", 24, pg.mkBrush("#ffffff"), pg.mkPen(OUTLINE, width=1.6)),
        "local_min": ("star", 15, pg.mkBrush(255, 255, 255, 200), pg.mkPen(OUTLINE, width=1.3)),
        "saddle": ("d", 11, pg.mkBrush(0, 0, 0, 90), pg.mkPen("#ffffff", width=1.6)),
    }[kind]
    image = renderSymbol(symbol, round(size * scale), pen, brush, dpr=ratio)
    return QPixmap.fromImage(image)
