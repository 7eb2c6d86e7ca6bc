"""The overlay's legend: one chip per run (colour and label); click a chip to hide that run.

Chips wrap onto more lines when they do not fit (``FlowLayout``), so seven runs
with long labels never widen the window.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import QLayout, QSizePolicy, QToolButton, QWidget, QWidgetItem


def swatch(color: str, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class FlowLayout(QLayout):
    """Lays widgets out left to right, starting a new line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8):
        super().__init__(parent)
        self._items: list[QWidgetItem] = []
        self._spacing = spacing

    def addItem(self, item) -> None:  # Qt override
        self._items.append(item)

    def count(self) -> int:  # Qt override
        return len(self._items)

    def itemAt(self, index: int):  # Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # Qt override
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # Qt override
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + self._spacing
                line_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class LegendBar(QWidget):
    """Emits ``visible_runs_changed(list | None)``: None when every run is shown."""

    visible_runs_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self._layout.setContentsMargins(6, 3, 6, 3)
        self._chips: list[QToolButton] = []
        self._font_scale = 1.0
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_runs(self, runs) -> None:
        """One chip per run (objects with .label and .color); all visible."""
        for chip in self._chips:
            self._layout.removeWidget(chip)
            chip.hide()  # gone at once, not when the event loop deletes it
            chip.deleteLater()
        self._chips = []
        for run in runs:
            chip = QToolButton(self)
            chip.setText(run.label)
            chip.setIcon(swatch(run.color))
            chip.setCheckable(True)
            chip.setChecked(True)
            chip.setAutoRaise(True)
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            chip.setToolTip(f"Show or hide “{run.label}” in the views")
            self._style_chip(chip)
            chip.toggled.connect(self._on_chip_toggled)
            self._layout.addWidget(chip)
            self._chips.append(chip)
        self.updateGeometry()

    def set_font_scale(self, scale: float) -> None:
        """Chips ``scale`` times as big as the application's font (presentation mode)."""
        self._font_scale = float(scale)
        for chip in self._chips:
            self._style_chip(chip)
        self.updateGeometry()

    def _style_chip(self, chip: QToolButton) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * self._font_scale)
        font.setBold(True)
        font.setStrikeOut(not chip.isChecked())
        chip.setFont(font)
        side = round(16 * self._font_scale)
        chip.setIconSize(QSize(side, side))

    def visible_runs(self) -> list[int] | None:
        shown = [i for i, chip in enumerate(self._chips) if chip.isChecked()]
        return None if len(shown) == len(self._chips) else shown

    def _on_chip_toggled(self, _on: bool) -> None:
        for chip in self._chips:
            self._style_chip(chip)
        self.visible_runs_changed.emit(self.visible_runs())
