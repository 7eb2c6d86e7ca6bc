"""A chooser for a named table (optimizer or schedule): a picker plus the chosen one's fields.

``table()`` is ``{"name": ..., **parameters as written}``, the shape the run file
uses; switching to another name keeps the parameters both share (``lr``,
``gamma``...), the way a user expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QVBoxLayout, QWidget

from lrsim.gui.panels.param_form import FieldBox, ParamForm, muted, split_path


class NamedChooser(QWidget):
    """A combo of ``registry`` entries (spec.title, spec.doc) and a ParamForm of the chosen one."""

    state_changed = Signal()

    def __init__(
        self,
        registry: Mapping[str, Any],
        default_name: str,
        parent: QWidget | None = None,
        *,
        nested: bool = False,
    ):
        super().__init__(parent)
        self.registry = registry
        self.default_name = default_name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12 if nested else 0, 0, 0, 0)
        layout.setSpacing(4)
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(14)
        for name, spec in registry.items():
            same = spec.title.lower() == name.lower()
            self.combo.addItem(name if same else f"{name} — {spec.title}", name)
            self.combo.setItemData(
                self.combo.count() - 1, _doc_tooltip(spec), Qt.ItemDataRole.ToolTipRole
            )
        self.combo.currentIndexChanged.connect(self._on_name_changed)
        self.name_box = FieldBox(self.combo, self)
        layout.addWidget(self.name_box)
        self.doc = QLabel(self)
        self.doc.setWordWrap(True)
        muted(self.doc)
        layout.addWidget(self.doc)
        self.form_frame = QFrame(self)
        self.form_layout = QVBoxLayout(self.form_frame)
        self.form_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form_frame)
        self.form: ParamForm | None = None
        self.set_table({"name": default_name})

    @property
    def name(self) -> str:
        return self.combo.currentData()

    def _build_form(self, given: Mapping[str, Any]) -> None:
        spec = self.registry[self.name]
        if self.form is not None:
            self.form.hide()
            self.form.deleteLater()
        self.form = ParamForm(spec.params, given, self.form_frame)
        self.form.state_changed.connect(self.state_changed)
        self.form_layout.addWidget(self.form)
        self.form_frame.setVisible(bool(spec.params))
        self.doc.setText(spec.doc)
        self.combo.setToolTip(_doc_tooltip(spec))

    def _on_name_changed(self, _index: int) -> None:
        kept = self.form.values() if self.form is not None else {}
        names = {p.name for p in self.registry[self.name].params}
        self.name_box.clear_error()
        self._build_form({k: v for k, v in kept.items() if k in names})
        self.state_changed.emit()

    def set_table(self, table: Mapping[str, Any]) -> None:
        """Show ``table`` ({"name": ..., **params}); emits nothing."""
        name = table.get("name", self.default_name)
        index = self.combo.findData(name)
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(0, index))
        self._build_form({k: v for k, v in table.items() if k != "name"})
        self.name_box.clear_error()

    def table(self) -> dict[str, Any]:
        assert self.form is not None
        return {"name": self.name, **self.form.values()}

    def show_error(self, path: str, problem: str) -> bool:
        assert self.form is not None
        name, _index, _rest = split_path(path)
        if not path or name == "name" or not self.form.show_error(path, problem):
            self.name_box.show_error(f"{path}: {problem}" if path and name != "name" else problem)
        return True

    def clear_errors(self) -> None:
        self.name_box.clear_error()
        if self.form is not None:
            self.form.clear_errors()


def _doc_tooltip(spec: Any) -> str:
    return f"<p><b>{spec.name}</b> &mdash; {spec.title}<br>{spec.doc}</p>"


def schedule_chooser(parent: QWidget | None = None, *, nested: bool = False) -> NamedChooser:
    from lrsim.core.schedules import SCHEDULES

    return NamedChooser(SCHEDULES, "constant", parent, nested=nested)


def optimizer_chooser(parent: QWidget | None = None) -> NamedChooser:
    from lrsim.core.optim.registry import OPTIMIZERS

    return NamedChooser(OPTIMIZERS, "sgd", parent)
