"""Hundreds of animation frames: catches PySide6 6.12's none_dealloc crash under animation."""

from __future__ import annotations

from gui_fixtures import dialogs_fixture, settings_fixture  # noqa: F401
from gui_helpers import LONG_RUN, make_window, write_runfile


def test_hundreds_of_frames_in_every_view(qtbot, settings, dialogs, tmp_path):
    path = write_runfile(tmp_path / "long.toml", LONG_RUN.format(steps=400, n=16))
    window = make_window(qtbot, settings, path)
    window.resize(900, 600)  # frames cost what their pixels cost; the count is what matters
    frames = []
    window.playback.step_changed.connect(frames.append)
    window.playback.min_interval_ms = 1
    window.playback.set_every_step(True)  # one step per frame, however long a frame takes
    window.playback.set_speed(1000)
    window.playback.play()
    qtbot.waitUntil(lambda: not window.playback.playing, timeout=30_000)
    assert frames == list(range(1, 401))
    for switch in (window.actions_.view_kinds["both"], window.actions_.layouts["multiples"]):
        switch.trigger()
        window.playback.play()  # from the start again
        qtbot.waitUntil(lambda: window.playback.column >= 40, timeout=10_000)
        window.playback.pause()
    window.close()
