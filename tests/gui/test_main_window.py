"""The real window on the lecture preset: load, play, step, scrub, views, modes, statistics."""

from __future__ import annotations

from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from gui_helpers import PRESET
from PySide6.QtCore import Qt

STEPS = 50  # the preset's steps


def test_first_start_opens_the_lecture_preset(window, settings):
    sim = window.controller.simulation
    assert sim is not None and sim.finished and sim.n_runs == 3
    assert [run.color for run in sim.runs] == ["#d55e00", "#56b4e9", "#cc79a7"]
    assert "fixed-vs-decay" in window.windowTitle()
    assert settings.value("last_file") == str(PRESET)
    assert window.playback.column == 0
    assert window.playback.last_column == STEPS
    assert not window.document.dirty


def test_play_moves_views_panels_and_table_together(window, qtbot):
    window.playback.set_speed(60)
    window.actions_.play.trigger()
    assert window.playback.playing
    qtbot.waitUntil(lambda: window.playback.column >= 12, timeout=5000)
    window.actions_.play.trigger()
    assert not window.playback.playing
    step = window.playback.column
    assert window.lr_panel.cursors[0].value() == step
    assert window.loss_panel.cursor.value() == step
    assert window.playback_bar.slider.value() == step
    assert window.playback_bar.step_label.text() == f"step {step} / {STEPS}"
    qtbot.waitUntil(lambda: f"step {step}" in window.stats_panel.caption.text(), timeout=2000)


def test_playing_to_the_end_stops_there(window, qtbot):
    window.playback.set_speed(2000)
    window.playback.play()
    qtbot.waitUntil(lambda: not window.playback.playing, timeout=5000)
    assert window.playback.column == STEPS


def test_keys_step_and_jump(window, qtbot):
    window.view_area.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.playback.column == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.playback.column == 1
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.playback.column == STEPS
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert window.playback.column == 0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.playback.playing
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.playback.playing


def test_buttons_step_forward_and_back(window, qtbot):
    bar = window.playback_bar
    qtbot.mouseClick(bar.forward_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.forward_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.back_button, Qt.MouseButton.LeftButton)
    assert window.playback.column == 1
    qtbot.mouseClick(bar.end_button, Qt.MouseButton.LeftButton)
    assert window.playback.column == STEPS
    qtbot.mouseClick(bar.start_button, Qt.MouseButton.LeftButton)
    assert window.playback.column == 0


def test_scrubbing_updates_the_statistics_table(window):
    table = window.stats_panel
    window.playback_bar.slider.setValue(10)
    assert window.playback.column == 10
    table.refresh()
    # at step 10 only the decayed run has come within the tolerances (after 4 iterations)
    assert [table.cell_text(row, 1) for row in range(3)] == ["—", "—", "4"]
    assert [table.cell_text(row, 2) for row in range(3)] == ["—", "—", "4"]
    window.playback_bar.slider.setValue(STEPS)
    table.refresh()
    assert [table.cell_text(row, 1) for row in range(3)] == ["21", "—", "4"]
    assert [table.cell_text(row, 2) for row in range(3)] == ["27", "—", "4"]


def test_switching_views_and_modes_keeps_them_in_step(window):
    area = window.view_area
    window.playback.set_column(7)
    for kind in ("both", "3d", "flat"):
        window.actions_.view_kinds[kind].trigger()
        assert area.kind == kind
    window.actions_.layouts["multiples"].trigger()
    assert area.layout_mode == "multiples"
    assert area.view("multiples") is not None and area.flat.currentWidget() is area.view(
        "multiples"
    )
    window.playback.set_column(9)
    window.actions_.layouts["contour"].trigger()
    assert area.flat.currentWidget() is area.contour
    window.actions_.view_kinds["both"].trigger()
    assert len(area.active_views()) == 2
    window.actions_.log_scale.trigger()
    window.actions_.dark.trigger()
    window.actions_.dark.trigger()
    window.playback.set_column(12)
    assert window.playback.column == 12


def test_legend_hides_and_shows_runs(window):
    legend = window.view_area.legend
    assert len(legend._chips) == 3
    legend._chips[1].setChecked(False)
    assert legend.visible_runs() == [0, 2]
    assert window.view_area._visible == [0, 2]
    legend._chips[1].setChecked(True)
    assert legend.visible_runs() is None


def test_clicking_the_contour_view_adds_a_start(window):
    window.view_area.start_point_requested.emit(1.5, -2.0)
    window.apply_editor()
    sim = window.controller.simulation
    assert sim.n_particles == 2
    assert tuple(sim.starts[1]) == (1.5, -2.0)
    assert window.document.dirty


def test_keys_typed_into_the_editor_stay_there(window, qtbot):
    title = window.editor.title
    title.setFocus()
    title.setCursorPosition(0)
    qtbot.keyClick(title, Qt.Key.Key_Space)
    qtbot.keyClick(title, Qt.Key.Key_Right)
    qtbot.keyClick(title, Qt.Key.Key_End)
    assert title.text().startswith(" ")
    assert not window.playback.playing and window.playback.column == 0


def test_the_window_starts_with_focus_away_from_text_fields(window, qtbot):
    qtbot.waitUntil(lambda: window.focusWidget() is not None, timeout=2000)
    assert window.focusWidget() is window.view_area
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Right)
    assert window.playback.column == 1


def test_lr_range_test_sets_a_runs_schedule(window, qtbot):
    window.actions_.lr_range_test.trigger()
    dialog = window.tools.lr_range_dialog
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    dialog.apply("cyclic")
    assert window.editor.data()["runs"][0]["schedule"]["name"] == "cyclic"
    window.apply_editor()
    assert window.controller.simulation.runs[0].schedule == "cyclic"
    dialog.close()
