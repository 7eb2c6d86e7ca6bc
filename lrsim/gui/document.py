"""The open run file: where it lives, what was last saved, and whether the editor differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal


class RunDocument(QObject):
    """Tracks path and unsaved edits; emits ``state_changed`` when either changes."""

    state_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.path: Path | None = None  # where Save writes (None: ask)
        self.source: Path | None = None  # the file it came from (a preset, too)
        self._baseline: dict[str, Any] = {}
        self.dirty = False

    @property
    def display_name(self) -> str:
        shown = self.path or self.source
        return shown.name if shown is not None else "untitled"

    def reset(self, data: dict[str, Any], source: Path | None, *, writable: bool) -> None:
        """A freshly opened run file (``writable``: Save may overwrite ``source``)."""
        self.source = source
        self.path = source if writable else None
        self._baseline = data
        self.dirty = False
        self.state_changed.emit()

    def saved(self, data: dict[str, Any], path: Path) -> None:
        self.path = self.source = path
        self._baseline = data
        self.dirty = False
        self.state_changed.emit()

    def update(self, data: dict[str, Any]) -> None:
        """Compare the editor's ``data`` with what was last opened or saved."""
        dirty = data != self._baseline
        if dirty != self.dirty:
            self.dirty = dirty
            self.state_changed.emit()
