"""The effective-step panel: per run, the step size its optimizer actually takes, by step.

What is drawn depends on the optimizer (``lrsim.core.inner_state``): the Adam
family's median lr / (sqrt(v_hat) + eps), Prodigy's d * lr, Schedule-Free's
averaging weight, ASGD's eta, the scheduled lr for SGD. The run file is re-run
one update at a time once its simulation is complete; a vertical cursor marks the
step shown. The re-run happens off the GUI thread; ``inner_ready`` tells when it is
done. ``averaged(run)`` gives the Schedule-Free / ASGD averaged points for the
contour overlay.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lrsim.core.inner_state import inner_series
from lrsim.gui.background import BackgroundTask
from lrsim.gui.panels import plot_style
from lrsim.gui.panels.param_form import muted


class StepSizePanel(QWidget):
    """``set_scene(sim)`` when a simulation is (re)computed, ``set_step(step)`` per frame."""

    inner_ready = Signal()  # the inner state of the current simulation is computed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._dark = False
        self._sim = None
        self._inner = None
        self._task: BackgroundTask | None = None  # the worker of the current scene
        self._running: set[BackgroundTask] = set()  # every worker not yet finished
        self._font_scale = 1.0
        self._line_scale = 1.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 0)
        self.note = muted(QLabel("", self))
        self.note.setWordWrap(True)
        self.log_box = QCheckBox("log scale", self)
        self.log_box.setChecked(True)
        self.log_box.toggled.connect(self._on_log_changed)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.log_box)
        layout.addLayout(bar)
        self.canvas = pg.GraphicsLayoutWidget(self)
        layout.addWidget(self.canvas, 1)
        self.plot = self.canvas.addPlot(row=0, col=0, axisItems={"bottom": plot_style.step_axis()})
        self.plot.setMenuEnabled(False)
        self.plot.setLogMode(y=True)
        self.cursor = plot_style.make_cursor()
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self._curves: list[pg.PlotDataItem] = []
        self.set_theme(False)

    def set_theme(self, dark: bool) -> None:
        self._dark = dark
        self.canvas.setBackground(plot_style.THEMES[dark]["background"])
        plot_style.style_plot(self.plot, dark, font_scale=self._font_scale)
        plot_style.set_label(self.plot, "left", "effective step", dark)
        plot_style.set_label(self.plot, "bottom", "step", dark)

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        self._font_scale, self._line_scale = float(font_scale), float(line_scale)
        self.cursor.setPen(plot_style.cursor_pen(self._line_scale))
        self.set_theme(self._dark)
        self._draw()

    def set_scene(self, sim) -> None:
        """Re-run ``sim``'s run file for the inner state (in a worker) once it is complete."""
        if sim is self._sim and (self._inner is not None or self._task is not None):
            return
        self.shutdown()
        self._sim = sim
        self._inner = None
        if sim.finished:
            self._start(sim)
        self._draw()

    def _start(self, sim) -> None:
        runfile = sim.runfile

        def compute(progress, _cancelled):
            return inner_series(runfile, progress=progress)  # progress raises when cancelled

        # no Qt parent: a running QThread must never be deleted with the panel; it is kept
        # here until it finishes, and shutdown() waits for it
        task = BackgroundTask(compute)
        task.succeeded.connect(lambda result: self._on_computed(task, sim, result))
        task.failed.connect(lambda error: self._on_computed(task, sim, None, str(error)))
        task.finished.connect(lambda: self._forget(task))
        self._running.add(task)
        self._task = task
        task.start()

    def _on_computed(self, task, sim, result, problem: str | None = None) -> None:
        if task is not self._task:
            return  # a superseded run
        self._task = None
        if sim is not self._sim:
            return
        self._inner = result
        self._draw(problem)
        self.inner_ready.emit()

    def _forget(self, task: BackgroundTask) -> None:
        task.wait()  # "finished" comes just before the thread ends: let it end first
        self._running.discard(task)

    def shutdown(self) -> None:
        """Stop the workers, if any (a new scene, or the window closing)."""
        self._task = None
        for task in list(self._running):
            task.cancel()
            task.wait()
        self._running.clear()

    def closeEvent(self, event) -> None:  # Qt override: never leave a worker running
        self.shutdown()
        super().closeEvent(event)

    @property
    def inner(self):
        """The inner-state series of the current simulation (None: not computed yet)."""
        return self._inner

    def averaged(self, run_index: int) -> np.ndarray | None:
        """(particles, steps + 1, 2) averaged points of run ``run_index``, or None."""
        if self._inner is None:
            return None
        return self._inner[run_index].averaged

    def _draw(self, problem: str | None = None) -> None:
        for curve in self._curves:
            self.plot.removeItem(curve)
        self._curves = []
        if self._sim is None:
            return
        if self._inner is None:
            if problem is not None:
                text = f"Inner state not available: {problem}"
            elif self._task is not None or not self._sim.finished:
                text = "Computing…"
            else:
                text = "Too large to re-run for the inner state."
            self.note.setText(text)
            return
        lines = []
        for run in self._inner:
            steps = np.arange(len(run.effective))
            pen = plot_style.run_pen(run.color, plot_style.LINE_WIDTH * self._line_scale)
            values = np.where(run.effective > 0, run.effective, np.nan)
            curve = pg.PlotDataItem(steps, values, pen=pen, name=run.label, connect="finite")
            self.plot.addItem(curve)
            self._curves.append(curve)
            lines.append(f"{run.label}: {run.what}")
        self.note.setText("; ".join(lines))
        self.plot.enableAutoRange()

    def set_step(self, step: int) -> None:
        self.cursor.setValue(step)

    def _on_log_changed(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
