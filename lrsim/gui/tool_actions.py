"""The Tools menu: the LR range test, all schedules in one plot, memory and recording.

Each tool opens over ``parent`` on the run file the controller simulated; their
modules load on first use (the app starts without them).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QWidget

from lrsim.gui import simulation_settings
from lrsim.gui.edit_session import EditSession
from lrsim.gui.window_theme import WindowTheme


class ToolActions(QObject):
    """Opens the tools and keeps one of each; ``lr_range_dialog`` and ``schedules_window``
    are the open ones (None before first use)."""

    def __init__(
        self, parent: QWidget, session: EditSession, theme: WindowTheme, settings: QSettings
    ):
        super().__init__(parent)
        self.parent_widget = parent
        self.session = session
        self.controller = session.controller
        self.settings = settings
        self.lr_range_dialog = None
        self.schedules_window = None  # Tools > All schedules in one plot, made on first use
        theme.changed.connect(self._on_theme_changed)
        self.theme = theme
        simulation_settings.apply_saved(settings, self.controller)

    def open_lr_range_test(self) -> None:
        """The LR range test on the shown run file; its bounds can set a run's schedule."""
        from lrsim.gui.lr_find_dialog import LrFindDialog  # the dialog loads on first use

        runfile = self.controller.runfile
        if runfile is None:
            self.session.show_problem("LR range test: there is no valid run file to test yet")
            return
        self.close_lr_range_test()
        dialog = LrFindDialog(runfile, 0, self.parent_widget)
        dialog.apply_schedule.connect(self._on_lr_range_applied)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.lr_range_dialog = dialog

    def _on_lr_range_applied(self, index: int, table: dict) -> None:
        if not self.session.editor.set_run_schedule(index, table):
            self.session.show_problem(
                f"LR range test: run {index} no longer exists; nothing was changed"
            )

    def close_lr_range_test(self) -> None:
        """Close the LR range test (its bounds belong to the run file it tested)."""
        dialog = self.lr_range_dialog
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
        self.lr_range_dialog = None

    def open_all_schedules(self):
        """Tools > All schedules in one plot: the families' lr curves, for a lecture slide."""
        from lrsim.gui.schedules_window import SchedulesWindow  # loads on first use

        if self.schedules_window is None:
            self.schedules_window = SchedulesWindow(self.parent_widget)
            self.schedules_window.set_theme(self.theme.dark)
        self.schedules_window.show()
        self.schedules_window.raise_()
        self.schedules_window.activateWindow()
        return self.schedules_window

    def _on_theme_changed(self, dark: bool) -> None:
        if self.schedules_window is not None:
            self.schedules_window.set_theme(dark)

    def open_simulation_settings(self) -> None:
        """Tools > Memory and recording…"""
        simulation_settings.open_dialog(self.parent_widget, self.settings, self.controller)
