"""The window's theme (View > Dark background), remembered apart for normal and
presentation mode: a lecturer who projects dark and edits light gets both back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Signal

from lrsim.gui.theme import apply_theme

SETTING_DARK = "dark_theme"
SETTING_PRESENTATION_DARK = "presentation_dark_theme"


class WindowTheme(QObject):
    """Dark or light; ``changed(dark)`` after every switch (tool windows and the menu follow).

    ``paint(dark)`` recolours what the window shows (views and side panels).
    """

    changed = Signal(bool)

    def __init__(self, settings: QSettings, paint: Callable[[bool], None], parent=None):
        super().__init__(parent)
        self.settings = settings
        self._paint = paint
        self.dark = False
        self.presenting = False  # set by presentation mode: which choice to remember

    def presentation_dark(self) -> bool:
        """The theme presentation mode starts in: dark unless the lecturer chose light."""
        return self.settings.value(SETTING_PRESENTATION_DARK, True, type=bool)

    def restore(self) -> None:
        """The theme the last session chose for normal mode."""
        self.set_dark(self.settings.value(SETTING_DARK, False, type=bool))

    def set_dark(self, dark: bool) -> None:
        """Switch and remember the choice for normal or presentation mode."""
        key = SETTING_PRESENTATION_DARK if self.presenting else SETTING_DARK
        self.settings.setValue(key, bool(dark))
        self.apply(dark)

    def toggle(self) -> None:
        self.set_dark(not self.dark)

    def apply(self, dark: bool) -> None:
        """Dark or light everywhere, without remembering it (presentation mode's own)."""
        self.dark = bool(dark)
        apply_theme(dark)
        self._paint(self.dark)
        self.changed.emit(self.dark)
