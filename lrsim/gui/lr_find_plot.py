"""The LR range test's plot: the loss against a rising lr (raw, smoothed, diverged
fraction), the lrs a constant run would not survive, and two draggable markers for
the bounds. ``LrFindDialog`` owns the fields and buttons around it."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from lrsim.core.lr_find import LrRangeResult
from lrsim.gui.panels import plot_style

LOWER_COLOR = "#2ca02c"
UPPER_COLOR = "#d62728"
CURVE_COLOR = "#1f77b4"
DIVERGED_COLOR = "#7f7f7f"
UNSTABLE_COLOR = "#d62728"
ERROR_COLOR = "#d62728"
Y_TOP = 1.3  # the loss is relative to the start (1); higher is off the chart


class LrRangePlot(pg.PlotWidget):
    """The curves of one ``LrRangeResult`` (``show_curves``) and the bound markers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setBackground(plot_style.THEMES[False]["background"])
        plot = self.plot = self.getPlotItem()
        plot_style.style_plot(plot, False)
        plot.setLogMode(x=True, y=False)
        plot.setMenuEnabled(False)
        plot_style.set_label(plot, "bottom", "learning rate", False)
        plot_style.set_label(plot, "left", "loss gap / gap at start (median)", False)
        foreground = plot_style.THEMES[False]["foreground"]
        plot.addLegend(
            offset=(10, -10),  # bottom left: below the curve's flat start
            labelTextColor=foreground,
            brush=pg.mkBrush(255, 255, 255, 230),
            pen=pg.mkPen("#bbbbbb"),
        )
        self.unstable_region = pg.LinearRegionItem(
            movable=False,
            brush=plot_style.band_brush(UNSTABLE_COLOR, 28),
            pen=pg.mkPen(None),
        )
        self.unstable_region.setZValue(-10)
        plot.addItem(self.unstable_region, ignoreBounds=True)
        self.unstable_region.hide()
        self.raw_curve = plot.plot(
            pen=plot_style.run_pen(CURVE_COLOR + "60", width=1.5), name="loss", connect="finite"
        )
        self.smooth_curve = plot.plot(
            pen=plot_style.run_pen(CURVE_COLOR, width=3.0), name="smoothed", connect="finite"
        )
        self.diverged_curve = plot.plot(
            pen=plot_style.run_pen(DIVERGED_COLOR, 1.5, Qt.PenStyle.DashLine),
            name="diverged fraction",
            connect="finite",
        )
        legend = plot.legend
        legend.addItem(
            pg.BarGraphItem(x=[0], height=[0], width=0, brush=self.unstable_region.brush),
            "unstable at a constant lr",
        )
        self.lower_line = self._marker(LOWER_COLOR, "lower")
        self.upper_line = self._marker(UPPER_COLOR, "upper")
        plot.setYRange(0.0, Y_TOP, padding=0.0)

    def _marker(self, color: str, name: str) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            angle=90,
            movable=True,
            pen=pg.mkPen(color, width=2.5),
            hoverPen=pg.mkPen(color, width=4),
            label=name,
            labelOpts={
                "position": 0.93 if name == "upper" else 0.86,
                "color": color,
                "fill": pg.mkBrush(255, 255, 255, 220),
                "movable": True,
            },
        )
        line.label.setFont(plot_style.tick_font())
        line.setZValue(10)
        line.hide()
        self.plot.addItem(line, ignoreBounds=True)
        return line

    def show_curves(self, result: LrRangeResult) -> None:
        """Draw ``result``'s curves; the markers are bounded to its lr range."""
        lrs = result.lrs
        finite = lambda values: np.where(np.isfinite(values), values, np.nan)  # noqa: E731
        self.raw_curve.setData(lrs, finite(np.minimum(result.loss, 1e6)))
        self.smooth_curve.setData(lrs, finite(np.minimum(result.smoothed, 1e6)))
        self.diverged_curve.setData(lrs, result.diverged_fraction)
        unstable = np.flatnonzero(~result.stable)
        if unstable.size:
            start = math.log10(result.stable_lrs[unstable[0]])
            self.unstable_region.setRegion((start, math.log10(lrs[-1])))
            self.unstable_region.show()
        else:
            self.unstable_region.hide()
        low, high = math.log10(lrs[0]), math.log10(lrs[-1])
        for line in (self.lower_line, self.upper_line):
            line.setBounds((low, high))
            line.show()
        self.plot.setXRange(low, high, padding=0.02)

    def fit_y(self, *, log: bool, result: LrRangeResult | None) -> None:
        """0 .. a bit above the start (linear), or down to the lowest loss seen (log)."""
        if not log:
            self.plot.setYRange(0.0, Y_TOP, padding=0.0)
            return
        lowest = 1e-3
        if result is not None:
            values = np.concatenate([result.loss, result.smoothed])
            positive = values[np.isfinite(values) & (values > 0)]
            if positive.size:
                lowest = max(float(positive.min()), 1e-300)
        self.plot.setYRange(math.log10(lowest) - 0.5, math.log10(Y_TOP) + 0.2, padding=0.0)
