"""The surface section of the editor: a built-in (with its parameters) or a formula, and a domain.

``table()`` is the run file's ``[surface]`` table as written; domain fields left
empty take the surface's own domain (shown greyed), an empty turn is no turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.surfaces import SURFACES
from lrsim.gui.panels.param_form import (
    FieldBox,
    ParamForm,
    format_value,
    muted,
    parse_number,
    split_path,
)

FORMULA = "__formula__"
FORMULA_DOMAIN = ((-5.0, 5.0), (-5.0, 5.0))


def _parse_params(text: str) -> dict[str, Any]:
    """``"a = 1, b = 100"`` as a dict (a part that is not ``name = value`` is kept as text)."""
    params: dict[str, Any] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        params[name.strip()] = parse_number(value) if value.strip() else part.strip()
    return params


class SurfaceForm(QWidget):
    """Surface picker, its parameters and the domain."""

    state_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        for name, surface in SURFACES.items():
            self.combo.addItem(surface.title, name)
            self.combo.setItemData(
                self.combo.count() - 1, surface.description, Qt.ItemDataRole.ToolTipRole
            )
        self.combo.addItem("Formula in x and y…", FORMULA)
        self.combo.currentIndexChanged.connect(self._on_surface_changed)
        self.name_box = FieldBox(self.combo, self)
        layout.addWidget(self.name_box)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        muted(self.description)
        layout.addWidget(self.description)

        self.formula = QLineEdit(self)
        self.formula.setPlaceholderText("e.g. x**2 + 10*y**2")
        self.formula.textChanged.connect(self._on_text_changed)
        self.formula_params = QLineEdit(self)
        self.formula_params.setPlaceholderText("parameters, e.g. a = 1, b = 100")
        self.formula_params.textChanged.connect(self._on_text_changed)
        self.formula_box = FieldBox(self.formula, self)
        self.formula_params_box = FieldBox(self.formula_params, self)
        layout.addWidget(self.formula_box)
        layout.addWidget(self.formula_params_box)

        self.params_holder = QVBoxLayout()
        layout.addLayout(self.params_holder)
        self.params: ParamForm | None = None

        domain = QFormLayout()
        domain.setContentsMargins(0, 0, 0, 0)
        self.domain_edits: list[tuple[QLineEdit, QLineEdit]] = []
        self.domain_boxes: list[FieldBox] = []
        for axis in ("x", "y"):
            row = QWidget(self)
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            low, high = QLineEdit(row), QLineEdit(row)
            for edit in (low, high):
                edit.textChanged.connect(self._on_text_changed)
                edit.setToolTip(f"Range of {axis} shown and used for random or grid starts.")
            row_layout.addWidget(low)
            row_layout.addWidget(QLabel("to", row))
            row_layout.addWidget(high)
            box = FieldBox(row, self)
            self.domain_edits.append((low, high))
            self.domain_boxes.append(box)
            domain.addRow(f"{axis} range", box)
        self.rotate = QLineEdit(self)
        self.rotate.setPlaceholderText("0")
        self.rotate.setToolTip(
            "Turn the surface counter-clockwise about the origin by this many degrees "
            "(-360 to 360): f(R^-1 p). Minima and saddles turn with it; the ranges stay."
        )
        self.rotate.textChanged.connect(self._on_text_changed)
        self.rotate_box = FieldBox(self.rotate, self)
        domain.addRow("turn (degrees)", self.rotate_box)
        layout.addLayout(domain)
        self._params_given: dict[str, Any] = {}
        self.set_table({"name": "quadratic"})

    # ------------------------------------------------------------------ state

    @property
    def name(self) -> str:
        return self.combo.currentData()

    def default_domain(self):
        return FORMULA_DOMAIN if self.name == FORMULA else SURFACES[self.name].domain

    def _show_surface(self, params: Mapping[str, Any]) -> None:
        formula = self.name == FORMULA
        self.formula_box.setVisible(formula)
        self.formula_params_box.setVisible(formula)
        if self.params is not None:
            self.params.hide()
            self.params.deleteLater()
            self.params = None
        if formula:
            self.description.setText("f(x, y) from + - * / **, sin, cos, exp, log, sqrt, …")
            with QSignalBlocker(self.formula_params):
                self.formula_params.setText(
                    ", ".join(f"{k} = {format_value(v)}" for k, v in params.items())
                )
        else:
            surface = SURFACES[self.name]
            self.description.setText(surface.description)
            self.params = ParamForm(surface.params, params, self)
            self.params.state_changed.connect(self._on_text_changed)
            self.params_holder.addWidget(self.params)
        for (low, high), bounds in zip(self.domain_edits, self.default_domain(), strict=True):
            low.setPlaceholderText(format_value(float(bounds[0])))
            high.setPlaceholderText(format_value(float(bounds[1])))

    def _on_surface_changed(self, _index: int) -> None:
        self.clear_errors()
        for edit in (edit for pair in self.domain_edits for edit in pair):
            with QSignalBlocker(edit):
                edit.clear()  # the new surface's own domain (shown greyed)
        self._show_surface({})
        self.state_changed.emit()

    def _on_text_changed(self, *_args) -> None:
        self.clear_errors()
        self.state_changed.emit()

    def set_table(self, table: Mapping[str, Any]) -> None:
        """Show the ``[surface]`` table; emits nothing."""
        key = FORMULA if table.get("formula") is not None else table.get("name", "quadratic")
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(0, self.combo.findData(key)))
        with QSignalBlocker(self.formula):
            self.formula.setText(str(table.get("formula") or ""))
        self._show_surface(dict(table.get("params") or {}))
        domain = table.get("domain")
        for axis, (low, high) in enumerate(self.domain_edits):
            for end, edit in enumerate((low, high)):
                with QSignalBlocker(edit):
                    edit.setText(format_value(domain[axis][end]) if domain else "")
        with QSignalBlocker(self.rotate):
            rotate = table.get("rotate")
            self.rotate.setText("" if rotate is None else format_value(rotate))
        self.clear_errors()

    def table(self) -> dict[str, Any]:
        """The ``[surface]`` table as written."""
        result: dict[str, Any] = {}
        if self.name == FORMULA:
            result["formula"] = self.formula.text()
            params = _parse_params(self.formula_params.text())
        else:
            result["name"] = self.name
            params = self.params.values() if self.params is not None else {}
        if params:
            result["params"] = params
        texts = [[edit.text().strip() for edit in pair] for pair in self.domain_edits]
        if any(text for pair in texts for text in pair):
            default = self.default_domain()
            result["domain"] = [
                [
                    parse_number(text) if text else float(default[axis][end])
                    for end, text in enumerate(pair)
                ]
                for axis, pair in enumerate(texts)
            ]
        if self.rotate.text().strip():
            result["rotate"] = parse_number(self.rotate.text())
        return result

    # ------------------------------------------------------------------ errors

    def show_error(self, path: str, problem: str) -> bool:
        """``path`` is relative to ``surface`` (``params.b``, ``domain[1]``, ``formula``)."""
        name, index, rest = split_path(path)
        if name == "params" and rest and self.params is not None:
            if self.params.show_error(rest, problem):
                return True
        if name == "params" or (name == "formula" and self.name == FORMULA):
            box = self.formula_params_box if name == "params" else self.formula_box
            box.show_error(f"{rest}: {problem}" if rest else problem)
            return True
        if name == "domain":
            axis = 1 if index.startswith("[1]") else 0
            self.domain_boxes[axis].show_error(problem)
            return True
        if name == "rotate":
            self.rotate_box.show_error(problem)
            return True
        self.name_box.show_error(f"{path}: {problem}" if path and name != "name" else problem)
        return True

    def clear_errors(self) -> None:
        boxes = (self.name_box, self.formula_box, self.formula_params_box, self.rotate_box)
        for box in (*boxes, *self.domain_boxes):
            box.clear_error()
        if self.params is not None:
            self.params.clear_errors()
