"""An editor for a list of schedules (sequential's ``schedules``): one chooser per entry.

Each entry is a nested schedule chooser (the same picker and fields as the run's own
schedule) with a remove button; "Add schedule" appends a constant one. ``tables()``
is the list as the run file writes it; ``show_error("[1].T_max", ...)`` puts the
core's message under the field of entry 1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from lrsim.gui.panels.param_form import FieldBox

_ENTRY = re.compile(r"^\[(\d+)\](?:\.(.*))?$")


class ScheduleList(QWidget):
    """Schedules in order; ``state_changed`` on any edit, add or removal."""

    state_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.entries_layout = QVBoxLayout()
        self.entries_layout.setSpacing(6)
        layout.addLayout(self.entries_layout)
        self.add_button = QPushButton("Add schedule", self)
        self.add_button.setToolTip("Append a schedule; it takes over at the next milestone.")
        self.add_button.clicked.connect(self._on_add_clicked)
        layout.addWidget(self.add_button)
        self.error_box = FieldBox(QLabel(self), self)  # list-level errors ("at least one")
        layout.addWidget(self.error_box)
        self.choosers: list[Any] = []
        self._rows: list[QWidget] = []

    # ------------------------------------------------------------------ entries

    def _append(self, table: Mapping[str, Any]) -> None:
        from lrsim.gui.panels.named_chooser import schedule_chooser

        row = QWidget(self)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"{len(self.choosers) + 1}.", row)
        chooser = schedule_chooser(row, nested=True)
        chooser.set_table(table)
        chooser.state_changed.connect(self._on_entry_changed)
        remove = QToolButton(row)
        remove.setText("✕")
        remove.setToolTip("Remove this schedule")
        remove.clicked.connect(lambda _=False, chooser=chooser: self._remove(chooser))
        top = Qt.AlignmentFlag.AlignTop
        row_layout.addWidget(label, 0, top)
        row_layout.addWidget(chooser, 1)
        row_layout.addWidget(remove, 0, top)
        self.entries_layout.addWidget(row)
        self.choosers.append(chooser)
        self._rows.append(row)

    def _remove(self, chooser: Any) -> None:
        index = self.choosers.index(chooser)
        row = self._rows.pop(index)
        self.choosers.pop(index)
        row.hide()
        row.deleteLater()
        self._renumber()
        self.state_changed.emit()

    def _renumber(self) -> None:
        for index, row in enumerate(self._rows):
            label = row.layout().itemAt(0).widget()
            label.setText(f"{index + 1}.")

    def _on_add_clicked(self) -> None:
        self._append({"name": "constant"})
        self.state_changed.emit()

    def _on_entry_changed(self) -> None:
        self.error_box.clear_error()
        self.state_changed.emit()

    # ------------------------------------------------------------------ values

    def set_tables(self, tables: Sequence[Mapping[str, Any]]) -> None:
        """Show ``tables`` (one chooser each); emits nothing."""
        with QSignalBlocker(self):
            for row in self._rows:
                row.hide()
                row.deleteLater()
            self._rows, self.choosers = [], []
            for table in tables:
                self._append(table if isinstance(table, Mapping) else {"name": "constant"})
        self.clear_errors()

    def tables(self) -> list[dict[str, Any]]:
        return [chooser.table() for chooser in self.choosers]

    # ------------------------------------------------------------------ errors

    def show_error(self, path: str, problem: str) -> bool:
        """``path`` relative to the list: ``""``, ``"[1]"`` or ``"[1].T_max"``."""
        match = _ENTRY.match(path)
        if match is None or int(match.group(1)) >= len(self.choosers):
            self.error_box.show_error(f"{path}: {problem}" if path else problem)
            return True
        return self.choosers[int(match.group(1))].show_error(match.group(2) or "", problem)

    def clear_errors(self) -> None:
        self.error_box.clear_error()
        for chooser in self.choosers:
            chooser.clear_errors()
