"""The overlay's legend: one chip per run (colour and label); click a chip to hide that run."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget


def swatch(color: str, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class LegendBar(QWidget):
    """Emits ``visible_runs_changed(list | None)``: None when every run is shown."""

    visible_runs_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)
        self._layout.setSpacing(10)
        self._chips: list[QToolButton] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._title = QLabel(self)
        self._layout.addWidget(self._title)
        self._layout.addStretch(1)

    def set_runs(self, runs, title: str = "") -> None:
        """One chip per run (objects with .label and .color); all visible."""
        for chip in self._chips:
            chip.deleteLater()
        self._chips = []
        self._title.setText(f"<b>{title}</b>" if title else "")
        self._title.setVisible(bool(title))
        for index, run in enumerate(runs):
            chip = QToolButton(self)
            chip.setText(run.label)
            chip.setIcon(swatch(run.color))
            chip.setCheckable(True)
            chip.setChecked(True)
            chip.setAutoRaise(True)
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            chip.setToolTip(f"Show or hide “{run.label}” in the views")
            font = chip.font()
            font.setBold(True)
            chip.setFont(font)
            chip.toggled.connect(self._on_chip_toggled)
            self._layout.insertWidget(index + 1, chip)
            self._chips.append(chip)

    def visible_runs(self) -> list[int] | None:
        shown = [i for i, chip in enumerate(self._chips) if chip.isChecked()]
        return None if len(shown) == len(self._chips) else shown

    def _on_chip_toggled(self, _on: bool) -> None:
        for chip in self._chips:
            font = chip.font()
            font.setStrikeOut(not chip.isChecked())
            chip.setFont(font)
        self.visible_runs_changed.emit(self.visible_runs())
