"""The starts section: explicit points, n random points (seeded) or a grid over the domain.

Every run starts from the same points, so runs compare fairly. Clicking the
contour view adds a point (``add_point``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.params import REQUIRED, ParamSpec
from lrsim.gui.panels.param_form import (
    FieldBox,
    ParamForm,
    format_value,
    muted,
    parse_list,
    split_path,
)

MODES = ("points", "random", "grid")
MODE_TITLES = ("Points", "Random (uniform)", "Grid")
MODE_TIPS = (
    "Explicit starts; click the contour view to add one",
    "n starts drawn uniformly over the domain from a seeded generator",
    "nx x ny starts at the centres of a grid of cells over the domain",
)
RANDOM_SPECS = (
    ParamSpec("n", "int", REQUIRED, "Number of starts, uniform in the domain."),
    ParamSpec("seed", "int", 0, "Seed of the generator: the same seed gives the same starts."),
)
GRID_SPECS = (
    ParamSpec("nx", "int", REQUIRED, "Starts along x (at the centres of nx cells)."),
    ParamSpec("ny", "int", REQUIRED, "Starts along y (at the centres of ny cells)."),
)


class StartsForm(QWidget):
    """``table()`` is the run file's ``[particles]`` table."""

    state_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.mode = QComboBox(self)
        for mode, title, tip in zip(MODES, MODE_TITLES, MODE_TIPS, strict=True):
            self.mode.addItem(title, mode)
            self.mode.setItemData(self.mode.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.mode.setToolTip("The same starts are used by every run, so runs compare fairly")
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.mode_box = FieldBox(self.mode, self)
        layout.addWidget(self.mode_box)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack)

        points_page = QWidget(self.stack)
        points_layout = QVBoxLayout(points_page)
        points_layout.setContentsMargins(0, 0, 0, 0)
        self.points = QPlainTextEdit(points_page)
        self.points.setPlaceholderText("one start per line: x, y")
        self.points.setToolTip("One start per line, x and y separated by a comma.")
        self.points.setFixedHeight(self.points.fontMetrics().lineSpacing() * 4 + 12)
        self.points.textChanged.connect(self._on_field_changed)
        self.points_box = FieldBox(self.points, points_page)
        points_layout.addWidget(self.points_box)
        row = QHBoxLayout()
        hint = QLabel("Tip: click the contour view to add a start.", points_page)
        muted(hint)
        hint.setWordWrap(True)
        row.addWidget(hint, 1)
        clear = QPushButton("Clear", points_page)
        clear.clicked.connect(self.points.clear)
        row.addWidget(clear)
        points_layout.addLayout(row)
        self.stack.addWidget(points_page)

        self.random = ParamForm(RANDOM_SPECS, {"n": 100}, self.stack)
        self.grid = ParamForm(GRID_SPECS, {"nx": 10, "ny": 10}, self.stack)
        for form in (self.random, self.grid):
            form.state_changed.connect(self._on_field_changed)
            self.stack.addWidget(form)
        self.stack.currentChanged.connect(self._fit_stack)

    @property
    def current_mode(self) -> str:
        return self.mode.currentData()

    def _fit_stack(self, index: int) -> None:
        """Size the stack to the page shown (a QStackedWidget takes the tallest page's height)."""
        for page in range(self.stack.count()):
            policy = self.stack.widget(page).sizePolicy()
            policy.setVerticalPolicy(
                policy.Policy.Preferred if page == index else policy.Policy.Ignored
            )
            self.stack.widget(page).setSizePolicy(policy)
        self.stack.adjustSize()

    def _on_mode_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.clear_errors()
        self.state_changed.emit()

    def _on_field_changed(self) -> None:
        self.points_box.clear_error()
        self.state_changed.emit()

    def set_table(self, table: Mapping[str, Any]) -> None:
        """Show the ``[particles]`` table; emits nothing."""
        mode = next((m for m in MODES if m in table), "points")
        with QSignalBlocker(self.mode):
            self.mode.setCurrentIndex(MODES.index(mode))
        self.stack.setCurrentIndex(MODES.index(mode))
        self._fit_stack(MODES.index(mode))
        with QSignalBlocker(self.points):
            points = table.get("points") or []
            self.points.setPlainText("\n".join(format_value(list(p)) for p in points))
        if mode == "random":
            self.random.set_values(table["random"])
        if mode == "grid":
            self.grid.set_values(table["grid"])
        self.clear_errors()

    def table(self) -> dict[str, Any]:
        mode = self.current_mode
        if mode == "random":
            return {"random": self.random.values()}
        if mode == "grid":
            return {"grid": self.grid.values()}
        lines = [line for line in self.points.toPlainText().splitlines() if line.strip()]
        return {"points": [parse_list(line) for line in lines]}

    def add_point(self, x: float, y: float) -> None:
        """Add a start at (x, y), switching to explicit points (emits ``state_changed`` once)."""
        text = f"{x:.4g}, {y:.4g}"
        with QSignalBlocker(self.points):
            if self.current_mode != "points":
                self.points.setPlainText(text)
            else:
                existing = self.points.toPlainText().rstrip()
                self.points.setPlainText(f"{existing}\n{text}" if existing else text)
        with QSignalBlocker(self.mode):
            self.mode.setCurrentIndex(0)
        self.stack.setCurrentIndex(0)
        self._fit_stack(0)
        self.clear_errors()
        self.state_changed.emit()

    def show_error(self, path: str, problem: str) -> bool:
        """``path`` is relative to ``particles`` (``points[2]``, ``random.n``, ``grid``)."""
        name, index, rest = split_path(path)
        if name == "points":
            where = f"line {int(index[1:].split(']')[0]) + 1}: " if index else ""
            self.points_box.show_error(where + problem)
            return True
        if name in ("random", "grid") and rest:
            form = self.random if name == "random" else self.grid
            if form.show_error(rest, problem):
                return True
        self.mode_box.show_error(f"{path}: {problem}" if path else problem)
        return True

    def clear_errors(self) -> None:
        for box in (self.mode_box, self.points_box):
            box.clear_error()
        self.random.clear_errors()
        self.grid.clear_errors()
