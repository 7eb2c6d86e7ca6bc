"""LR range test dialog: the loss against a rising lr, the suggested bounds, one click to use them.

Wiring from the main window (``Tools > LR range test…``)::

    dialog = LrFindDialog(window.runfile, run_index, window)
    dialog.apply_schedule.connect(on_apply)   # (run index, schedule table) -> edit the run
    dialog.show()

The test starts as soon as the dialog opens and runs off the GUI thread (it
takes milliseconds once numba's kernels are loaded). The markers at the
suggested lower and upper bounds can be dragged, or typed into the fields
below the plot; "Use as cyclic" / "Use as one-cycle" emit ``apply_schedule``
with a schedule table that ``parse_runfile`` accepts for that run.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.core.lr_find import (
    DEFAULT_SMOOTHING,
    LrRangeResult,
    describe,
    lr_range_test,
    round_lr,
)
from lrsim.core.runfile import RunFile
from lrsim.gui.latest_task import LatestTask
from lrsim.gui.lr_find_plot import ERROR_COLOR, LrRangePlot


def _parse_lr(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(name, f"must be a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(name, f"must be a positive number, got {text!r}")
    return value


class LrFindDialog(QDialog):
    """Runs ``lr_range_test`` on ``runfile``'s run ``run_index`` and shows the curve."""

    apply_schedule = Signal(int, dict)  # run index, schedule table (validated)
    result_ready = Signal(object)  # LrRangeResult of each finished test
    test_failed = Signal(object)  # the exception of a failed test

    def __init__(
        self,
        runfile: RunFile,
        run_index: int = 0,
        parent: QWidget | None = None,
        *,
        autorun: bool = True,
    ):
        super().__init__(parent)
        self.setWindowTitle("LR range test")
        self.runfile = runfile
        self.result: LrRangeResult | None = None
        self._runs = LatestTask(self)
        self._runs.succeeded.connect(self._on_succeeded)
        self._runs.failed.connect(self._on_failed)
        self._build_controls(run_index)
        self._build_plot()
        self._build_bottom()
        self.resize(980, 680)
        self._set_result_widgets_enabled(False)
        if autorun:
            QTimer.singleShot(0, self.run_test)

    # -------------------------------------------------------------------------- layout

    def _build_controls(self, run_index: int) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.run_box = QComboBox(self)
        for index, run in enumerate(self.runfile.runs):
            name = run.optimizer.name
            self.run_box.addItem(f"{index}: {run.label} ({name})")
        self.run_box.setCurrentIndex(max(0, min(run_index, len(self.runfile.runs) - 1)))
        self.run_box.setToolTip("The run whose optimizer is tested and whose schedule is set")
        self.min_lr_edit = QLineEdit("1e-06", self)
        self.max_lr_edit = QLineEdit("10", self)
        for edit in (self.min_lr_edit, self.max_lr_edit):
            edit.setMaximumWidth(90)
            edit.returnPressed.connect(self.run_test)
        self.steps_box = QSpinBox(self)
        self.steps_box.setRange(10, 100_000)
        self.steps_box.setValue(100)
        self.particles_box = QSpinBox(self)
        self.particles_box.setRange(0, 100_000)
        self.particles_box.setSingleStep(64)
        self.particles_box.setSpecialValueText("run file's")
        self.particles_box.setValue(0)
        self.particles_box.setToolTip(
            "Starts: the run file's, or this many seeded random starts over the domain"
        )
        self.run_button = QPushButton("Run test", self)
        self.run_button.setDefault(False)
        self.run_button.setAutoDefault(False)
        self.run_button.clicked.connect(self.run_test)
        self.run_box.currentIndexChanged.connect(self.run_test)
        for text, widget in (
            ("run", self.run_box),
            ("min lr", self.min_lr_edit),
            ("max lr", self.max_lr_edit),
            ("steps", self.steps_box),
            ("starts", self.particles_box),
        ):
            bar.addWidget(QLabel(text, self))
            bar.addWidget(widget)
        self.log_box = QCheckBox("log loss", self)
        self.log_box.setToolTip("Loss on a logarithmic axis: shows how far down the minimum is")
        self.log_box.toggled.connect(self._on_log_changed)
        bar.addStretch(1)
        bar.addWidget(self.log_box)
        bar.addWidget(self.run_button)
        layout.addLayout(bar)

    def _build_plot(self) -> None:
        self.plot_widget = LrRangePlot(self)
        self.plot = self.plot_widget.plot
        self.raw_curve, self.smooth_curve = (
            self.plot_widget.raw_curve,
            self.plot_widget.smooth_curve,
        )
        self.unstable_region = self.plot_widget.unstable_region
        self.lower_line, self.upper_line = self.plot_widget.lower_line, self.plot_widget.upper_line
        for line in (self.lower_line, self.upper_line):
            line.sigPositionChanged.connect(lambda _l, line=line: self._on_marker_moved(line))
        self.layout().addWidget(self.plot_widget, 1)

    def _build_bottom(self) -> None:
        layout = self.layout()
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        bar = QHBoxLayout()
        self.lower_edit = QLineEdit(self)
        self.upper_edit = QLineEdit(self)
        for edit, line, text in (
            (self.lower_edit, self.lower_line, "lower"),
            (self.upper_edit, self.upper_line, "upper"),
        ):
            edit.setMaximumWidth(100)
            edit.editingFinished.connect(lambda e=edit, m=line, t=text: self._on_edit(e, m, t))
            label = QLabel(text, self)
            label.setStyleSheet(f"color: {line.pen.color().name()}; font-weight: bold")
            bar.addWidget(label)
            bar.addWidget(edit)
        self.reset_button = QPushButton("Reset", self)
        self.reset_button.setToolTip("Put the markers back at the suggested bounds")
        self.reset_button.clicked.connect(self._show_suggestion)
        self.cyclic_button = QPushButton("Use as cyclic", self)
        self.cyclic_button.setToolTip("CyclicLR between lower and upper, two cycles over the run")
        self.cyclic_button.clicked.connect(lambda: self.apply("cyclic"))
        self.onecycle_button = QPushButton("Use as one-cycle", self)
        self.onecycle_button.setToolTip("OneCycleLR from lower up to upper and down")
        self.onecycle_button.clicked.connect(lambda: self.apply("onecycle"))
        close = QPushButton("Close", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bar.addWidget(self.reset_button)
        bar.addStretch(1)
        for button in (self.cyclic_button, self.onecycle_button):
            button.setAutoDefault(False)
            bar.addWidget(button)
        bar.addWidget(close)
        layout.addLayout(bar)
        self.status = QLabel("", self)
        layout.addWidget(self.status)

    # -------------------------------------------------------------------------- running

    @property
    def busy(self) -> bool:
        return self._runs.busy

    def run_test(self) -> None:
        """Start a range test with the fields' settings (the previous one is abandoned)."""
        try:
            kwargs = {
                "min_lr": _parse_lr(self.min_lr_edit.text(), "min lr"),
                "max_lr": _parse_lr(self.max_lr_edit.text(), "max lr"),
                "steps": self.steps_box.value(),
                "particles": self.particles_box.value() or None,
                "smoothing": DEFAULT_SMOOTHING,
            }
        except ConfigError as error:
            self._show_error(error)
            return
        run_index = self.run_box.currentIndex()
        runfile = self.runfile

        def task(_progress, _cancelled):
            return lr_range_test(runfile, run_index, **kwargs)

        self._runs.start(task)
        self.status.setText("running the range test…")
        self.status.setStyleSheet("")
        self.run_button.setEnabled(False)

    def _on_succeeded(self, result: LrRangeResult) -> None:
        self.run_button.setEnabled(True)
        self.show_result(result)
        self.result_ready.emit(result)

    def _on_failed(self, error: Exception) -> None:
        self.run_button.setEnabled(True)
        self._show_error(error)
        self.test_failed.emit(error)

    def done(self, code: int) -> None:  # Qt override: closing waits for a running test
        self._runs.stop()
        super().done(code)

    # -------------------------------------------------------------------------- showing

    def show_result(self, result: LrRangeResult) -> None:
        """Draw ``result``'s curves and put the markers at its suggestion."""
        self.result = result
        self.plot_widget.show_curves(result)
        self._fit_y()
        self._show_suggestion()
        self.summary.setText(describe(result).replace("\n", " "))
        run = self.runfile.runs[result.run_index]
        self.status.setText(
            f"run {result.run_index} ({run.label}): drag the markers or type the bounds, "
            "then use them as a cyclic or one-cycle schedule"
        )
        self.status.setStyleSheet("")
        self._set_result_widgets_enabled(True)

    def _fit_y(self) -> None:
        self.plot_widget.fit_y(log=self.log_box.isChecked(), result=self.result)

    def _on_log_changed(self, on: bool) -> None:
        self.plot.setLogMode(x=True, y=on)
        self._fit_y()

    def _show_suggestion(self) -> None:
        if self.result is None:
            return
        self.set_bounds(self.result.suggested_lower, self.result.suggested_upper)

    def set_bounds(self, lower: float, upper: float) -> None:
        """Move the markers (and fields) to ``lower`` and ``upper``."""
        self.lower_line.setValue(math.log10(lower))
        self.upper_line.setValue(math.log10(upper))

    def bounds(self) -> tuple[float, float]:
        """The markers' (lower, upper) learning rates."""
        return 10.0 ** self.lower_line.value(), 10.0 ** self.upper_line.value()

    def _on_marker_moved(self, line: pg.InfiniteLine) -> None:
        lr = 10.0 ** line.value()
        name = "lower" if line is self.lower_line else "upper"
        shown = f"{round_lr(lr):g}"
        line.label.setFormat(f"{name} {shown}")
        edit = self.lower_edit if line is self.lower_line else self.upper_edit
        with QSignalBlocker(edit):
            edit.setText(shown)

    def _on_edit(self, edit: QLineEdit, line: pg.InfiniteLine, name: str) -> None:
        try:
            value = _parse_lr(edit.text(), name)
        except ConfigError as error:
            self._show_error(error)
            return
        line.setValue(math.log10(value))

    def _set_result_widgets_enabled(self, on: bool) -> None:
        for widget in (
            self.lower_edit,
            self.upper_edit,
            self.reset_button,
            self.cyclic_button,
            self.onecycle_button,
        ):
            widget.setEnabled(on)

    def _show_error(self, error: Exception) -> None:
        self.status.setText(str(error))
        self.status.setStyleSheet(f"color: {ERROR_COLOR}")

    # -------------------------------------------------------------------------- applying

    def schedule_table(self, kind: str) -> dict:
        """The ``cyclic`` or ``onecycle`` table for the markers' bounds, validated for the run.

        Raises ConfigError (e.g. lower not below upper) when the run file would refuse it.
        """
        if self.result is None:
            raise ConfigError("lr range test", "run the test first")
        lower, upper = self.bounds()
        if kind == "cyclic":
            run = self.result.to_cyclic(lower=lower, upper=upper)
        elif kind == "onecycle":
            run = self.result.to_onecycle(lower=lower, upper=upper)
        else:
            raise ValueError(f"unknown schedule kind {kind!r}")
        return dict(run.schedule.written)

    def apply(self, kind: str) -> None:
        """Emit ``apply_schedule`` with the ``kind`` table, or show why it cannot be used."""
        try:
            table = self.schedule_table(kind)
        except ConfigError as error:
            self._show_error(error)
            return
        assert self.result is not None
        self.apply_schedule.emit(self.result.run_index, table)
        shown = ", ".join(f"{key} = {value!r}" for key, value in table.items() if key != "name")
        self.status.setText(f"run {self.result.run_index}: schedule {table['name']} ({shown})")
        self.status.setStyleSheet("")
