"""One schedule family's row in Tools > All schedules in one plot: a check box in
the curve's colour and line style, its parameters behind a toggle, and a one-line
summary; its parameters follow the window's common lr and steps until edited."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.core.schedule_families import Family, format_value
from lrsim.core.schedules import SCHEDULES
from lrsim.gui.panels.param_form import ParamForm, muted
from lrsim.gui.schedule_figure import DASHES

ICON_SIZE = (28, 14)


def line_icon(family: Family) -> QIcon:
    """A short stroke of the family's colour and dash, for its check box."""
    size = QSize(*ICON_SIZE)
    pixmap = QPixmap(size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(family.color), 3.0, DASHES[family.dash])
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.drawLine(1, size.height() // 2, size.width() - 1, size.height() // 2)
    painter.end()
    return QIcon(pixmap)


class FamilyRow(QFrame):
    """A family's check box, its parameters (folded away) and its error, if any."""

    changed = Signal()

    def __init__(self, family: Family, steps: int, lr: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.family = family
        self._defaults = family.defaults(steps, lr)  # what the fields were last given
        spec = SCHEDULES[family.schedule]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(2)
        self.check = QCheckBox(family.label, self)
        self.check.setIcon(line_icon(family))
        self.check.setIconSize(QSize(*ICON_SIZE))
        self.check.setChecked(family.shown)
        self.check.setToolTip(f"<b>{spec.title}</b><p>{spec.doc}</p>")
        self.check.toggled.connect(lambda _on: self.changed.emit())
        self.fold = QToolButton(self)
        self.fold.setAutoRaise(True)
        self.fold.setCheckable(True)
        self.fold.setArrowType(Qt.ArrowType.RightArrow)
        self.fold.setToolTip("Show this family's parameters")
        self.fold.toggled.connect(self._on_fold_toggled)
        top.addWidget(self.fold)
        top.addWidget(self.check, 1)
        layout.addLayout(top)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setContentsMargins(30, 0, 0, 0)
        muted(self.summary)
        layout.addWidget(self.summary)
        self.form = ParamForm(spec.params, family.defaults(steps, lr), self)
        self.form.setContentsMargins(30, 0, 0, 6)
        self.form.state_changed.connect(self._on_form_changed)
        self.form.hide()
        layout.addWidget(self.form)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d62728;")
        self.error_label.setContentsMargins(30, 0, 0, 0)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self._update_summary()

    @property
    def checked(self) -> bool:
        return self.check.isChecked()

    def params(self) -> dict:
        return self.form.values()

    def follow(self, steps: int, lr: float, *, reset: bool = False) -> None:
        """The family's defaults for ``steps`` and ``lr`` in every field the user has not
        changed (``reset``: in every field)."""
        defaults = self.family.defaults(steps, lr)
        values = dict(defaults)
        if not reset:
            edited = {
                name: value
                for name, value in self.params().items()
                if name not in self._defaults or self._defaults[name] != value
            }
            values.update(edited)
        self._defaults = defaults
        self.form.set_values(values)
        self._update_summary()

    def show_error(self, error: ConfigError) -> None:
        field = error.field.split(".", 1)[0] if error.field else ""
        if field and self.form.show_error(error.field, error.problem):
            self.fold.setChecked(True)
        self.error_label.setText(f"Not drawn: {error}")
        self.error_label.show()

    def clear_error(self) -> None:
        self.error_label.hide()

    def _on_fold_toggled(self, shown: bool) -> None:
        self.fold.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.form.setVisible(shown)
        self.summary.setVisible(not shown)

    def _on_form_changed(self) -> None:
        self._update_summary()
        self.changed.emit()

    def _update_summary(self) -> None:
        params = {
            name: value
            for name, value in self.params().items()
            if not (name in self.family.implied and self.family.implied[name] == value)
        }
        text = ", ".join(f"{name}={format_value(value)}" for name, value in params.items())
        self.summary.setText(text)
        self.summary.setVisible(bool(text) and not self.fold.isChecked())
