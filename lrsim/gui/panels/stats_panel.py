"""The statistics table: the core's convergence statistics per run, as of the step shown.

Rows are runs (with their colour), columns the fields of ``RunStats``: how fast
and how far the particles got, the fraction in a global minimum's basin, the
sharpness (largest Hessian eigenvalue) where they are, divergence, and the
basins as a bar in the basin map's colours. The table follows the playback but
never holds it up: a refresh is scheduled after an idle delay that grows with
the time the last one took. "CSV…" saves the table as shown, in the columns of
``lrsim stats -o``.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.basins import BASIN_RULE
from lrsim.core.errors import ConfigError
from lrsim.core.export import export_stats_csv
from lrsim.core.stats import DEFAULT_DIST_TOL, DEFAULT_LOSS_TOL, minimum_label, stats_table
from lrsim.gui.views.basin_style import (
    DIVERGED_COLOR,
    ELSEWHERE_COLOR,
    minimum_colors,
    percent,
)

TOLERANCES = ("1e-1", "1e-2", "1e-3", "1e-4", "1e-6", "1e-8")
SHARPNESS_TIP = (
    "Sharpness: the median over particles of the largest eigenvalue of the loss's Hessian "
    "where each particle is at this step (diverged ones left out). Plain gradient descent "
    "stays in a minimum only while lr < 2 / sharpness, so a large lr can settle only in flat "
    "minima. A cell's tooltip gives the largest value, the flatness (smallest eigenvalue) and "
    "2 / sharpness."
)
COLUMNS = (
    ("run", "The run (its colour in every view)"),
    ("iters to\nloss", "Median over particles of the first step whose loss is within the loss "
     "tolerance of the global minimum value ('—': not reached yet)"),
    ("iters to\nmin", "Median over particles of the first step within the distance tolerance "
     "of a known minimum ('—': not reached yet)"),
    ("reached", "Fraction of particles whose loss came within the tolerance by this step"),
    ("loss\nmedian", "Median loss across particles at this step (tooltip: best … worst)"),
    ("distance\nto min", "Median distance to the nearest known minimum at this step"),
    ("global\nminimum", "Fraction of particles in the basin of a global minimum at this step: "
     "the basin map's \"reach the global minimum\". " + BASIN_RULE),
    ("sharpness", SHARPNESS_TIP),
    ("diverged", "Particles that diverged (non-finite or > 1e12) by this step"),
    ("basins", "Share of the particles in each known minimum's basin, elsewhere and diverged, "
     "in the basin map's colours (View > Basin map); the tooltip lists them all. " + BASIN_RULE),
)  # fmt: skip
COLUMN = {title.replace("\n", " "): i for i, (title, _tip) in enumerate(COLUMNS)}
BASINS_ROLE = Qt.ItemDataRole.UserRole + 1
BAR_WIDTH = 120


def _number(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}"


def _iterations(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:g}"


def _percent(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{100 * value:.0f} %"


def basins_text(stats) -> str:
    """The basins, most particles first: ``global (3, 2) 400 · elsewhere 12``."""
    ranked = sorted(stats.basin_counts.items(), key=lambda item: -item[1])
    return " · ".join(f"{name} {count}" for name, count in ranked) or "—"


def row_texts(stats) -> list[str]:
    """The table's cells for one RunStats."""
    return [
        stats.label,
        _iterations(stats.iterations_to_loss_tol),
        _iterations(stats.iterations_to_dist_tol),
        _percent(stats.reached_fraction),
        _number(stats.final_loss_median),
        _number(stats.distance_median),
        _percent(stats.global_fraction),
        _number(stats.sharpness_median),
        str(stats.diverged),
        basins_text(stats),
    ]


