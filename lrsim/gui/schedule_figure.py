"""The figure of "All schedules in one plot": lr curves, momentum curves and a legend.

``ScheduleFigure`` is a pyqtgraph canvas that draws a list of ``Curve`` entries;
the window shows one, and ``figure_image`` draws a fresh one offscreen at a
slide's size (1600 x 900 at 2x by default), so a PNG looks the same whatever
the size of the window or the screen.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPen
from PySide6.QtWidgets import QWidget

from lrsim.core.schedule_families import Curve, Family  # noqa: F401 (Curve: re-exported)
from lrsim.gui.panels import plot_style

FONT_SCALE = 1.25  # the figure is made for a slide
LINE_WIDTH = 3.0
EXPORT_SIZE = (1600, 900)  # the layout of an exported figure, in pixels at scale 1
EXPORT_SCALE = 2.0  # PNG pixels per layout pixel
DASHES = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine}
SWATCH_LENGTH = 44  # legend sample, in layout pixels: long enough for two dashes of a 3 px pen
MOMENTUM_TICK = 0.05  # momentum axis ticks at multiples of this (0.8, 0.85, 0.9, 0.95)


class LongSample(pg.ItemSample):
    """A legend sample as long as two dashes of the figure's pen (pyqtgraph's is 20 px)."""

    def __init__(self, item):
        super().__init__(item)
        scale = getattr(item, "_legend_scale", 1.0)
        self._length = SWATCH_LENGTH * scale
        self._height = 20 * scale
        self.setFixedWidth(self._length)
        self.setFixedHeight(self._height)

    def boundingRect(self):  # Qt override
        return QRectF(0, 0, self._length, self._height)

    def paint(self, painter, *args):  # Qt override
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(pg.mkPen(self.item.opts["pen"]))
        middle = self._height / 2 + 1
        painter.drawLine(QPointF(2, middle), QPointF(self._length - 2, middle))


def momentum_ticks(curves: list[Curve]) -> list[tuple[float, str]]:
    """Ticks at every multiple of ``MOMENTUM_TICK`` across the curves' range, ends included,
    so one-cycle's max_momentum 0.95 and base 0.85 each get one."""
    cycled = [curve.momentum for curve in curves if curve.momentum is not None]
    values = np.concatenate(cycled) if cycled else np.zeros(0)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return []
    low = np.floor(values.min() / MOMENTUM_TICK + 1e-9)
    high = np.ceil(values.max() / MOMENTUM_TICK - 1e-9)
    return [(k * MOMENTUM_TICK, f"{k * MOMENTUM_TICK:.2f}") for k in range(int(low), int(high) + 1)]


def family_pen(family: Family, width: float = LINE_WIDTH) -> QPen:
    return plot_style.run_pen(family.color, width, DASHES[family.dash])


