"""The LR panel: every run's learning rate over all steps, and momentum / beta1 when cycled.

A vertical cursor marks the step shown. Plateau runs (per-particle lr) draw the
median across particles of what has been computed.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from lrsim.gui.panels import plot_style, series
from lrsim.gui.panels.cursor_marks import CursorMarks
from lrsim.gui.panels.stability_marks import StabilityMarks


class LrPanel(QWidget):
    """``set_scene(sim)`` once per simulation, ``set_step(step)`` per frame."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._dark = False
        self._sim = None
        self._font_scale = 1.0
        self._line_scale = 1.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 0)
        self.log_box = QCheckBox("log scale", self)
        self.log_box.setToolTip("Learning rate on a logarithmic axis")
        self.log_box.toggled.connect(self._on_log_changed)
        bar.addStretch(1)
        bar.addWidget(self.log_box)
        layout.addLayout(bar)
        self.canvas = pg.GraphicsLayoutWidget(self)
        layout.addWidget(self.canvas, 1)
        self.lr_plot = self.canvas.addPlot(
            row=0, col=0, axisItems={"bottom": plot_style.step_axis()}
        )
        self.momentum_plot = self.canvas.addPlot(
            row=1, col=0, axisItems={"bottom": plot_style.step_axis()}
        )
        self.momentum_plot.setXLink(self.lr_plot)
        self.cursors = [plot_style.make_cursor(), plot_style.make_cursor()]
        for plot, cursor in zip((self.lr_plot, self.momentum_plot), self.cursors, strict=True):
            plot.addItem(cursor, ignoreBounds=True)
            plot.setMenuEnabled(False)
        self._curves: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        self.marks = CursorMarks(self.lr_plot)  # each run's lr at the step shown
        self.momentum_marks = CursorMarks(self.momentum_plot)
        self.stability = StabilityMarks(self)  # 2/lambda_max and the edge-of-stability plot
        bar.insertWidget(0, self.stability.box)
        self.set_theme(False)
        self._show_momentum(False)

    def _show_momentum(self, on: bool) -> None:
        """Add or take away the momentum plot (a hidden item would still take its space)."""
        shown = self.momentum_plot in self.canvas.ci.items
        if on and not shown:
            self.canvas.addItem(self.momentum_plot, row=1, col=0)
        elif not on and shown:
            self.canvas.removeItem(self.momentum_plot)

    def set_theme(self, dark: bool) -> None:
        self._dark = dark
        self.canvas.setBackground(plot_style.THEMES[dark]["background"])
        for plot in (self.lr_plot, self.momentum_plot):
            plot_style.style_plot(plot, dark, font_scale=self._font_scale)
        plot_style.set_label(self.lr_plot, "left", "learning rate", dark)
        plot_style.set_label(self.momentum_plot, "left", "momentum / beta1", dark)
        plot_style.set_label(self.momentum_plot, "bottom", "step", dark)
        plot_style.set_label(self.lr_plot, "bottom", "step", dark)
        for cursor in self.cursors:
            cursor.setPen(plot_style.cursor_pen(self._line_scale, dark))
        for marks in (self.marks, self.momentum_marks):
            marks.set_look(self._font_scale, dark)
        self.stability.set_theme(dark, self._font_scale, self._line_scale)

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Text ``font_scale`` times as big and lines ``line_scale`` times as thick
        (presentation mode); 1, 1 is the normal look."""
        self._font_scale, self._line_scale = float(font_scale), float(line_scale)
        self.set_theme(self._dark)
        if self._sim is not None:
            self.set_scene(self._sim)

    def set_scene(self, sim) -> None:
        self._sim = sim
        for plot, curve in self._curves:
            plot.removeItem(curve)
        self._curves = []
        momentum = series.cycles_momentum(sim)
        self._show_momentum(momentum)
        lr_marks, momentum_marks = [], []
        for index, run in enumerate(sim.runs):
            steps, lr = series.lr_series(sim, index)
            self._curves.append((self.lr_plot, self._add_curve(self.lr_plot, steps, lr, run)))
            lr_marks.append((steps, lr, run.color))
            if momentum:
                steps, values = series.momentum_series(sim, index)
                curve = self._add_curve(self.momentum_plot, steps, values, run)
                self._curves.append((self.momentum_plot, curve))
                momentum_marks.append((steps, values, run.color))
        self.marks.set_series(lr_marks)
        self.momentum_marks.set_series(momentum_marks)
        self.stability.set_scene(sim)
        for plot in (self.lr_plot, self.momentum_plot):
            plot.enableAutoRange()

    def _add_curve(self, plot, steps, values, run) -> pg.PlotDataItem:
        pen = plot_style.run_pen(run.color, plot_style.LINE_WIDTH * self._line_scale)
        curve = pg.PlotDataItem(steps, values, pen=pen, name=run.label)
        plot.addItem(curve)
        curve.setClipToView(True)  # after addItem: pyqtgraph needs the ViewBox for both
        curve.setDownsampling(auto=True, method="peak")
        plot_style.cache(curve.curve)
        return curve

    def set_step(self, step: int) -> None:
        for cursor in self.cursors:
            cursor.setValue(step)
        self.marks.set_step(step)
        self.momentum_marks.set_step(step)

    def _on_log_changed(self, on: bool) -> None:
        self.lr_plot.setLogMode(y=on)
        self.stability.set_log(on)
        self.marks.set_step(self.marks._step)
