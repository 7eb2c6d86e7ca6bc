"""Tools > All schedules in one plot: the lr curves of the schedule families, for a slide.

On the left, one row per family (``schedule_families.FAMILIES``): a check box
in the curve's colour and line style, and its parameters (PyTorch's names, the
editor's ``ParamForm``) behind a toggle; above them the common base lr and step
count, log scale, and buttons. On the right the figure: every checked family's
lr over the steps, a second plot with the momentum of those that cycle it
(cyclic, one-cycle), and a legend giving each family's parameters. The figure
saves as a PNG at twice its size on screen, or goes to the clipboard.

A family's parameters follow the common lr and steps, except the ones the user
has edited (Defaults puts them all back). The curves come from ``validate_schedule`` and
``schedule_curves``: no simulation, the numbers the engine would use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.core.schedule_families import (
    DEFAULT_LR,
    DEFAULT_STEPS,
    FAMILIES,
    cycles_momentum,
    family_curves,
    format_value,
    legend_label,
)
from lrsim.gui.panels.param_form import ERROR_STYLE
from lrsim.gui.schedule_family_row import FamilyRow
from lrsim.gui.schedule_figure import Curve, ScheduleFigure, figure_image

EDIT_DELAY_MS = 200
MAX_STEPS = 100_000


class SchedulesWindow(QWidget):
    """The families, the common lr and steps, and the figure; see the module docstring."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("All schedules in one plot — lrsim")
        self._dark = False
        self.steps = DEFAULT_STEPS
        self.base_lr = DEFAULT_LR
        self.entries: list[Curve] = []
        self.curves: dict = {}  # family key -> its lr curve (a PlotDataItem)
        self.momentum_curves: dict = {}
        self.labels: dict[str, str] = {}  # family key -> legend text
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(EDIT_DELAY_MS)
        self._timer.timeout.connect(self.redraw)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_controls())
        splitter.addWidget(self._build_figure())
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else None
        if area is not None:
            self.resize(min(1800, int(area.width() * 0.9)), min(1000, int(area.height() * 0.88)))
            splitter.setSizes([round(self.width() * 0.24), round(self.width() * 0.76)])
        self.set_theme(False)
        self.redraw()

    # ------------------------------------------------------------------ building

    def _build_controls(self) -> QWidget:
        panel = QWidget(self)
        outer = QVBoxLayout(panel)
        outer.setContentsMargins(0, 0, 0, 0)
        common = QFormLayout()
        self.lr_edit = QLineEdit(format_value(DEFAULT_LR), panel)
        self.lr_edit.setToolTip(
            "The optimizer's lr every decay multiplies; cyclic and one-cycle follow it too "
            "(max_lr = lr, base_lr = lr / 10); parameters you have edited stay as they are"
        )
        self.lr_edit.textChanged.connect(self._on_common_changed)
        self.steps_box = QSpinBox(panel)
        self.steps_box.setRange(2, MAX_STEPS)
        self.steps_box.setValue(DEFAULT_STEPS)
        self.steps_box.setKeyboardTracking(False)
        self.steps_box.valueChanged.connect(self._on_common_changed)
        common.addRow("base lr", self.lr_edit)
        common.addRow("steps", self.steps_box)
        outer.addLayout(common)
        self.log_box = QCheckBox("log scale (lr)", panel)
        self.log_box.toggled.connect(lambda _on: self.redraw())
        outer.addWidget(self.log_box)
        buttons = QHBoxLayout()
        self.all_button = QPushButton("All", panel)
        self.all_button.setToolTip("Check every family")
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button = QPushButton("None", panel)
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.defaults_button = QPushButton("Defaults", panel)
        self.defaults_button.setToolTip("The families and parameters the window opened with")
        self.defaults_button.clicked.connect(self.reset)
        for button in (self.all_button, self.none_button, self.defaults_button):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        rows = QWidget(panel)
        rows_layout = QVBoxLayout(rows)
        rows_layout.setContentsMargins(0, 4, 4, 4)
        rows_layout.setSpacing(6)
        self.rows: dict[str, FamilyRow] = {}
        for family in FAMILIES:
            row = FamilyRow(family, self.steps, self.base_lr, rows)
            row.changed.connect(self._timer.start)
            row.check.toggled.connect(lambda _on: self.redraw())
            rows_layout.addWidget(row)
            self.rows[family.key] = row
        rows_layout.addStretch(1)
        scroll = QScrollArea(panel)
        scroll.setWidget(rows)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll, 1)
        panel.setMinimumWidth(300)
        return panel

    def _build_figure(self) -> QWidget:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.figure = ScheduleFigure(panel)
        self.canvas = self.figure  # the pyqtgraph canvas on screen
        self.lr_plot, self.momentum_plot = self.figure.lr_plot, self.figure.momentum_plot
        self.legend = self.figure.legend
        layout.addWidget(self.figure, 1)
        bar = QHBoxLayout()
        self.problem_label = QLabel(panel)
        self.problem_label.setStyleSheet("color: #d62728;")
        bar.addWidget(self.problem_label, 1)
        self.copy_button = QPushButton("Copy image", panel)
        self.copy_button.setToolTip(
            "The figure at slide size (3200 x 1800 pixels), to the clipboard"
        )
        self.copy_button.clicked.connect(self.copy_image)
        self.save_button = QPushButton("Save PNG…", panel)
        self.save_button.setToolTip("The figure as a PNG at slide size (3200 x 1800 pixels)")
        self.save_button.clicked.connect(self.save_png)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.save_button)
        layout.addLayout(bar)
        return panel

    # ------------------------------------------------------------------ the API

    def set_theme(self, dark: bool) -> None:
        self._dark = bool(dark)
        self.figure.set_theme(self._dark)

    def set_checked(self, keys) -> None:
        """Check exactly the families in ``keys`` (for scripts and tests)."""
        keys = set(keys)
        for key, row in self.rows.items():
            row.check.blockSignals(True)
            row.check.setChecked(key in keys)
            row.check.blockSignals(False)
        self.redraw()

    def reset(self) -> None:
        """The families shown and the parameters the window opens with (common lr/steps kept)."""
        for row in self.rows.values():
            row.check.blockSignals(True)
            row.check.setChecked(row.family.shown)
            row.check.blockSignals(False)
            row.follow(self.steps, self.base_lr, reset=True)
        self.redraw()

    def redraw(self) -> None:
        """Compute every checked family's curves and draw them, with the legend."""
        self._timer.stop()
        self.entries = self.compute()
        self.figure.draw(self.entries, title=self.title(), log=self.log_box.isChecked())
        self.curves, self.momentum_curves = self.figure.lr_items, self.figure.momentum_items
        self.labels = {entry.key: entry.label for entry in self.entries}
        problems = sum(1 for row in self.rows.values() if not row.error_label.isHidden())
        self.problem_label.setText(
            f"{problems} famil{'y' if problems == 1 else 'ies'} not drawn (see the list)"
            if problems
            else ""
        )

    def compute(self) -> list[Curve]:
        """The checked families' curves; a family with a bad parameter shows why, undrawn."""
        entries = []
        for key, row in self.rows.items():
            row.clear_error()
            if not row.checked:
                continue
            family, params = row.family, row.params()
            try:
                lr, momentum, validated = family_curves(
                    family, params, steps=self.steps, base_lr=self.base_lr
                )
            except ConfigError as error:
                row.show_error(error)
                continue
            cycled = momentum if cycles_momentum(family, validated) else None
            entries.append(Curve(key, family, legend_label(family, params), lr, cycled))
        return entries

    def title(self) -> str:
        return f"Learning-rate schedules: base lr {format_value(self.base_lr)}, {self.steps} steps"

    # ------------------------------------------------------------------ export

    def figure_image(self, **looks) -> QImage:
        """The figure at slide size (see ``schedule_figure.figure_image``)."""
        return figure_image(
            self.entries, title=self.title(), log=self.log_box.isChecked(), dark=self._dark, **looks
        )

    def save_png(self) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the figure as PNG", str(Path.cwd() / "lr-schedules.png"), "PNG (*.png)"
        )
        if not path:
            return None
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        from lrsim.gui.render.stills import save_image  # atomic, like every export

        try:
            return save_image(self.figure_image(), path)
        except (ConfigError, OSError) as error:
            QMessageBox.warning(self, "Cannot save image", str(error))
            return None

    def copy_image(self) -> None:
        QApplication.clipboard().setImage(self.figure_image())

    # ------------------------------------------------------------------ common lr and steps

    def _on_common_changed(self) -> None:
        try:
            lr = float(self.lr_edit.text())
            if not (np.isfinite(lr) and lr > 0):
                raise ValueError
        except ValueError:
            self.lr_edit.setStyleSheet(ERROR_STYLE)
            self.lr_edit.setToolTip("The base lr must be a positive number")
            return
        self.lr_edit.setStyleSheet("")
        self.base_lr = lr
        self.steps = int(self.steps_box.value())
        for row in self.rows.values():
            row.follow(self.steps, self.base_lr)
        self._timer.start()

    def _check_all(self, on: bool) -> None:
        self.set_checked([family.key for family in FAMILIES] if on else [])
