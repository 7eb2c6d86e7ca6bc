"""Tools > Tune: each run's lr (and momentum) searched on its own starts and steps, drawn.

Wiring (``lrsim.gui.tune_actions`` does it for the main window)::

    dialog = TuneDialog(window.runfile, window)
    dialog.apply_tuning.connect(on_apply)   # TuneResult -> put the tuned values in the runs
    dialog.undo_requested.connect(on_undo)  # put the runs back as they were
    dialog.show()

The search (``lrsim.core.tune.tune_runfile``) runs off the GUI thread as soon
as the dialog opens. The plot shows the metric against the parameter for
every run in its colour on a log axis (1 - momentum for momentum), with the
best value ringed; a diverged value (metric +inf) leaves a gap.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunFile
from lrsim.core.tune import METRICS, TuneResult, format_metric, tune_runfile
from lrsim.gui.latest_task import LatestTask
from lrsim.gui.panels import plot_style

ERROR_COLOR = "#d62728"
AXIS_LABELS = {"lr": "learning rate", "momentum": "1 - momentum"}


class TuneDialog(QDialog):
    """Runs ``tune_runfile`` on ``runfile`` and draws the metric curves."""

    apply_tuning = Signal(object)  # TuneResult
    undo_requested = Signal()
    result_ready = Signal(object)  # TuneResult of each finished search
    tune_failed = Signal(object)  # the exception

    def __init__(self, runfile: RunFile, parent: QWidget | None = None, *, autorun: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Tune: a fair fight")
        self.runfile = runfile
        self.result: TuneResult | None = None
        # no deleteLater on finished: deleting a just-finished QThread from its own
        # finished signal crashed under pytest-qt; the dialog keeps its few workers
        self._runs = LatestTask(self, keep_workers=True)
        self._runs.succeeded.connect(self._on_succeeded)
        self._runs.failed.connect(self._on_failed)
        self._runs.progress_changed.connect(self._on_progress)
        self._curves: list[pg.PlotDataItem] = []
        self._build()
        self.resize(900, 640)
        if autorun:
            QTimer.singleShot(0, self.run_search)

    # -------------------------------------------------------------------------- layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.lr_box = QCheckBox("lr", self)
        self.lr_box.setChecked(True)
        self.momentum_box = QCheckBox("momentum", self)
        self.momentum_box.setToolTip("SGD's / RMSprop's momentum or the Adam family's beta1")
        self.metric_box = QComboBox(self)
        self.metric_box.addItems(METRICS)
        self.metric_box.setToolTip(
            "final_loss: median final loss, a diverged particle counting as +inf; "
            "iterations: median first step with loss - global minimum <= 1e-3 "
            "(never: steps + 1)"
        )
        self.show_box = QComboBox(self)
        self.show_box.addItems(["lr", "momentum"])
        self.show_box.setToolTip("Which parameter's curves the plot shows")
        self.show_box.currentIndexChanged.connect(self._draw)
        self.log_box = QCheckBox("log metric", self)
        self.log_box.toggled.connect(self._draw)
        self.run_button = QPushButton("Tune", self)
        self.run_button.setAutoDefault(False)
        self.run_button.clicked.connect(self.run_search)
        bar.addWidget(QLabel("tune", self))
        bar.addWidget(self.lr_box)
        bar.addWidget(self.momentum_box)
        bar.addWidget(QLabel("metric", self))
        bar.addWidget(self.metric_box)
        bar.addStretch(1)
        bar.addWidget(QLabel("show", self))
        bar.addWidget(self.show_box)
        bar.addWidget(self.log_box)
        bar.addWidget(self.run_button)
        layout.addLayout(bar)

        self.plot_widget = pg.PlotWidget(self)
        self.plot_widget.setBackground(plot_style.THEMES[False]["background"])
        self.plot = self.plot_widget.getPlotItem()
        plot_style.style_plot(self.plot, False)
        self.plot.setMenuEnabled(False)
        self.plot.addLegend(labelTextColor=plot_style.THEMES[False]["foreground"])
        layout.addWidget(self.plot_widget, 1)

        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.apply_button = QPushButton("Apply to runs", self)
        self.apply_button.setToolTip("Set every run's tuned values in the editor")
        self.apply_button.clicked.connect(self.apply)
        self.undo_button = QPushButton("Undo apply", self)
        self.undo_button.setToolTip("Put the runs back as they were before Apply")
        self.undo_button.clicked.connect(self.undo)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        for button in (self.apply_button, self.undo_button, close):
            button.setAutoDefault(False)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.status = QLabel("", self)
        layout.addWidget(self.status)
        self.apply_button.setEnabled(False)
        self.undo_button.setEnabled(False)

    # -------------------------------------------------------------------------- running

    def set_scene(self, sim) -> None:
        """The window's simulation changed: the next search tunes its run file."""
        self.runfile = sim.runfile

    def params(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, box in (("lr", self.lr_box), ("momentum", self.momentum_box))
            if box.isChecked()
        )

    def run_search(self) -> None:
        """Start a search with the chosen parameters and metric (a running one is abandoned)."""
        runfile, params, metric = self.runfile, self.params(), self.metric_box.currentText()

        def task(progress, cancelled):
            return tune_runfile(runfile, params, metric, progress=progress, cancel=cancelled)

        self._runs.start(task)
        self.status.setText("tuning…")
        self.status.setStyleSheet("")
        self.run_button.setEnabled(False)
        self.apply_button.setEnabled(False)

    @property
    def busy(self) -> bool:
        return self._runs.busy

    def _on_progress(self, fraction: float) -> None:
        self.status.setText(f"tuning… {fraction:.0%}")

    def _on_succeeded(self, result: TuneResult | None) -> None:
        self.run_button.setEnabled(True)
        if result is None:  # cancelled: nothing to show
            return
        self.show_result(result)
        self.result_ready.emit(result)

    def _on_failed(self, error: Exception) -> None:
        self.run_button.setEnabled(True)
        self.status.setText(str(error) if isinstance(error, ConfigError) else repr(error))
        self.status.setStyleSheet(f"color: {ERROR_COLOR}")
        self.tune_failed.emit(error)

    def done(self, code: int) -> None:  # Qt override: closing waits for a running search
        self._runs.shutdown()
        super().done(code)

    # -------------------------------------------------------------------------- showing

    def show_result(self, result: TuneResult) -> None:
        self.result = result
        tuned = [s.param for s in result.runs[0].searches] if result.runs else []
        if tuned and self.show_box.currentText() not in tuned:
            with QSignalBlocker(self.show_box):
                self.show_box.setCurrentText(tuned[0])
        metrics = [s.metrics for t in result.runs for s in t.searches if not s.skipped]
        finite = np.concatenate(metrics)[np.isfinite(np.concatenate(metrics))] if metrics else []
        with QSignalBlocker(self.log_box):  # losses spanning decades read best on a log axis
            self.log_box.setChecked(bool(len(finite)) and bool(np.all(np.asarray(finite) > 0)))
        self._draw()
        lines = []
        for tuning in result.runs:
            parts = []
            for search in tuning.searches:
                if search.skipped:
                    parts.append(f"{search.param} left ({search.note})")
                else:
                    before = format_metric(search.start_metric)
                    after = format_metric(search.best_metric)
                    parts.append(
                        f"{search.param} {search.start_value:.4g} → {search.best_value:.4g} "
                        f"({before} → {after})"
                    )
            lines.append(f"<b style='color:{tuning.color}'>{tuning.label}</b>: {'; '.join(parts)}")
        self.summary.setText("<br>".join(lines))
        self.status.setText(
            f"{result.metric}, lower is better: {result.candidate_runs} candidate runs in "
            f"{result.simulations} simulations"
        )
        self.status.setStyleSheet("")
        self.apply_button.setEnabled(True)

    def _draw(self, *_args) -> None:
        for curve in self._curves:
            self.plot.removeItem(curve)
        self._curves = []
        if self.plot.legend is not None:
            self.plot.legend.clear()
        result = self.result
        if result is None:
            return
        param = self.show_box.currentText()
        log_y = self.log_box.isChecked()
        self.plot.setLogMode(x=True, y=log_y)
        plot_style.set_label(self.plot, "bottom", AXIS_LABELS[param], False)
        plot_style.set_label(self.plot, "left", result.metric.replace("_", " "), False)
        for tuning in result.runs:
            search = next((s for s in tuning.searches if s.param == param), None)
            if search is None or search.skipped:
                continue
            x = search.values if param == "lr" else 1.0 - search.values
            y = np.where(np.isfinite(search.metrics), search.metrics, np.nan)
            if log_y:
                y = np.where(y > 0, y, np.nan)
            keep = x > 0
            curve = self.plot.plot(
                x[keep],
                y[keep],
                pen=plot_style.run_pen(tuning.color),
                symbol="o",
                symbolSize=5,
                symbolBrush=tuning.color,
                symbolPen=None,
                connect="finite",
                name=tuning.label,
            )
            self._curves.append(curve)
            best_x = search.best_value if param == "lr" else 1.0 - search.best_value
            best_y = search.best_metric
            if best_x > 0 and math.isfinite(best_y) and (best_y > 0 or not log_y):
                ring = self.plot.plot(
                    [best_x],
                    [best_y],
                    pen=None,
                    symbol="o",
                    symbolSize=16,
                    symbolBrush=None,
                    symbolPen=pg.mkPen(tuning.color, width=2.5),
                )
                self._curves.append(ring)
        self.plot.enableAutoRange()

    def curve_data(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted (x, y) of run ``label`` (for tests)."""
        for curve in self._curves:
            if curve.name() == label:
                return curve.getData()
        raise KeyError(label)

    # -------------------------------------------------------------------------- applying

    def apply(self) -> None:
        if self.result is None:
            return
        self.apply_tuning.emit(self.result)
        self.undo_button.setEnabled(True)
        self.status.setText("applied the tuned values to the runs (Undo apply puts them back)")

    def undo(self) -> None:
        self.undo_requested.emit()
        self.undo_button.setEnabled(False)
        self.status.setText("the runs are back as they were")