class ScheduleFigure(pg.GraphicsLayoutWidget):
    """``draw(curves, title=..., log=...)``; ``lr_items`` / ``momentum_items`` by family key.

    ``scale`` multiplies text and line widths (an export draws at 2x a slide's layout).
    """

    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0):
        super().__init__(parent)
        self.scale = float(scale)
        self.ci.setSpacing(4 * self.scale)
        margin = 10 * self.scale
        self.ci.setContentsMargins(margin, margin, margin, margin)
        self.lr_plot = self.addPlot(row=0, col=0, axisItems={"bottom": plot_style.step_axis()})
        self.momentum_plot = self.addPlot(
            row=1, col=0, axisItems={"bottom": plot_style.step_axis()}
        )
        self.momentum_plot.setXLink(self.lr_plot)
        for plot in (self.lr_plot, self.momentum_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        text_size = f"{11 * FONT_SCALE * self.scale:g}pt"
        self.legend = pg.LegendItem(labelTextSize=text_size, colCount=2, sampleType=LongSample)
        self.addItem(self.legend, row=2, col=0)
        # room for four tick labels that do not touch (0.80 .. 0.95)
        self.ci.layout.setRowStretchFactor(0, 5)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.momentum_plot.setMinimumHeight(130 * self.scale)
        self.lr_items: dict[str, pg.PlotDataItem] = {}
        self.momentum_items: dict[str, pg.PlotDataItem] = {}
        self._legend_entries: list[tuple[pg.PlotDataItem, Curve]] = []
        self.short_legend = False  # True: names only (the parameters did not fit)
        self._dark = False
        self.set_theme(False)

    def set_theme(self, dark: bool) -> None:
        self._dark = bool(dark)
        colors = plot_style.THEMES[self._dark]
        self.setBackground(colors["background"])
        for plot in (self.lr_plot, self.momentum_plot):
            plot_style.style_plot(plot, self._dark, font_scale=FONT_SCALE * self.scale)
        plot_style.set_label(self.lr_plot, "left", "learning rate", self._dark)
        plot_style.set_label(self.momentum_plot, "left", "momentum", self._dark)
        plot_style.set_label(self.momentum_plot, "bottom", "step", self._dark)
        plot_style.set_label(self.lr_plot, "bottom", "step", self._dark)
        self.legend.setLabelTextColor(colors["foreground"])
        self.legend.setPen(None)
        self.legend.setBrush(None)
        if self.lr_plot.titleLabel.text:
            self.set_title(self.lr_plot.titleLabel.text)

    def set_title(self, text: str) -> None:
        points = plot_style.tick_font(scale=FONT_SCALE * 1.2 * self.scale).pointSizeF()
        plot_style.set_title(self.lr_plot, text, self._dark, size=f"{points:.1f}pt")

    def draw(self, curves: list[Curve], *, title: str, log: bool) -> None:
        for plot in (self.lr_plot, self.momentum_plot):
            plot.clear()
        self.legend.clear()
        self.lr_items, self.momentum_items = {}, {}
        self._legend_entries = []
        for curve in curves:
            steps = np.arange(len(curve.lr))
            shown = np.where(curve.lr > 0, curve.lr, np.nan) if log else curve.lr
            pen = family_pen(curve.family, LINE_WIDTH * self.scale)
            item = pg.PlotDataItem(steps, shown, pen=pen, connect="finite")
            item._legend_scale = self.scale  # LongSample sizes itself by it
            self.lr_plot.addItem(item)
            self.lr_items[curve.key] = item
            self._legend_entries.append((item, curve))
            if curve.momentum is not None:
                item = pg.PlotDataItem(steps, curve.momentum, pen=pen)
                self.momentum_plot.addItem(item)
                self.momentum_items[curve.key] = item
        self._show_momentum(bool(self.momentum_items))
        self.lr_plot.setLogMode(y=log)
        self.lr_plot.enableAutoRange()
        self.momentum_plot.enableAutoRange()
        ticks = momentum_ticks(curves)
        self.momentum_plot.getAxis("left").setTicks([ticks] if ticks else None)
        if ticks:  # a margin above and below the outer ticks, so their labels stay inside
            pad = 0.3 * MOMENTUM_TICK
            self.momentum_plot.setYRange(ticks[0][0] - pad, ticks[-1][0] + pad, padding=0)
        self.set_title(title)
        self.fit_legend()

    def fit_legend(self) -> None:
        """The legend in the fewest rows that fit across the figure: every family with its
        parameters in two columns, else names only (the window's list shows the parameters)
        in up to four, else one column of each."""
        legend = getattr(self, "legend", None)  # None while the canvas is being built
        if legend is None or getattr(self, "closed", False):  # or after close() cleared it
            return
        room = self.width() - 20 * self.scale
        for short, columns in ((False, 2), (True, 4), (True, 3), (True, 2), (False, 1)):
            self._fill_legend(short, columns)
            if legend.layout.preferredWidth() <= room:
                return

    def _fill_legend(self, short: bool, columns: int) -> None:
        legend = self.legend
        if short != self.short_legend or legend.columnCount != columns or not legend.items:
            legend.clear()
            legend.setColumnCount(columns)
            for item, curve in self._legend_entries:
                legend.addItem(item, curve.family.label if short else curve.label)
            self.short_legend = short

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self.fit_legend()

    def event(self, event) -> bool:  # Qt override: fit again once shown at its real size
        if event.type() == QEvent.Type.Show:
            self.fit_legend()
        return super().event(event)

    def _show_momentum(self, on: bool) -> None:
        shown = self.momentum_plot in self.ci.items
        if on and not shown:
            self.addItem(self.momentum_plot, row=1, col=0)
        elif not on and shown:
            self.removeItem(self.momentum_plot)


def figure_image(
    curves: list[Curve],
    *,
    title: str,
    log: bool,
    dark: bool,
    size: tuple[int, int] = EXPORT_SIZE,
    scale: float = EXPORT_SCALE,
) -> QImage:
    """The figure as laid out at ``size``, drawn ``scale`` times as big (text, lines and all)."""
    from lrsim.gui.render.animation import process_events

    figure = ScheduleFigure(scale=scale)
    figure.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    figure.set_theme(dark)
    width, height = round(size[0] * scale), round(size[1] * scale)
    figure.setFixedSize(width, height)
    figure.show()
    figure.draw(curves, title=title, log=log)
    process_events()
    image = figure.grab().toImage()
    if (image.width(), image.height()) != (width, height):  # a high-DPI screen
        image = image.scaled(
            width,
            height,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    figure.hide()
    figure.deleteLater()
    return image
