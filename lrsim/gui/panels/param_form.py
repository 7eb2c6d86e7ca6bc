"""A form built from a ParamSpec table: one field per parameter, PyTorch's names and defaults.

Fields keep what the user wrote: an empty text field means "the default" (shown
greyed as the placeholder) and is left out of ``values()``, so a saved run file
stays as short as the user wrote it. Text is converted to numbers where it
parses and passed on as written where it does not, so the core's validation
(``parse_runfile``) names every bad value in one place; ``show_error`` puts its
message under the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.params import REQUIRED, RUN_STEPS, ParamSpec

ERROR_STYLE = "border: 2px solid #d62728; border-radius: 3px;"
_INDEX = re.compile(r"^(\w+)((?:\[\d+\])*)(?:\.(.*))?$")


def muted(label: QLabel) -> QLabel:
    """Grey secondary text that follows the palette (light or dark theme)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def format_value(value: Any) -> str:
    """A parameter value as the user would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item) for item in value)
    return str(value)


def parse_number(text: str) -> Any:
    """int or float when ``text`` is one, else the text itself (the core reports it)."""
    text = text.strip()
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_list(text: str) -> list[Any]:
    """``"30, 80"``, ``"[0.9, 0.999]"`` or ``"30 80"`` as a list of numbers."""
    items = re.split(r"[,;\s]+", text.strip().strip("[]()").strip())
    return [parse_number(item) for item in items if item]


def default_text(spec: ParamSpec) -> str:
    if spec.default is REQUIRED:
        return "required"
    if spec.default is RUN_STEPS:
        return "the run's steps"
    if spec.default is None:
        return "not set"
    if spec.kind == "schedule":
        return str(spec.default.get("name", ""))
    if spec.kind == "schedules" or spec.default == ():
        return "none"
    return format_value(spec.default)


def tooltip(spec: ParamSpec) -> str:
    choices = f"<br>Choices: {', '.join(spec.choices)}." if spec.choices else ""
    return (
        f"<p><b>{spec.name}</b> ({spec.kind}) &mdash; {spec.doc}<br>"
        f"Default: {default_text(spec)}.{choices}</p>"
    )


def split_path(path: str) -> tuple[str, str, str]:
    """``"betas[1]"`` -> ("betas", "[1]", ""); ``"then.T_max"`` -> ("then", "", "T_max")."""
    match = _INDEX.match(path)
    if match is None:
        return path, "", ""
    return match.group(1), match.group(2) or "", match.group(3) or ""


class FieldBox(QWidget):
    """A field widget with an error line under it (hidden until there is an error)."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.widget = widget
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        self.error_label = QLabel(self)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # keys from a file: no HTML
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d62728;")
        self.error_label.hide()
        layout.addWidget(self.error_label)

    def show_error(self, message: str) -> None:
        self.widget.setStyleSheet(ERROR_STYLE)
        self.error_label.setText(message)
        self.error_label.show()

    def clear_error(self) -> None:
        if not self.error_label.isHidden():
            self.widget.setStyleSheet("")
            self.error_label.hide()

    @property
    def has_error(self) -> bool:
        return not self.error_label.isHidden()


