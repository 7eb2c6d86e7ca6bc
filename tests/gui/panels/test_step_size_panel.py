"""The effective-step panel and the averaged points beside Schedule-Free / ASGD particles."""

from __future__ import annotations

import numpy as np
from gui_fixtures import dialogs_fixture, settings_fixture  # noqa: F401
from gui_helpers import make_window, write_runfile

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile
from lrsim.gui.panels.step_size_panel import StepSizePanel

RUNFILE = """
title = "inner state"
steps = 40
[surface]
name = "booth"
[particles]
points = [[-7.0, 6.0], [6.0, -5.0]]
[[runs]]
label = "schedule-free"
color = "#d62728"
optimizer = { name = "schedulefree_sgd", lr = 0.02 }
[[runs]]
label = "asgd"
color = "#1f77b4"
optimizer = { name = "asgd", lr = 0.02, t0 = 5 }
[[runs]]
label = "prodigy"
color = "#2ca02c"
optimizer = { name = "prodigy", d0 = 0.01 }
"""


def test_panel_draws_one_curve_per_run_and_names_the_quantity(qtbot):
    sim = Simulation(parse_runfile({
        "steps": 20, "surface": {"name": "booth"}, "particles": {"points": [[1.0, -2.0]]},
        "runs": [{"optimizer": {"name": "adam", "lr": 0.1}}, {"optimizer": {"name": "sgd"}}],
    }))  # fmt: skip
    sim.run_to_end()
    panel = StepSizePanel()
    qtbot.addWidget(panel)
    panel.set_scene(sim)
    assert panel.note.text() == "Computing…"
    with qtbot.waitSignal(panel.inner_ready, timeout=60_000):
        pass
    assert len(panel._curves) == 2
    assert "lr / (sqrt(v_hat) + eps)" in panel.note.text() and "scheduled lr" in panel.note.text()
    assert panel.averaged(0) is None
    panel.set_step(7)
    assert panel.cursor.value() == 7


def test_window_shows_effective_steps_and_averaged_points(qtbot, tmp_path, settings, dialogs):
    path = write_runfile(tmp_path / "inner.toml", RUNFILE)
    window = make_window(qtbot, settings, path)
    try:
        assert window.step_size_dock.isHidden()  # View > Effective step shows it
        action = window.step_size_dock.toggleViewAction()
        menus = {a.text(): a.menu() for a in window.menuBar().actions()}
        assert action in menus["&View"].actions()
        action.trigger()
        assert window.step_size_dock.isVisible()
        window.step_size_dock.raise_()
        panel = window.step_size_panel
        qtbot.waitUntil(lambda: panel.inner is not None, timeout=60_000)
        assert len(panel._curves) == 3
        window.playback.set_column(20)
        window._on_step_changed(20)
        overlay = window.averaged_overlay
        assert set(overlay._items) == {0, 1}  # Schedule-Free and ASGD; not Prodigy
        points, lines = overlay._items[0]
        xs, ys = points.getData()
        assert len(xs) == 2 and np.isfinite(xs).all()
        sim = window.controller.simulation
        # the averaged point is not the particle (the average lags), and a line joins them
        assert not np.allclose(xs, sim.runs[0].x[:, 20])
        assert len(lines.getData()[0]) == 4
    finally:
        window.document.dirty = False
        window.close()
