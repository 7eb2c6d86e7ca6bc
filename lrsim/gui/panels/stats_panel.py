"""The statistics table: the core's convergence statistics per run, as of the step shown.

Rows are runs (with their colour), columns the fields of ``RunStats``. The
table follows the playback but never holds it up: a refresh is scheduled
after an idle delay that grows with the time the last one took.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.stats import DEFAULT_DIST_TOL, DEFAULT_LOSS_TOL, stats_table

TOLERANCES = ("1e-1", "1e-2", "1e-3", "1e-4", "1e-6", "1e-8")
COLUMNS = (
    ("run", "The run (its colour in every view)"),
    ("iters to loss", "Median over particles of the first step whose loss is within the loss "
     "tolerance of the global minimum value ('—': not reached yet)"),
    ("iters to min", "Median over particles of the first step within the distance tolerance "
     "of a known minimum ('—': not reached yet)"),
    ("reached", "Fraction of particles whose loss came within the tolerance by this step"),
    ("loss (median)", "Median loss across particles at this step (tooltip: best … worst)"),
    ("distance", "Median distance to the nearest known minimum at this step"),
    ("global", "Fraction of particles in the basin of a global minimum"),
    ("diverged", "Particles that diverged (non-finite or > 1e12) by this step"),
    ("basins", "Particles near each known minimum (and elsewhere)"),
)  # fmt: skip


def _number(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}"


def _iterations(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:g}"


def _percent(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{100 * value:.0f} %"


def row_texts(stats) -> list[str]:
    """The table's cells for one RunStats."""
    basins = ", ".join(f"{name}: {count}" for name, count in stats.basin_counts.items())
    return [
        stats.label,
        _iterations(stats.iterations_to_loss_tol),
        _iterations(stats.iterations_to_dist_tol),
        _percent(stats.reached_fraction),
        _number(stats.final_loss_median),
        _number(stats.distance_median),
        _percent(stats.global_fraction),
        str(stats.diverged),
        basins or "—",
    ]


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class StatsPanel(QWidget):
    """``set_scene(sim)``, then ``set_step(step)`` as the playback moves."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._sim = None
        self._step = 0
        self._cost = 0.0  # seconds the last refresh took
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        bar = QHBoxLayout()
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)  # never widens the window
        bar.addWidget(self.caption, 1)
        self.loss_tol = self._tolerance_box(DEFAULT_LOSS_TOL, "Loss tolerance: loss - f* <= tol")
        self.dist_tol = self._tolerance_box(
            DEFAULT_DIST_TOL, "Distance tolerance to the nearest known minimum"
        )
        bar.addWidget(QLabel("loss tol", self))
        bar.addWidget(self.loss_tol)
        bar.addWidget(QLabel("distance tol", self))
        bar.addWidget(self.dist_tol)
        layout.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        for index, (title, tip) in enumerate(COLUMNS):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(index, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)

    def _tolerance_box(self, value: float, tip: str) -> QComboBox:
        box = QComboBox(self)
        box.setEditable(True)
        box.addItems(list(TOLERANCES))
        box.setCurrentText(f"{value:.0e}".replace("e-0", "e-"))
        box.setToolTip(tip)
        box.currentTextChanged.connect(self._on_tolerance_changed)
        return box

    def _tolerance(self, box: QComboBox, fallback: float) -> float:
        try:
            value = float(box.currentText())
        except ValueError:
            return fallback
        return value if value > 0 and math.isfinite(value) else fallback

    def _on_tolerance_changed(self, _text: str) -> None:
        self.refresh()

    def set_scene(self, sim) -> None:
        self._sim = sim
        self.table.setRowCount(sim.n_runs)
        for row, run in enumerate(sim.runs):
            for column in range(len(COLUMNS)):
                item = QTableWidgetItem()
                if column > 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            self.table.item(row, 0).setIcon(_swatch(run.color))
        self.refresh()
        self.table.resizeColumnToContents(0)
        limit = self.fontMetrics().horizontalAdvance("M" * 16)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), limit))

    def set_step(self, step: int) -> None:
        """Show the statistics as of ``step`` (soon, not necessarily at once)."""
        self._step = step
        if not self._timer.isActive():
            self._timer.start(int(min(1000, max(30, 3000 * self._cost))))

    def refresh(self) -> None:
        """Recompute the table now."""
        self._timer.stop()
        sim = self._sim
        if sim is None:
            return
        started = time.perf_counter()
        rows = stats_table(
            sim,
            min(self._step, sim.current_step),
            loss_tol=self._tolerance(self.loss_tol, DEFAULT_LOSS_TOL),
            dist_tol=self._tolerance(self.dist_tol, DEFAULT_DIST_TOL),
        )
        for row, stats in enumerate(rows):
            for column, text in enumerate(row_texts(stats)):
                self.table.item(row, column).setText(text)
                self.table.item(row, column).setToolTip(text if column in (0, 8) else "")
            spread = (
                f"best {_number(stats.final_loss_best)} … worst {_number(stats.final_loss_worst)}"
            )
            self.table.item(row, 4).setToolTip(spread)
        noun = "particle" if sim.n_particles == 1 else "particles"
        self.caption.setText(
            f"<b>Statistics at step {rows[0].step if rows else 0}</b> "
            f"({sim.n_particles} {noun} per run)"
        )
        self._cost = time.perf_counter() - started

    def preferred_height(self) -> int:
        """Height that shows every run's row without scrolling."""
        rows = max(1, self.table.rowCount())
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        scroll = self.table.horizontalScrollBar().sizeHint().height()
        caption = max(self.caption.sizeHint().height(), self.loss_tol.sizeHint().height())
        return caption + header + rows * row + scroll + 16

    def cell_text(self, row: int, column: int) -> str:
        return self.table.item(row, column).text()
