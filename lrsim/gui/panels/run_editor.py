"""The run editor: every part of a run file as widgets; emits ``state_changed(data)`` on each edit.

``data()`` is the run file's structure as the user wrote it; the window
validates it with ``parse_runfile`` and, on a ``ConfigError``, hands the error
back to ``show_error``, which puts the message at the field its dotted path
names (``runs[1].schedule.step_size``) and scrolls there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, ParamSpec
from lrsim.core.runfile import DEFAULT_COLORS
from lrsim.gui.panels.param_form import FieldBox, ParamForm, split_path
from lrsim.gui.panels.run_card import RunCard
from lrsim.gui.panels.section import Section
from lrsim.gui.panels.starts_form import StartsForm
from lrsim.gui.panels.surface_form import SurfaceForm

STEPS_SPEC = (
    ParamSpec("steps", "int", REQUIRED, "Updates per particle (the length of every run)."),
)
NOISE_SPECS = (
    ParamSpec("sigma", "float", 0.0, "Gradient noise: g + sigma / sqrt(batch_size) * N(0, 1)."),
    ParamSpec("batch_size", "int", 1, "Averaging over a batch divides the noise by sqrt(batch)."),
    ParamSpec("seed", "int", 0, "Seed of the noise: the same seed gives the same noise."),
)
NEW_RUN = {"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": {"name": "constant"}}


class RunEditor(QScrollArea):
    """Title, steps, surface, starts, noise and the list of runs, in a scroll area."""

    state_changed = Signal(object)  # data(): serialised once per edit, for every listener
    live_changed = Signal(bool)  # a run card's slider moved (final: let go): recompute now

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget(self)
        self.setWidget(content)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)

        self.general_error = QLabel(content)
        self.general_error.setWordWrap(True)
        self.general_error.setStyleSheet("color: #d62728; font-weight: bold;")
        self.general_error.hide()
        layout.addWidget(self.general_error)

        general = QWidget(content)
        form = QFormLayout(general)
        form.setContentsMargins(0, 0, 0, 0)
        self.title = QLineEdit(general)
        self.title.setPlaceholderText("what this run file shows")
        self.title.textChanged.connect(self._on_edited)
        self.description = QPlainTextEdit(general)
        self.description.setPlaceholderText("notes for the audience (optional)")
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 4 + 12)
        self.description.textChanged.connect(self._on_edited)
        self.description_box = FieldBox(self.description, general)
        self.steps = ParamForm(STEPS_SPEC, {"steps": 100}, general)
        self.steps.state_changed.connect(self._on_edited)
        form.addRow("title", self.title)
        form.addRow(self.description_box)
        form.addRow(self.steps)
        layout.addWidget(Section("Run file", general, content))

        self.surface = SurfaceForm(content)
        self.surface.state_changed.connect(self._on_edited)
        layout.addWidget(Section("Surface", self.surface, content))

        self.starts = StartsForm(content)
        self.starts.state_changed.connect(self._on_edited)
        layout.addWidget(Section("Starts (all runs)", self.starts, content))

        self.noise = ParamForm(NOISE_SPECS, {}, content)
        self.noise.state_changed.connect(self._on_edited)
        self.noise_section = Section("Gradient noise", self.noise, content, expanded=False)
        layout.addWidget(self.noise_section)

        runs = QWidget(content)
        self.runs_layout = QVBoxLayout(runs)
        self.runs_layout.setContentsMargins(0, 0, 0, 0)
        self.runs_error = FieldBox(QWidget(runs), runs)
        self.runs_layout.addWidget(self.runs_error)
        self.add_button = QPushButton("+ Add run", runs)
        self.add_button.setToolTip("Add a run (the same starts, another optimizer or schedule)")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.runs_layout.addWidget(self.add_button)
        layout.addWidget(Section("Runs", runs, content))
        layout.addStretch(1)
        self.cards: list[RunCard] = []
        self._extra: dict[str, Any] = {}  # top-level keys this editor does not know

    # ------------------------------------------------------------------ runs

    def _add_card(self, table: Mapping[str, Any], index: int | None = None) -> RunCard:
        card = RunCard(table, self.widget())
        card.state_changed.connect(self._on_edited)
        card.live_changed.connect(self.live_changed)
        card.remove_requested.connect(self._on_remove_requested)
        card.duplicate_requested.connect(self._on_duplicate_requested)
        card.move_requested.connect(self._on_move_requested)
        index = len(self.cards) if index is None else index
        self.cards.insert(index, card)
        self.runs_layout.insertWidget(index + 1, card)  # after the error line
        return card

    def _unused_color(self) -> str:
        used = {card.table()["color"] for card in self.cards}
        return next((c for c in DEFAULT_COLORS if c not in used), DEFAULT_COLORS[0])

    def _on_add_clicked(self) -> None:
        table = dict(NEW_RUN, label=f"run {len(self.cards)}", color=self._unused_color())
        self._add_card(table).label.setFocus()
        self._on_edited()

    def _on_remove_requested(self, card: RunCard) -> None:
        self.cards.remove(card)
        card.hide()
        card.deleteLater()
        self._on_edited()

    def _on_duplicate_requested(self, card: RunCard) -> None:
        table = dict(card.table(), color=self._unused_color())
        table["label"] = f"{table['label']} (copy)"
        self._add_card(table, self.cards.index(card) + 1)
        self._on_edited()

    def _on_move_requested(self, card: RunCard, offset: int) -> None:
        index = self.cards.index(card)
        target = min(max(0, index + offset), len(self.cards) - 1)
        if target == index:
            return
        self.cards.insert(target, self.cards.pop(index))
        self.runs_layout.removeWidget(card)
        self.runs_layout.insertWidget(target + 1, card)
        self._on_edited()

    # ------------------------------------------------------------------ data

    def _on_edited(self, *_args) -> None:
        self.general_error.hide()
        self.state_changed.emit(self.data())

    def set_data(self, data: Mapping[str, Any]) -> None:
        """Show a run file's structure (as ``runfile_to_dict`` gives it); emits nothing."""
        with QSignalBlocker(self.title):
            self.title.setText(str(data.get("title", "")))
            self.title.setCursorPosition(0)
        with QSignalBlocker(self.description):
            self.description.setPlainText(str(data.get("description", "")))
        self.steps.set_values({"steps": data.get("steps", 100)})
        self.surface.set_table(data.get("surface") or {"name": "quadratic"})
        self.starts.set_table(data.get("particles") or {"points": [[-4.0, 3.5]]})
        noise = dict(data.get("noise") or {})
        self.noise.set_values(noise)
        self.noise_section.set_expanded(bool(noise.get("sigma")))
        for card in self.cards:
            card.hide()
            card.deleteLater()
        self.cards = []
        known = ("title", "description", "steps", "surface", "particles", "noise", "runs")
        self._extra = {k: v for k, v in data.items() if k not in known}
        runs = list(data.get("runs") or [])
        for table in runs:
            self._add_card(table).set_expanded(len(runs) <= 2)
        self.clear_errors()

    def data(self) -> dict[str, Any]:
        """The run file's structure as written in the widgets (not yet validated)."""
        result: dict[str, Any] = {}
        if self.title.text():
            result["title"] = self.title.text()
        if self.description.toPlainText().strip():
            result["description"] = self.description.toPlainText().strip()
        result.update(self.steps.values())
        result["surface"] = self.surface.table()
        result["particles"] = self.starts.table()
        noise = self.noise.values()
        if noise:
            result["noise"] = noise
        result["runs"] = [card.table() for card in self.cards]
        result.update(self._extra)
        return result

    def set_run_schedule(self, index: int, table: Mapping[str, Any]) -> bool:
        """Give run ``index`` the schedule ``table``, as an edit (``state_changed``).

        Returns False (nothing changed) when that run no longer exists."""
        if not 0 <= index < len(self.cards):
            return False
        self.cards[index].set_schedule(table)
        return True

    def add_start_point(self, x: float, y: float) -> None:
        self.starts.add_point(x, y)

    # ------------------------------------------------------------------ errors

    def show_error(self, error: ConfigError) -> None:
        """Put ``error`` at the field its path names and scroll there."""
        self.clear_errors()
        path, problem = error.field, error.problem
        name, index, rest = split_path(path)
        target: QWidget | None = None
        if name == "steps":
            self.steps.show_error("steps", problem)
            target = self.steps
        elif name == "surface":
            self.surface.show_error(rest, problem)
            target = self.surface
        elif name == "particles":
            self.starts.show_error(rest, problem)
            target = self.starts
        elif name == "noise" and rest and self.noise.show_error(rest, problem):
            self.noise_section.set_expanded(True)
            target = self.noise
        elif name == "runs" and index:
            run = int(index[1:].split("]")[0])
            if run < len(self.cards):
                target = self.cards[run].show_error(rest, problem)
        elif name == "runs":
            self.runs_error.show_error(problem)
            target = self.runs_error
        elif name == "description":
            self.description_box.show_error(problem)
            target = self.description_box
        self.general_error.setText(f"Not run: {error}")
        self.general_error.show()
        flagged = [box for box in self.widget().findChildren(FieldBox) if box.has_error]
        target = flagged[0] if flagged else target
        if target is not None:  # once the layout has placed what was just expanded
            QTimer.singleShot(0, lambda: self.ensureWidgetVisible(target, 20, 60))

    def clear_errors(self) -> None:
        self.general_error.hide()
        self.description_box.clear_error()
        self.runs_error.clear_error()
        self.steps.clear_errors()
        self.surface.clear_errors()
        self.starts.clear_errors()
        self.noise.clear_errors()
        for card in self.cards:
            card.clear_errors()
