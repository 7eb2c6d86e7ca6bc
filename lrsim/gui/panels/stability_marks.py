"""Stability where the lr lives: 2/lambda_max on the LR panel and the edge-of-stability plot.

A dashed horizontal line on the LR plot at ``2 / lambda_max`` (the largest
Hessian eigenvalue at the surface's sharpest minimum, ``core.stability``),
labelled with its value: the lr beyond which plain gradient descent cannot
settle there. The "edge of stability" box adds a plot under it: per run, the
median sharpness along the trajectory (solid) against ``2 / lr`` (dashed, the
run's colour); a run whose sharpness climbs to its ``2 / lr`` line sits at the
edge. The sharpness is computed only while the box is ticked.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from lrsim.core.stability import sharpness_along, stable_lr
from lrsim.gui.panels import plot_style


class StabilityMarks:
    """Owned by an ``LrPanel``: ``set_scene``, ``set_log``, ``set_theme`` follow the panel's."""

    def __init__(self, panel):
        self.panel = panel
        self.value = float("nan")
        self._log = False
        self.line = pg.InfiniteLine(
            angle=0,
            movable=False,
            label="",
            # mid-plot and under the line (a run just above it pins the view's top): the
            # cursor's value labels sit at step 0 when a scene opens and at the last step
            # when playback ends
            labelOpts={"position": 0.5, "anchors": [(0.5, 0), (0.5, 0)]},
        )
        self.line.setZValue(20)
        panel.lr_plot.addItem(self.line)  # in the autorange: the bound is always in view
        self.box = QCheckBox("edge of stability", panel)
        self.box.setToolTip(
            "A plot of each run's sharpness (largest Hessian eigenvalue, median over the "
            "particles) along its path against 2 / lr (dashed)"
        )
        self.box.toggled.connect(self._on_toggled)
        self.plot = panel.canvas.addPlot(row=2, col=0, axisItems={"bottom": plot_style.step_axis()})
        self.plot.setXLink(panel.lr_plot)
        self.plot.setMenuEnabled(False)
        self.plot.setLogMode(y=True)
        panel.canvas.removeItem(self.plot)
        self._curves: list[pg.PlotDataItem] = []

    @property
    def shown(self) -> bool:
        return self.plot in self.panel.canvas.ci.items

    def set_scene(self, sim) -> None:
        self.value = stable_lr(sim)
        finite = math.isfinite(self.value)
        self.line.setVisible(finite)
        if finite:
            self.line.label.setFormat(f"2/λmax = {self.value:.3g}")
        self._place()
        if self.shown:
            self._fill(sim)

    def set_log(self, on: bool) -> None:
        self._log = bool(on)
        self._place()

    def _place(self) -> None:
        if math.isfinite(self.value):
            self.line.setPos(math.log10(self.value) if self._log else self.value)

    def set_theme(self, dark: bool, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        foreground = plot_style.THEMES[dark]["foreground"]
        self.line.setPen(pg.mkPen(foreground, width=1.5 * line_scale, style=Qt.PenStyle.DashLine))
        self.line.label.setColor(foreground)
        # a backing in the plot's colour: the runs' lr lines crowd the bound it labels
        background = pg.mkColor(plot_style.THEMES[dark]["background"])
        background.setAlpha(220)
        self.line.label.fill = pg.mkBrush(background)
        self.line.label.setZValue(30)
        font = plot_style.tick_font(scale=font_scale)
        self.line.label.setFont(font)
        plot_style.style_plot(self.plot, dark, font_scale=font_scale)
        plot_style.set_label(self.plot, "left", "sharpness vs 2/lr", dark)
        plot_style.set_label(self.plot, "bottom", "step", dark)

    def _on_toggled(self, on: bool) -> None:
        canvas = self.panel.canvas
        if on and not self.shown:
            canvas.addItem(self.plot, row=2, col=0)
            if self.panel._sim is not None:
                self._fill(self.panel._sim)
        elif not on and self.shown:
            canvas.removeItem(self.plot)

    def _fill(self, sim) -> None:
        """Per run: sharpness along the path (solid) and 2 / lr (dashed)."""
        for curve in self._curves:
            self.plot.removeItem(curve)
        self._curves = []
        width = plot_style.LINE_WIDTH * self.panel._line_scale
        for index, run in enumerate(sim.runs):
            steps, sharpness = sharpness_along(sim, index)
            lr = np.asarray(run.lr_curve[steps.astype(int)], dtype=float)
            with np.errstate(divide="ignore"):
                bound = np.where(lr > 0, 2.0 / lr, np.nan)
            positive = np.where(sharpness > 0, sharpness, np.nan)
            solid = pg.PlotDataItem(steps, positive, pen=plot_style.run_pen(run.color, width))
            dashed = pg.PlotDataItem(
                steps, bound, pen=plot_style.run_pen(run.color, width, Qt.PenStyle.DashLine)
            )
            for curve in (solid, dashed):
                self.plot.addItem(curve)
                self._curves.append(curve)
        self.plot.enableAutoRange()

    def curve_data(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(x, y) of the edge-of-stability curves, sharpness and 2/lr per run (for tests)."""
        return [curve.getData() for curve in self._curves]
