"""A held drag or slide recomputes its scene in place after the first move: no new build,
the numbers of a fresh build bit for bit, a new object for the views, and never a scene
an export or panel keeps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_fixtures import dialogs_fixture, settings_fixture  # noqa: F401
from gui_helpers import make_window

from lrsim.core.engine import Simulation
from lrsim.gui import live_recompute

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"


@pytest.fixture(name="builds")
def builds_fixture(monkeypatch):
    """Every Simulation the live edits build, in order."""
    built = []

    class Counted(Simulation):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(live_recompute, "Simulation", Counted)
    return built


@pytest.fixture(name="ridge")
def ridge_fixture(qtbot, settings, dialogs):
    win = make_window(qtbot, settings, PRESETS / "drag-start-across-ridge.toml")
    win.editor.starts.set_table({"random": {"n": 30, "seed": 3}})
    assert win.live_edit.apply()
    yield win
    win.document.dirty = False
    win.close()


def assert_as_built_fresh(window) -> None:
    """The scene shown equals a new Simulation of the controller's run file, bit for bit."""
    shown = window.controller.simulation
    fresh = Simulation(window.controller.runfile, stride=window.controller.stride)
    fresh.run_to_end()
    for mine, theirs in zip(shown.runs, fresh.runs, strict=True):
        for column in ("x", "y", "loss", "lr", "frozen_at"):
            np.testing.assert_array_equal(getattr(mine, column), getattr(theirs, column))


def hold_swarm_moves(window, shifts) -> list:
    """Press on the swarm's centre and move it by each shift; the scenes shown."""
    live = window.live_edit
    sim = window.controller.simulation
    cx, cy = sim.runs[0].x[:, 0].mean(), sim.runs[0].y[:, 0].mean()
    live._on_drag_pressed(-1, cx, cy)
    shown = []
    for dx, dy in shifts:
        live._on_drag_moved(cx + dx, cy + dy)
        shown.append(window.controller.simulation)
    return shown


def test_a_held_drag_builds_once_and_shows_fresh_numbers(ridge, builds):
    shown = hold_swarm_moves(ridge, [(0.1, 0.0), (0.2, 0.1), (0.3, 0.3)])
    assert len(builds) == 1  # the first move builds; the next two recompute in its buffers
    assert len({id(sim) for sim in shown}) == 3  # each a new scene to the views
    assert shown[1].runs[0].x is shown[2].runs[0].x  # over the same buffers
    assert_as_built_fresh(ridge)
    ridge.live_edit._on_gesture_finished()
    assert ridge.controller.live_owned is None
    assert ridge.stats_panel._sim is shown[-1]  # the panels caught up once let go
    hold_swarm_moves(ridge, [(0.05, 0.05)])
    assert len(builds) == 2  # a new gesture never recomputes what the panels now keep
    assert_as_built_fresh(ridge)


def test_a_held_slider_recomputes_its_run_in_place(qtbot, settings, dialogs, builds):
    bowl = make_window(qtbot, settings, PRESETS / "slide-lr-past-two-over-lambda.toml")
    card = bowl.editor.cards[0]
    card.live.lr.slider.setSliderDown(True)
    for lr in (0.05, 0.08, 0.11):
        card.live.set_slider("lr", lr)
        assert_as_built_fresh(bowl)
    assert len(builds) == 1
    card.live.lr.slider.setSliderDown(False)
    assert bowl.controller.live_owned is None
    bowl.document.dirty = False
    bowl.close()


def test_a_scene_an_export_keeps_is_never_recomputed(ridge, builds):
    shown = hold_swarm_moves(ridge, [(0.1, 0.0)])
    kept = ridge.controller.simulation
    ridge.exports._reusable(ridge.controller.runfile)  # a CSV export looks for it to reuse
    assert ridge.controller.live_owned is None
    before = kept.runs[0].x.copy()
    hold_swarm_moves(ridge, [(0.2, 0.2)])
    assert len(builds) == 2 and ridge.controller.simulation is not shown[0]
    np.testing.assert_array_equal(kept.runs[0].x, before)
    assert_as_built_fresh(ridge)


def test_an_edit_beyond_starts_and_one_run_builds_anew(ridge, builds):
    from lrsim.core.runfile import parse_runfile

    hold_swarm_moves(ridge, [(0.1, 0.0)])
    data = ridge.editor.data()
    data["runs"][0]["label"] = "renamed"
    data["runs"][1]["optimizer"]["lr"] = 0.002
    live_recompute.recompute(ridge.controller, parse_runfile(data), held=True)
    assert len(builds) == 2
    assert ridge.controller.simulation.runs[0].label == "renamed"
    assert_as_built_fresh(ridge)


def test_a_held_swarm_drag_parses_its_points_once(ridge, builds, monkeypatch):
    from lrsim.gui import live_edit

    parsed = []
    original = live_edit.parse_runfile
    monkeypatch.setattr(live_edit, "parse_runfile", lambda data: parsed.append(1) or original(data))
    hold_swarm_moves(ridge, [(0.1, 0.0), (0.2, 0.1), (0.3, 0.3)])
    assert len(parsed) == 1  # the first move; then the shown run file takes the new starts
    assert_as_built_fresh(ridge)
    ridge.live_edit._on_gesture_finished()
    written = parse_runfile_of(ridge)
    assert written == ridge.controller.runfile  # the editor on release: the scene's run file


def parse_runfile_of(window):
    from lrsim.core.runfile import parse_runfile

    return parse_runfile(window.editor.data())


def test_statistics_after_a_held_slide_are_the_new_scene_s(qtbot, settings, dialogs, builds):
    from lrsim.core.stats import stats_table

    window = make_window(qtbot, settings, PRESETS / "basins.toml")
    card = window.editor.cards[0]
    card.live.lr.slider.setSliderDown(True)
    card.live.set_slider("lr", 0.05)
    first = window.controller.simulation
    stats_table(first)  # what the basin map and the statistics cache at the first move
    card.live.set_slider("lr", 0.14)
    card.live.lr.slider.setSliderDown(False)
    assert len(builds) == 1
    shown = window.controller.simulation
    assert shown.runs[0].x is first.runs[0].x  # recomputed in place: the cache was shared
    fresh = Simulation(window.controller.runfile, stride=window.controller.stride)
    fresh.run_to_end()
    assert repr(stats_table(shown)) == repr(stats_table(fresh))
    assert window.stats_panel._sim is shown
    window.document.dirty = False
    window.close()
