"""The status bar's progress bar and Cancel button, shared by simulation and export."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget


class ProgressStatus(QWidget):
    """Shown while some long work runs; ``begin`` / ``end`` with an owner token."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setMinimumWidth(220)
        self.button = QPushButton("Cancel", self)
        self.button.setToolTip("Stop it; what is done stays viewable, nothing half-written is kept")
        self.button.clicked.connect(self._on_cancel_clicked)
        layout.addWidget(self.bar)
        layout.addWidget(self.button)
        self._owner: object | None = None
        self._cancel: Callable[[], None] | None = None
        self.hide()

    @property
    def active(self) -> bool:
        return self._owner is not None

    def begin(self, owner: object, label: str, cancel: Callable[[], None]) -> None:
        self._owner, self._cancel = owner, cancel
        self.bar.setFormat(f"{label} %p%")
        self.bar.setValue(0)
        self.show()

    def set_fraction(self, fraction: float) -> None:
        self.bar.setValue(int(1000 * min(1.0, max(0.0, fraction))))

    def end(self, owner: object) -> None:
        if owner is self._owner:
            self._owner = self._cancel = None
            self.hide()

    def _on_cancel_clicked(self) -> None:
        if self._cancel is not None:
            self._cancel()
