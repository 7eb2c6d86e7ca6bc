"""Open, save, presets, the unsaved-changes question, QSettings, CSV and PNG export."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from gui_helpers import PRESET, make_window
from PySide6.QtWidgets import QFileDialog, QMessageBox

from lrsim.cli import main as cli_main
from lrsim.core.runfile import load_runfile

Button = QMessageBox.StandardButton


def _save_to(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def test_export_csv_from_the_menu_is_byte_identical_to_the_cli(
    window,
    monkeypatch,
    tmp_path,
):
    app_csv, cli_csv = tmp_path / "app.csv", tmp_path / "cli.csv"
    _save_to(monkeypatch, app_csv)
    window.playback.set_column(17)  # what is shown does not change what is exported
    window.actions_.export_csv.trigger()
    assert cli_main(["export", str(PRESET), "-o", str(cli_csv), "-q"]) == 0
    assert app_csv.read_bytes() == cli_csv.read_bytes()
    assert app_csv.read_bytes().startswith(b"run,label,particle,step,x,y,loss,lr,momentum\n")


def test_export_csv_after_an_edit_matches_the_cli_on_the_saved_file(
    window,
    monkeypatch,
    tmp_path,
):
    window.editor.cards[1].optimizer.form.field_widget("lr").setText("0.3")
    window.apply_editor()
    saved = tmp_path / "edited.toml"
    _save_to(monkeypatch, saved)
    assert window.actions_.save.trigger() is None and saved.exists()
    _save_to(monkeypatch, tmp_path / "app.csv")
    window.actions_.export_csv.trigger()
    assert cli_main(["export", str(saved), "-o", str(tmp_path / "cli.csv"), "-q"]) == 0
    assert (tmp_path / "app.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()


def test_png_of_the_view_and_of_the_window(window, monkeypatch, tmp_path):
    for action, name in ((window.actions_.export_view_png, "view.png"),
                         (window.actions_.export_window_png, "window.png")):  # fmt: skip
        _save_to(monkeypatch, tmp_path / name)
        action.trigger()
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_as_writes_a_run_file_that_loads_back(window, monkeypatch, tmp_path):
    window.editor.title.setText("my lecture")
    assert window.document.dirty
    target = tmp_path / "lecture"  # no suffix: .toml is added
    _save_to(monkeypatch, target)
    window.actions_.save.trigger()  # a preset is never overwritten: Save asks where
    saved = target.with_suffix(".toml")
    assert load_runfile(saved).title == "my lecture"
    assert load_runfile(saved).runs == load_runfile(PRESET).runs
    assert not window.document.dirty
    assert window.document.path == saved
    assert "lecture.toml" in window.windowTitle()


def test_close_with_unsaved_changes_asks(window, dialogs, monkeypatch, tmp_path):
    window.editor.title.setText("edited")
    dialogs.answer = Button.Cancel
    window.close()
    assert dialogs.questions and window.isVisible()  # cancelled: still open
    dialogs.answer = Button.Save
    _save_to(monkeypatch, tmp_path / "kept.toml")
    window.close()
    assert not window.isVisible()
    assert load_runfile(tmp_path / "kept.toml").title == "edited"


def test_close_discarding_changes(window, dialogs):
    window.editor.cards[0].optimizer.form.field_widget("lr").setText("1.5")
    dialogs.answer = Button.Discard
    window.close()
    assert len(dialogs.questions) == 1 and not window.isVisible()


def test_close_without_changes_does_not_ask(window, dialogs):
    window.close()
    assert not dialogs.questions and not window.isVisible()


def test_opening_another_file_asks_first(window, dialogs, monkeypatch, tmp_path):
    window.editor.title.setText("edited")
    dialogs.answer = Button.Cancel
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(PRESET), ""))
    window.actions_.open.trigger()
    assert dialogs.questions and window.editor.title.text() == "edited"


def test_presets_menu_lists_the_presets_and_opens_them(window, dialogs):
    paths = [Path(action.data()) for action in window.actions_.presets]
    assert PRESET in paths
    window.editor.title.setText("edited")
    dialogs.answer = Button.Discard
    window.actions_.presets[paths.index(PRESET)].trigger()
    assert window.editor.title.text() == load_runfile(PRESET).title
    assert not window.document.dirty


def test_a_bad_file_is_refused_with_its_field(window, dialogs, monkeypatch, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(PRESET.read_text().replace("total_iters = 6", "total_iters = -3"))
    before = window.controller.simulation
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    window.actions_.open.trigger()
    assert "runs[2].schedule.total_iters" in dialogs.warnings[-1]
    assert window.controller.simulation is before


@pytest.mark.parametrize("kind", ["last file", "missing last file"])
def test_later_starts_reopen_the_last_file(qtbot, settings, dialogs, tmp_path, kind):
    last = tmp_path / "last.toml"
    last.write_text(PRESET.read_text().replace('title = "', 'title = "LAST '))
    settings.setValue("last_file", str(last if kind == "last file" else tmp_path / "gone.toml"))
    window = make_window(qtbot, settings)
    expected = "LAST " if kind == "last file" else ""
    assert window.editor.title.text().startswith(expected + "Fixed high")
    window.close()