class ParamForm(QWidget):
    """Fields for ``specs``; ``values()`` gives the table as written, ``state_changed`` on edits."""

    state_changed = Signal()

    def __init__(
        self,
        specs: tuple[ParamSpec, ...],
        given: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.specs = {spec.name: spec for spec in specs}
        self._given: set[str] = set()
        self._boxes: dict[str, FieldBox] = {}
        self._nested: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in specs:
            label = QLabel(spec.name, self)
            label.setToolTip(tooltip(spec))
            box = FieldBox(self._make_widget(spec), self)
            box.widget.setToolTip(tooltip(spec))
            self._boxes[spec.name] = box
            if spec.kind in ("schedule", "schedules"):
                layout.addRow(label)
                layout.addRow(box)
            else:
                layout.addRow(label, box)
        self.set_values(given or {})

    # ------------------------------------------------------------------ widgets

    def _make_widget(self, spec: ParamSpec) -> QWidget:
        if spec.kind == "bool":
            widget = QCheckBox(self)
            widget.toggled.connect(lambda _on, name=spec.name: self._on_field_changed(name))
            return widget
        if spec.kind == "choice":
            widget = QComboBox(self)
            widget.addItems(list(spec.choices))
            widget.currentIndexChanged.connect(
                lambda _i, name=spec.name: self._on_field_changed(name)
            )
            return widget
        if spec.kind == "schedule":
            from lrsim.gui.panels.named_chooser import schedule_chooser

            widget = schedule_chooser(self, nested=True)
            widget.state_changed.connect(lambda name=spec.name: self._on_field_changed(name))
            self._nested[spec.name] = widget
            return widget
        if spec.kind == "schedules":
            from lrsim.gui.panels.schedule_list import ScheduleList

            widget = ScheduleList(self)
            widget.state_changed.connect(lambda name=spec.name: self._on_field_changed(name))
            self._nested[spec.name] = widget
            return widget
        widget = QLineEdit(self)
        widget.setPlaceholderText(default_text(spec))
        widget.setClearButtonEnabled(True)
        widget.textChanged.connect(lambda _text, name=spec.name: self._on_field_changed(name))
        return widget

    def _on_field_changed(self, name: str) -> None:
        self._given.add(name)
        self._boxes[name].clear_error()
        self.state_changed.emit()

    # ------------------------------------------------------------------ values

    def set_values(self, given: Mapping[str, Any]) -> None:
        """Show ``given`` (missing parameters show their default); emits nothing."""
        self._given = {name for name in given if name in self.specs}
        for name, spec in self.specs.items():
            widget = self._boxes[name].widget
            value = given.get(name, None)
            with QSignalBlocker(widget):
                if spec.kind == "bool":
                    widget.setChecked(bool(value if value is not None else spec.default))
                elif spec.kind == "choice":
                    shown = value if value is not None else spec.default
                    index = widget.findText(str(shown))
                    widget.setCurrentIndex(max(0, index))
                elif spec.kind == "schedule":
                    widget.set_table(value if isinstance(value, Mapping) else spec.default)
                elif spec.kind == "schedules":  # a new list starts with one constant entry
                    widget.set_tables(value if isinstance(value, list) else [{"name": "constant"}])
                else:
                    widget.setText("" if value is None else format_value(value))
        self.clear_errors()

    def _value(self, spec: ParamSpec) -> tuple[bool, Any]:
        """(present, value) of one field."""
        widget = self._boxes[spec.name].widget
        given = spec.name in self._given
        if spec.kind == "bool":
            value = widget.isChecked()
            return given or value != spec.default, value
        if spec.kind == "choice":
            value = widget.currentText()
            return given or value != spec.default, value
        if spec.kind == "schedule":
            value = widget.table()
            return given or value != spec.default, value
        if spec.kind == "schedules":
            return True, widget.tables()
        text = widget.text().strip()
        if not text:
            return False, None
        if spec.kind in ("floats", "ints", "pair"):
            return True, parse_list(text)
        return True, parse_number(text)

    def values(self) -> dict[str, Any]:
        """The parameters as written: defaults the user did not touch are left out."""
        result = {}
        for spec in self.specs.values():
            present, value = self._value(spec)
            if present:
                result[spec.name] = value
        return result

    # ------------------------------------------------------------------ errors

    def show_error(self, path: str, problem: str) -> bool:
        """Show ``problem`` at the field ``path`` names (``betas[1]``, ``then.T_max``)."""
        name, index, rest = split_path(path)
        if name not in self._boxes:
            return False
        if self.specs[name].kind == "schedules":
            return self._nested[name].show_error(index + (f".{rest}" if rest else ""), problem)
        if rest and name in self._nested:
            return self._nested[name].show_error(rest, problem)
        self._boxes[name].show_error(f"{index} {problem}".strip() if index else problem)
        return True

    def clear_errors(self) -> None:
        for box in self._boxes.values():
            box.clear_error()
        for nested in self._nested.values():
            nested.clear_errors()

    def field_widget(self, name: str) -> QWidget:
        """The input widget of parameter ``name`` (for tests and focus)."""
        return self._boxes[name].widget

    def error_text(self, name: str) -> str:
        box = self._boxes[name]
        return box.error_label.text() if box.has_error else ""
