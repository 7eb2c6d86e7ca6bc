"""Long simulations run off the GUI thread with progress and Cancel; the window stays live."""

from __future__ import annotations

from gui_fixtures import dialogs_fixture, settings_fixture  # noqa: F401
from gui_helpers import LONG_RUN, make_window, write_runfile
from PySide6.QtCore import Qt

from lrsim.core.runfile import load_runfile


def test_a_long_run_computes_in_the_background(qtbot, settings, dialogs, tmp_path):
    window = make_window(qtbot, settings)
    window.controller.sync_limit = 1000  # make the next load "long"
    path = write_runfile(tmp_path / "long.toml", LONG_RUN.format(steps=2000, n=1000))
    scenes = []
    window.controller.scene_changed.connect(scenes.append)
    window.controller.load(load_runfile(path))
    assert window.controller.busy
    assert window.progress.isVisible() or window.progress.active
    qtbot.waitUntil(
        lambda: not window.controller.busy, timeout=300_000
    )  # cold numba cache: compiling first
    sim = window.controller.simulation
    assert sim.finished and scenes[-1] is sim and len(scenes) == 2
    assert window.playback.last_column == len(sim.recorded_steps) - 1
    assert not window.progress.active
    window.close()


def test_cancel_keeps_what_was_computed(qtbot, settings, dialogs, tmp_path):
    window = make_window(qtbot, settings)
    window.controller.sync_limit = 1000
    window.controller.memory_budget = 50_000_000  # records every k-th step: little memory
    path = write_runfile(tmp_path / "huge.toml", LONG_RUN.format(steps=100_000, n=2000))
    window.controller.load(load_runfile(path))

    def started():  # the new simulation is shown and has computed something
        sim = window.controller.simulation
        return sim.steps == 100_000 and sim.current_step > 0

    qtbot.waitUntil(started, timeout=300_000)  # cold numba cache: compiling first
    qtbot.mouseClick(window.progress.button, Qt.MouseButton.LeftButton)
    assert not window.controller.busy
    sim = window.controller.simulation
    assert 0 < sim.current_step < sim.steps
    assert window.playback.last_column == sim.recorded_upto() - 1
    window.playback.to_end()
    assert window.playback.column == sim.recorded_upto() - 1
    window.close()
