"""The loss panel: per run the median loss across particles and its 10-90 % band, by step.

The log option plots the gap to the surface's lowest known minimum (loss - f*),
so geometric convergence shows as a straight line.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from lrsim.gui.panels import plot_style, series
from lrsim.gui.panels.cursor_marks import CursorMarks
from lrsim.gui.panels.param_form import muted


class ElidedLabel(QLabel):
    """One line of text that ends in "…" when there is no room, instead of widening its dock."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = text
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:  # Qt override: a bigger font elides sooner
        super().changeEvent(event)
        self._elide()

    def _elide(self) -> None:
        elided = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(0, self.width())
        )
        if elided != self.text():
            self.setText(elided)


class LossPanel(QWidget):
    """``set_scene(sim)`` when a simulation is (re)computed, ``set_step(step)`` per frame."""

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
        self.log_box = QCheckBox("log scale (loss − f*)", self)
        self.log_box.setToolTip(
            "Plot the gap to the lowest known minimum f* on a logarithmic axis: "
            "geometric convergence becomes a straight line."
        )
        self.log_box.toggled.connect(self._on_log_changed)
        self.band_note = ElidedLabel("median, 10–90 % band", self)
        muted(self.band_note)
        bar.addWidget(self.band_note, 1)
        bar.addWidget(self.log_box)
        layout.addLayout(bar)
        self.canvas = pg.GraphicsLayoutWidget(self)
        layout.addWidget(self.canvas, 1)
        self.plot = self.canvas.addPlot(axisItems={"bottom": plot_style.step_axis()})
        self.plot.setMenuEnabled(False)
        self.cursor = plot_style.make_cursor()
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self._items: list = []
        self.marks = CursorMarks(self.plot)  # each run's median loss at the step shown
        self._step = 0
        self.set_theme(False)

    def set_theme(self, dark: bool) -> None:
        self._dark = dark
        self.canvas.setBackground(plot_style.THEMES[dark]["background"])
        plot_style.style_plot(self.plot, dark, font_scale=self._font_scale)
        plot_style.set_label(self.plot, "bottom", "step", dark)
        self.cursor.setPen(plot_style.cursor_pen(self._line_scale, dark))
        self.marks.set_look(self._font_scale, dark)
        self._update_title()

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Text ``font_scale`` times as big and lines ``line_scale`` times as thick
        (presentation mode); 1, 1 is the normal look."""
        self._font_scale, self._line_scale = float(font_scale), float(line_scale)
        self.set_theme(self._dark)
        self._redraw()

    def _update_title(self) -> None:
        log = self.log_box.isChecked()
        plot_style.set_label(self.plot, "left", "loss − f*" if log else "loss", self._dark)
        band = self._sim is not None and self._sim.n_particles > 1
        self.band_note.setVisible(band)

    def set_scene(self, sim) -> None:
        self._sim = sim
        self._redraw()

    def _redraw(self) -> None:
        for item in self._items:
            self.plot.removeItem(item)
        self._items = []
        self._update_title()
        sim = self._sim
        if sim is None or sim.recorded_upto() == 0:
            return
        log = self.log_box.isChecked()
        floor = series.loss_floor(sim) if log else 0.0
        if log and not np.isfinite(floor):
            floor = float(min(np.nanmin(run.loss) for run in sim.runs))
        marks = []
        for index, run in enumerate(sim.runs):
            steps, median, lower, upper = series.loss_quantiles(sim, index)
            if log:
                median, lower, upper = (_positive(v - floor) for v in (median, lower, upper))
            marks.append((steps, median, run.color))
            if sim.n_particles > 1:
                low_item = pg.PlotDataItem(steps, lower, pen=None, connect="finite")
                high_item = pg.PlotDataItem(steps, upper, pen=None, connect="finite")
                band = pg.FillBetweenItem(
                    low_item, high_item, brush=plot_style.band_brush(run.color)
                )
                self._items += [low_item, high_item, band]
            pen = plot_style.run_pen(run.color, plot_style.LINE_WIDTH * self._line_scale)
            self._items.append(pg.PlotDataItem(steps, median, pen=pen, connect="finite"))
        for item in self._items:
            self.plot.addItem(item)
            plot_style.cache(item.curve if isinstance(item, pg.PlotDataItem) else item)
        self.plot.setLogMode(y=log)
        self.plot.enableAutoRange()
        self.marks.set_series(marks)

    def set_step(self, step: int) -> None:
        self._step = step
        self.cursor.setValue(step)
        self.marks.set_step(step)

    def _on_log_changed(self, _on: bool) -> None:
        self._redraw()


def _positive(values: np.ndarray) -> np.ndarray:
    """Values <= 0 become NaN (a gap of exactly zero has no logarithm)."""
    return np.where(values > 0, values, np.nan)
