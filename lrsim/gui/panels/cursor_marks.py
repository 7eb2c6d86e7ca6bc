"""Every run's state at the cursor: a dot on each run's curve at the shown step, its value
beside it, and a cursor line that stands out from the grid.

Used by the LR and loss panels and by the rendered frame's LR strip, so the live
window, presentation mode and the exported animation look the same. The dots are one
``PlotDataItem`` (it follows the plot's log mode); the values are one ``TextItem`` per
run, pushed apart vertically so they never overlap.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

DOT_SIZE = 11
LABEL_GAP = 2  # pixels between stacked value labels
CURSOR_WIDTH = 2.0
CURSOR_COLORS = {False: "#000000", True: "#ffffff"}  # light theme, dark theme: the grid is
# a faint grey, the cursor solid and full contrast


def cursor_pen(line_scale: float = 1.0, dark: bool = False):
    """A solid line in a colour no grid line has, ``CURSOR_WIDTH`` wide (scaled)."""
    return pg.mkPen(CURSOR_COLORS[bool(dark)], width=CURSOR_WIDTH * line_scale)


def format_value(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.2e}"


def value_at(steps: np.ndarray, values: np.ndarray, step: int) -> float:
    """The series' value at the last of its steps <= ``step`` (NaN before its first)."""
    index = int(np.searchsorted(steps, step, side="right")) - 1
    return float(values[index]) if 0 <= index < len(values) else float("nan")


class CursorMarks:
    """Dots and values of several series at one step, on ``plot``."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.dots = pg.PlotDataItem(pen=None, symbol="o")
        self.dots.setZValue(40)
        plot.addItem(self.dots, ignoreBounds=True)
        self._labels: list[pg.TextItem] = []
        self._series: list[tuple[np.ndarray, np.ndarray, str]] = []
        self._step = 0
        self._scale = 1.0
        self._dark = False
        self._values: list[float] = []
        plot.getViewBox().sigRangeChanged.connect(lambda *_: self._place_labels())

    def set_series(self, series: list[tuple[np.ndarray, np.ndarray, str]]) -> None:
        """(steps, values, colour) per run."""
        self._series = [(np.asarray(s), np.asarray(v, dtype=np.float64), c) for s, v, c in series]
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels = []
        for _steps, _values, color in self._series:
            label = pg.TextItem(color=color, anchor=(0, 0.5))
            label.setZValue(41)
            self.plot.addItem(label, ignoreBounds=True)
            self._labels.append(label)
        self._restyle()
        self.set_step(self._step)

    def set_look(self, scale: float = 1.0, dark: bool = False) -> None:
        self._scale, self._dark = float(scale), bool(dark)
        self._restyle()
        self.set_step(self._step)

    def _restyle(self) -> None:
        background = QColor("#1e1f22" if self._dark else "#ffffff")
        background.setAlpha(200)
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * self._scale)
        font.setBold(True)
        for label in self._labels:
            label.setFont(font)
            label.fill = pg.mkBrush(background)

    def values(self) -> list[float]:
        """Each series' value at the step shown (for tests and captions)."""
        return list(self._values)

    def texts(self) -> list[str]:
        return [label.textItem.toPlainText() for label in self._labels]

    def set_step(self, step: int) -> None:
        self._step = int(step)
        xs, ys, brushes, shown = [], [], [], []
        self._values = []
        for (steps, values, color), label in zip(self._series, self._labels, strict=True):
            value = value_at(steps, values, self._step)
            self._values.append(value)
            visible = math.isfinite(value) and not (
                self.plot.ctrl.logYCheck.isChecked() and value <= 0
            )
            label.setVisible(visible)
            if visible:
                xs.append(float(self._step))
                ys.append(value)
                brushes.append(pg.mkBrush(color))
                label.setText(format_value(value))
                shown.append(label)
        edge = "#1e1f22" if self._dark else "#ffffff"
        self.dots.setData(
            xs,
            ys,
            symbolBrush=brushes,
            symbolPen=pg.mkPen(edge, width=1.5 * self._scale),
            symbolSize=round(DOT_SIZE * self._scale),
        )
        self._place_labels()

    def _place_labels(self) -> None:
        """Beside the dots (left of them near the right edge), stacked without overlap."""
        box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        height = max(1.0, box.height())
        log = self.plot.ctrl.logYCheck.isChecked()
        items = []
        for label, value in zip(self._labels, self._values, strict=True):
            if not label.isVisible():
                continue
            y = math.log10(value) if log else value
            pixel = (y1 - y) / (y1 - y0) * height if y1 > y0 else height / 2
            items.append([pixel, label, label.boundingRect().height()])
        items.sort(key=lambda item: item[0])
        for previous, item in zip(items, items[1:], strict=False):
            item[0] = max(item[0], previous[0] + (previous[2] + item[2]) / 2 + LABEL_GAP)
        if items and items[-1][0] > height - items[-1][2] / 2:  # off the bottom: stack upwards
            items[-1][0] = height - items[-1][2] / 2
            for later, item in zip(items[::-1], items[-2::-1], strict=False):
                item[0] = min(item[0], later[0] - (later[2] + item[2]) / 2 - LABEL_GAP)
        width = max(1.0, box.width())
        at = (self._step - x0) / (x1 - x0) * width if x1 > x0 else 0.0
        widest = max((label.boundingRect().width() for _p, label, _h in items), default=0.0)
        right = at + widest + 12 > width and at > width / 2  # no room right: go left
        for pixel, label, _h in items:
            y = y1 - pixel / height * (y1 - y0)
            label.setAnchor((1.15, 0.5) if right else (-0.15, 0.5))
            label.setPos(self._step, y)