def sharpness_tip(stats, lr: float | None) -> str:
    """Largest and smallest curvature where the particles are, and what it means for the lr."""
    if not math.isfinite(stats.sharpness_median):
        return "No particle left to measure"
    lines = [
        f"Largest Hessian eigenvalue (sharpness): median {_number(stats.sharpness_median)}, "
        f"max {_number(stats.sharpness_max)}",
        f"Smallest eigenvalue (flatness): median {_number(stats.flatness_median)}",
    ]
    if stats.sharpness_median > 0:
        lines.append(
            f"Plain GD stays in a minimum only while lr < 2 / sharpness = "
            f"{_number(2 / stats.sharpness_median)}"
        )
    if lr is not None and lr > 0:
        lines.append(
            f"This run's lr at step {stats.step}: {_number(lr)}; it can settle only where "
            f"sharpness < 2 / lr = {_number(2 / lr)}"
        )
    return "\n".join(lines)


def basin_shares(stats, colors: dict[str, str]) -> list[tuple[float, str, str]]:
    """(fraction, colour, name) of every basin with particles, then elsewhere, diverged."""
    n = max(1, stats.n_particles)
    shares = [
        (count / n, colors.get(name, ELSEWHERE_COLOR), name)
        for name, count in stats.basin_counts.items()
        if name != "elsewhere"
    ]
    if stats.basin_counts.get("elsewhere"):
        shares.append((stats.basin_counts["elsewhere"] / n, ELSEWHERE_COLOR, "elsewhere"))
    if stats.diverged:
        shares.append((stats.diverged / n, DIVERGED_COLOR, "diverged"))
    return shares


def basins_tip(shares: list[tuple[float, str, str]], n: int) -> str:
    return "\n".join(
        f"{name}: {round(fraction * n)} ({percent(fraction)})" for fraction, _c, name in shares
    )


