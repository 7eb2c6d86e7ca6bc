"""One edit, one serialisation: the run editor's data is read once per keystroke, and the
typing pause, the document, the explanation and the simulation all use that one copy."""

from __future__ import annotations

import pytest
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from PySide6.QtCore import Qt

from lrsim.core.runfile import parse_runfile
from lrsim.gui.panels.run_editor import RunEditor


@pytest.fixture(name="reads")
def reads_fixture(monkeypatch) -> list[int]:
    """Counts every ``RunEditor.data()`` call (each one serialises every widget)."""
    calls: list[int] = []
    original = RunEditor.data

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(RunEditor, "data", counting)
    return calls


def _fields(window):
    card = window.editor.cards[0]
    card.set_expanded(True)
    return {
        "title": window.editor.title,
        "steps": window.editor.steps.field_widget("steps"),
        "lr": card.optimizer.form.field_widget("lr"),
    }


@pytest.mark.parametrize("name", ["title", "steps", "lr"])
def test_a_keystroke_serialises_the_editor_once(window, qtbot, reads, name):
    field = _fields(window)[name]
    emitted = []
    window.editor.state_changed.connect(emitted.append)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_End)
    reads.clear()
    qtbot.keyClick(field, Qt.Key.Key_5)
    assert len(emitted) == 1 and len(reads) == 1  # one edit, one serialisation, one signal
    assert emitted[0] == window.editor.data()
    reads.clear()
    window.session.timer.timeout.emit()  # the typing pause ends: validate and simulate
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20_000)
    assert reads == []  # the pause, the document and the explanation used the emitted data
    assert window.document.dirty


def test_the_simulated_run_file_is_the_emitted_one(window, qtbot):
    field = _fields(window)["lr"]
    field.setText("0.05")
    window.session.timer.timeout.emit()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20_000)
    assert window.controller.runfile == parse_runfile(window.editor.data())
    assert window.controller.simulation.runfile == window.controller.runfile
