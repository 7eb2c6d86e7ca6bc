"""Look of the surface views: colormap, themes, fonts and the particle marker pixmaps.

Sizes are chosen for a 1920x1080 projector seen from the back of a lecture hall:
13-15 pt text, crosses 13 px wide with a dark outline so they read over any
colour of the heat map, the current position a 15 px disc ringed in white.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
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


MARK_SHAPES = ("+", "x", "^", "d", "s", "v")
"""Each run's mark of an iteration, by run index: runs stay apart in grey scale and where
they overlap exactly (two schedules that agree for a while)."""
CURRENT_SHAPES = ("o", "s", "^", "d", "v", "h")
"""Each run's marker of the particle now (filled, ringed), by run index."""


def mark_shape(run_index: int) -> str:
    return MARK_SHAPES[run_index % len(MARK_SHAPES)]


def current_shape(run_index: int) -> str:
    return CURRENT_SHAPES[run_index % len(CURRENT_SHAPES)]


def shape_path(shape: str, size: float, inset: float) -> QPainterPath:
    """The outline of ``shape`` centred in a ``size`` square, ``inset`` from its edges."""
    c, r = size / 2, size / 2 - inset
    path = QPainterPath()
    if shape == "+":
        path.moveTo(c - r, c)
        path.lineTo(c + r, c)
        path.moveTo(c, c - r)
        path.lineTo(c, c + r)
    elif shape == "x":
        d = r * 0.8
        path.moveTo(c - d, c - d)
        path.lineTo(c + d, c + d)
        path.moveTo(c + d, c - d)
        path.lineTo(c - d, c + d)
    elif shape == "o":
        path.addEllipse(QPointF(c, c), r, r)
    elif shape == "s":
        d = r * 0.82
        path.addRect(c - d, c - d, 2 * d, 2 * d)
    else:
        corners = {
            "^": ((0, -1), (0.95, 0.72), (-0.95, 0.72)),
            "v": ((0, 1), (0.95, -0.72), (-0.95, -0.72)),
            "d": ((0, -1), (0.85, 0), (0, 1), (-0.85, 0)),
            "h": tuple((math.cos(a), math.sin(a)) for a in np.arange(6) * math.pi / 3),
        }[shape]
        path.moveTo(c + r * corners[0][0], c + r * corners[0][1])
        for x, y in corners[1:]:
            path.lineTo(c + r * x, c + r * y)
        path.closeSubpath()
    return path


@lru_cache(maxsize=128)
def cross_pixmap(
    color: str, ratio: float = 1.0, size: int = CROSS_SIZE, shape: str = "+"
) -> QPixmap:
    """The mark of one iteration in ``color``, outlined: an upright cross '+' for the first
    run, 'x', an open triangle, diamond, square... for the next (``MARK_SHAPES``)."""
    pixmap, painter = _canvas(size, ratio)
    inset = 1.8 if shape in "+x" else 2.6
    _stroke_twice(
        painter, shape_path(shape, size, inset), QColor(color), max(1.8, 1.8 * size / CROSS_SIZE)
    )
    painter.end()
    return pixmap


@lru_cache(maxsize=128)
def current_pixmap(
    color: str, ratio: float = 1.0, size: int = CURRENT_SIZE, shape: str = "o"
) -> QPixmap:
    """The particle now: ``shape`` filled with ``color``, ringed white then dark, bigger than
    a mark of an iteration."""
    pixmap, painter = _canvas(size, ratio)
    ring = max(1.0, size / CURRENT_SIZE)  # rings grow with a bigger marker (presentation mode)
    path = shape_path(shape, size, 2.4 * ring)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(OUTLINE, 4.2 * ring))
    painter.drawPath(path)
    painter.setPen(QPen(QColor("#ffffff"), 2.2 * ring))
    painter.drawPath(path)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawPath(path)
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
