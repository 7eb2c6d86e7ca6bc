"""Shared look of the side plots: projector-readable fonts, thick lines, light or dark.

``StepAxis`` is the bottom axis of plots over steps: it spaces its ticks so the
labels never run into each other ("0 100200" on a narrow dock with big fonts).
``style_plot(..., font_scale=1.5)`` and ``run_pen(..., width)`` give the bigger
text and thicker lines of presentation mode.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem

LINE_WIDTH = 2.5
MAX_STEP_TICKS = 10  # labelled ticks on a steps axis, at most
THEMES = {
    False: {"background": "#ffffff", "foreground": "#202020"},
    True: {"background": "#1e1f22", "foreground": "#d8d8d8"},
}


def tick_font(point_size: float | None = None, scale: float = 1.0) -> QFont:
    """The application's font (or ``point_size``), ``scale`` times as big."""
    font = QFont()
    if point_size is not None:
        font.setPointSizeF(point_size)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    return font


def nice_spacing(span: float, max_ticks: int) -> float:
    """The smallest of 1, 2, 5 x 10^k that cuts ``span`` into at most ``max_ticks`` intervals."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, max_ticks)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-9):
            return factor * power
    return 10.0 * power


class StepAxis(pg.AxisItem):
    """A horizontal axis whose tick labels always fit: as many ticks as the widest label allows.

    pyqtgraph picks the tick count from the axis length alone, so a 300-step plot
    in a 300 px dock with 16 pt labels prints "0 100200300". Here the spacing is
    the smallest 1-2-5 step that leaves every label a gap of two digits.
    """

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802 (Qt naming)
        if self.logMode or not (math.isfinite(minVal) and math.isfinite(maxVal)):
            return super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        metrics = QFontMetricsF(self.style.get("tickFont") or QFont())
        widest = max(abs(minVal), abs(maxVal))
        sign = "-" if minVal < 0 else ""
        gap = metrics.horizontalAdvance("00")
        major, decimals = span, 0
        for _ in range(3):  # the labels' decimals depend on the spacing they allow
            label = metrics.horizontalAdvance(f"{sign}{widest:.{decimals}f}")
            fitting = max(1, min(MAX_STEP_TICKS, int(size // (label + gap))))
            major = nice_spacing(span, fitting)
            needed = max(0, -math.floor(math.log10(major))) if major > 0 else 0
            if needed <= decimals:
                break
            decimals = needed
        return [(major, 0.0)]  # one level: labels and grid lines at the same ticks


def step_axis() -> StepAxis:
    """A fresh bottom axis for a plot over steps (pass as ``axisItems={"bottom": ...}``)."""
    return StepAxis("bottom")


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


def cursor_pen(line_scale: float = 1.0, dark: bool = False) -> pg.QtGui.QPen:
    """The cursor's pen: a colour no grid line has (``cursor_marks.cursor_pen``)."""
    from lrsim.gui.panels.cursor_marks import cursor_pen as pen

    return pen(line_scale, dark)


def make_cursor() -> pg.InfiniteLine:
    """The vertical line at the current step, over the curves."""
    line = pg.InfiniteLine(angle=90, movable=False, pen=cursor_pen())
    line.setZValue(35)
    return line


def cache(item: QGraphicsItem) -> None:
    """Draw ``item`` once into a pixmap and blit it on later repaints.

    The side plots' curves, bands and axes (with their grid) do not change
    during playback; only the cursor moves, and without the cache every frame
    repaints them all (antialiased paths cost milliseconds each).
    """
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def style_plot(
    plot: pg.PlotItem, dark: bool, font: QFont | None = None, font_scale: float = 1.0
) -> None:
    """Axis colours and fonts of ``plot`` for the theme; ``font_scale`` enlarges the text.

    Tick labels show the values themselves (no "(x0.001)" SI prefix in the axis label:
    a momentum of 0.9 reads as 0.9, not 900).
    """
    foreground = THEMES[dark]["foreground"]
    font = font or tick_font(scale=font_scale)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(foreground))
        axis.setTextPen(pg.mkPen(foreground))
        axis.setTickFont(font)
        axis.label.setFont(font)
        axis.setSIPrefixEnableRanges(())  # never: pyqtgraph scales 0.9 to "900 (x0.001)"
        axis.enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.25)
    for name in ("left", "bottom"):
        cache(plot.getAxis(name))
    plot.titleLabel.item.setFont(font)


def set_label(plot: pg.PlotItem, side: str, text: str, dark: bool) -> None:
    plot.setLabel(side, text, color=THEMES[dark]["foreground"])


def set_title(plot: pg.PlotItem, text: str, dark: bool, size: str | None = None) -> None:
    """A bold title in the theme's colour (``size``: a CSS size such as "16pt")."""
    looks = {"size": size} if size else {}
    plot.setTitle(text, color=THEMES[dark]["foreground"], bold=True, **looks)