class _BasinsDelegate(QStyledItemDelegate):
    """A stacked bar of the basins' shares in the basin map's colours, then the text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        shares = index.data(BASINS_ROLE)
        if not shares:
            super().paint(painter, option, index)
            return
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        options.text = ""
        style = options.widget.style() if options.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter, options.widget)
        rect = option.rect.adjusted(4, 5, -4, -5)
        width = min(BAR_WIDTH, rect.width())
        painter.save()
        x = float(rect.left())
        for fraction, color, _name in shares:
            step = fraction * width
            painter.fillRect(QRectF(x, rect.top(), step, rect.height()), QColor(color))
            x += step
        edge = QColor(option.palette.text().color())
        edge.setAlpha(110)
        painter.setPen(edge)
        painter.drawRect(QRectF(rect.left() + 0.5, rect.top() + 0.5, width - 1, rect.height() - 1))
        room = rect.width() - width - 8
        if room > 30:
            text = option.fontMetrics.elidedText(
                index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideRight, room
            )
            painter.setPen(option.palette.text().color())
            text_rect = option.rect.adjusted(int(width) + 12, 0, -4, 0)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()


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
        self._rows: list = []
        self._basin_colors: dict[str, str] = {}
        self._cost = 0.0  # seconds the last refresh took
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        # the caption on a line of its own: in the narrow right column it would otherwise
        # wrap to four lines beside the controls and push the last rows out of sight
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)  # never widens the window
        layout.addWidget(self.caption)
        bar = QHBoxLayout()
        bar.addStretch(1)
        self.loss_tol = self._tolerance_box(DEFAULT_LOSS_TOL, "Loss tolerance: loss - f* <= tol")
        self.dist_tol = self._tolerance_box(
            DEFAULT_DIST_TOL, "Distance tolerance to the nearest known minimum"
        )
        bar.addWidget(QLabel("loss tol", self, toolTip=self.loss_tol.toolTip()))
        bar.addWidget(self.loss_tol)
        bar.addWidget(QLabel("dist. tol", self, toolTip=self.dist_tol.toolTip()))
        bar.addWidget(self.dist_tol)
        self.save_button = QToolButton(self)
        self.save_button.setText("CSV…")
        self.save_button.setToolTip(
            "Save this table (at the step shown) as CSV, in the columns of `lrsim stats -o`"
        )
        self.save_button.clicked.connect(self.save_csv_dialog)
        bar.addWidget(self.save_button)
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
        # the basins bar takes what is left (a stretched last section would not go below 100)
        header.setSectionResizeMode(COLUMN["basins"], QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        font = header.font()  # a point smaller: ten columns fit at 1366 x 768 with docks open
        font.setPointSizeF(font.pointSizeF() - 1)
        header.setFont(font)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setItemDelegateForColumn(COLUMN["basins"], _BasinsDelegate(self.table))
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
        minima = [p for p in sim.critical_points() if p.kind in ("global_min", "local_min")]
        self._basin_colors = {
            minimum_label(p): color for p, color in zip(minima, minimum_colors(minima), strict=True)
        }
        self.table.setRowCount(sim.n_runs)
        for row, run in enumerate(sim.runs):
            for column in range(len(COLUMNS)):
                item = QTableWidgetItem()
                if 0 < column < COLUMN["basins"]:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            self.table.item(row, 0).setIcon(_swatch(run.color))
        self.refresh()
        self._fit_run_column()

    def _fit_run_column(self) -> None:
        """The labels whole when the other columns leave room for them (the basins bar
        keeps ``BAR_WIDTH``), else what is left, at least a fifth of the table or nine
        letters."""
        self.table.resizeColumnToContents(0)
        natural = self.table.columnWidth(0)
        others = sum(
            self.table.columnWidth(c) for c in range(1, len(COLUMNS)) if c != COLUMN["basins"]
        )
        left = self.table.viewport().width() - others - BAR_WIDTH - 16
        floor = max(self.fontMetrics().horizontalAdvance("M" * 9), self.table.width() // 5)
        self.table.setColumnWidth(0, min(natural, max(left, floor)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._sim is not None:
            self._fit_run_column()

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
        self._rows = rows
        for row, stats in enumerate(rows):
            for column, text in enumerate(row_texts(stats)):
                self.table.item(row, column).setText(text)
                self.table.item(row, column).setToolTip(text if column == 0 else "")
            spread = (
                f"best {_number(stats.final_loss_best)} … worst {_number(stats.final_loss_worst)}"
            )
            self.table.item(row, COLUMN["loss median"]).setToolTip(spread)
            run = sim.runs[row]
            lr = float(run.lr_curve[min(stats.step, len(run.lr_curve) - 1)])
            plain = run.optimizer == "sgd" and not run.per_particle_lr
            tip = sharpness_tip(stats, lr if plain else None)
            self.table.item(row, COLUMN["sharpness"]).setToolTip(tip)
            shares = basin_shares(stats, self._basin_colors)
            basins = self.table.item(row, COLUMN["basins"])
            basins.setData(BASINS_ROLE, shares)
            basins.setToolTip(basins_tip(shares, stats.n_particles))
        noun = "particle" if sim.n_particles == 1 else "particles"
        self.caption.setText(
            f"<b>Statistics at step {rows[0].step if rows else 0}</b> "
            f"({sim.n_particles} {noun} per run)"
        )
        self._cost = time.perf_counter() - started

    def save_csv(self, path: str | Path) -> None:
        """The table as shown, in the columns of ``lrsim stats -o`` (atomically)."""
        self.refresh()
        export_stats_csv(self._rows, path)

    def save_csv_dialog(self) -> bool:
        if self._sim is None:
            return False
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the statistics as CSV", "statistics.csv", "CSV files (*.csv)"
        )
        if not path:
            return False
        try:
            self.save_csv(path)
        except (ConfigError, OSError) as error:
            QMessageBox.warning(self, "Cannot save the statistics", str(error))
            return False
        return True

    def preferred_height(self) -> int:
        """Height that shows every run's row without scrolling."""
        rows = max(1, self.table.rowCount())
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        scroll = self.table.horizontalScrollBar().sizeHint().height()
        caption = self.caption.heightForWidth(max(200, self.width() - 8))
        caption = max(caption, self.fontMetrics().height())
        controls = self.loss_tol.sizeHint().height()
        return caption + controls + header + rows * row + scroll + 22

    def cell_text(self, row: int, column: int) -> str:
        return self.table.item(row, column).text()

    def cell_tip(self, row: int, column: int) -> str:
        return self.table.item(row, column).toolTip()
