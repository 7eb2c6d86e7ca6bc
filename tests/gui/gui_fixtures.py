"""Fixtures of the app's GUI tests; a test module imports the ones it uses.

pytest registers each ``*_fixture`` function under its name (``window``,
``settings``, ``dialogs``).
"""

from __future__ import annotations

import pytest
from gui_helpers import make_window
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox


class DialogLog:
    """Stands in for QMessageBox's static dialogs: records them, answers ``answer``."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.warnings: list[str] = []
        self.answer = QMessageBox.StandardButton.Cancel

    def question(self, _parent, _title, text, *_args, **_kwargs):
        self.questions.append(text)
        return self.answer

    def warning(self, _parent, _title, text, *_args, **_kwargs):
        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok


@pytest.fixture(name="dialogs")
def dialogs_fixture(monkeypatch) -> DialogLog:
    """No modal dialog ever blocks a test: QMessageBox.question / warning are recorded."""
    log = DialogLog()
    monkeypatch.setattr(QMessageBox, "question", log.question)
    monkeypatch.setattr(QMessageBox, "warning", log.warning)
    return log


@pytest.fixture(name="settings")
def settings_fixture(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(name="window")
def window_fixture(qtbot, settings, dialogs):
    """The real MainWindow with the lecture preset loaded (first start: empty settings)."""
    win = make_window(qtbot, settings)
    yield win
    win.document.dirty = False  # teardown closes it; never ask
    win.close()
