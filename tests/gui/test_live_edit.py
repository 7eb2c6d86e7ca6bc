"""Hands on the landscape: drag a start and move the sliders in the real window; the
trajectories are exactly what ``lrsim export`` gives for the edited run file."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from gui_fixtures import dialogs_fixture, settings_fixture  # noqa: F401
from gui_helpers import make_window
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from lrsim.cli import main as lrsim_main
from lrsim.core.toml_writer import dumps_toml

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"


@pytest.fixture(name="ridge")
def ridge_fixture(qtbot, settings, dialogs):
    win = make_window(qtbot, settings, PRESETS / "drag-start-across-ridge.toml")
    yield win
    win.document.dirty = False
    win.close()


@pytest.fixture(name="bowl")
def bowl_fixture(qtbot, settings, dialogs):
    win = make_window(qtbot, settings, PRESETS / "slide-lr-past-two-over-lambda.toml")
    yield win
    win.document.dirty = False
    win.close()


def pixel(window, x: float, y: float) -> QPoint:
    """The viewport pixel of data point (x, y) in the contour view."""
    view = window.view_area.contour
    scene = view.view_box.mapViewToScene(QPointF(x, y))
    return view.plot_widget.mapFromScene(scene)


def exported(window, tmp_path: Path) -> dict[str, np.ndarray]:
    """``lrsim export`` of the editor's run file: per label, (particle, step, x, y) rows."""
    path = tmp_path / "edited.toml"
    path.write_text(dumps_toml(window.editor.data()), encoding="utf-8")
    out = tmp_path / "edited.csv"
    assert lrsim_main(["export", str(path), "-o", str(out), "-q"]) == 0
    rows: dict[str, list] = {}
    with out.open(newline="") as stream:
        for row in csv.DictReader(stream):
            rows.setdefault(row["label"], []).append(
                [float(row[k]) for k in ("particle", "step", "x", "y")]
            )
    return {label: np.array(values) for label, values in rows.items()}


def assert_shown_is_exported(window, tmp_path: Path) -> None:
    sim = window.controller.simulation
    rows = exported(window, tmp_path)
    for run in sim.runs:
        table = rows[run.label]
        for particle in range(sim.n_particles):
            mine = table[table[:, 0] == particle]
            np.testing.assert_array_equal(mine[:, 1], sim.recorded_steps)
            np.testing.assert_array_equal(mine[:, 2], run.x[particle])
            np.testing.assert_array_equal(mine[:, 3], run.y[particle])


def drag(window, qtbot, path, *, release=True):
    viewport = window.view_area.contour.plot_widget.viewport()
    start = pixel(window, *path[0])
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for x, y in path[1:]:
        QTest.mouseMove(viewport, pixel(window, x, y))
    if release:
        end = pixel(window, *path[-1])
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_drag_the_start_across_the_ridge(ridge, qtbot, tmp_path):
    sims = []
    ridge.controller.scene_changed.connect(sims.append)
    drag(ridge, qtbot, [(1.3, 1.3), (1.4, 1.4), (1.5, 1.5), (1.6, 1.6)], release=False)
    assert len(sims) >= 3  # a recompute on every move, no pause
    sim = ridge.controller.simulation
    assert ridge.live_edit.holding and ridge.stats_panel._sim is not sim  # panels wait
    viewport = ridge.view_area.contour.plot_widget.viewport()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pixel(ridge, 1.6, 1.6))
    assert ridge.controller.simulation is sim  # the scene released is the last one shown
    assert not ridge.live_edit.holding
    assert ridge.stats_panel._sim is sim and ridge.loss_panel._sim is sim  # and caught up
    assert ridge.lr_panel._sim is sim
    start = ridge.editor.starts.table()["points"][0]
    assert start == pytest.approx([1.6, 1.6], abs=0.03)  # the run file records it
    assert (sim.runs[0].x[0, 0], sim.runs[0].y[0, 0]) == tuple(start)
    for run in sim.runs:  # all three now end in the shallow well
        assert np.hypot(run.x[0, -1] - 1.917, run.y[0, -1] - 1.917) < 0.05
    assert ridge.document.dirty
    assert_shown_is_exported(ridge, tmp_path)
    ridge.live_edit.undo_action.trigger()  # Ctrl+Z: the start goes back
    assert ridge.editor.starts.table()["points"] == [[1.3, 1.3]]
    assert ridge.controller.simulation.runs[0].x[0, 0] == 1.3
    assert np.hypot(ridge.controller.simulation.runs[0].x[0, -1], 0) < 0.1


def test_escape_while_dragging_puts_the_start_back(ridge, qtbot):
    drag(ridge, qtbot, [(1.3, 1.3), (1.6, 1.6)], release=False)
    assert ridge.editor.starts.table()["points"][0] != [1.3, 1.3]
    QTest.keyClick(ridge.view_area.contour.plot_widget.viewport(), Qt.Key.Key_Escape)
    viewport = ridge.view_area.contour.plot_widget.viewport()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pixel(ridge, 1.6, 1.6))
    assert ridge.editor.starts.table()["points"] == [[1.3, 1.3]]
    assert ridge.controller.simulation.runs[0].x[0, 0] == 1.3
    assert not ridge.live_edit.undo_stack.canUndo()


def test_a_click_away_from_the_start_still_adds_one(ridge, qtbot):
    viewport = ridge.view_area.contour.plot_widget.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pixel(ridge, -1.0, 3.0))
    assert len(ridge.editor.starts.table()["points"]) == 2
    assert not ridge.live_edit.drag.dragging


def test_the_lr_slider_recomputes_live(bowl, qtbot, tmp_path):
    card = bowl.editor.cards[0]
    slider = card.live.lr.slider
    lo, hi = card.live.lr.ends
    assert lo <= 0.1 / 1000 * 1.0001 and hi >= 0.5 * 0.9999  # 2/lambda = 0.1 sets the scale
    slider.setSliderDown(True)
    card.live.set_slider("lr", 0.11)
    value = bowl.editor.data()["runs"][0]["optimizer"]["lr"]
    assert value == pytest.approx(0.11, rel=0.02) and value > 0.1
    sim = bowl.controller.simulation
    assert sim.runfile.runs[0].optimizer.written["lr"] == value
    assert abs(sim.runs[0].y[0, -1]) > 100  # past 2/lambda it diverges
    assert_shown_is_exported(bowl, tmp_path)
    slider.setSliderDown(False)  # let go: one undo step
    assert bowl.live_edit.undo_stack.count() == 1
    bowl.live_edit.undo_action.trigger()
    assert bowl.editor.data()["runs"][0]["optimizer"]["lr"] == 0.04


def test_momentum_and_schedule_sliders(bowl, qtbot, tmp_path):
    card = bowl.editor.cards[1]
    card.live.set_slider("momentum", 0.5)
    assert bowl.editor.data()["runs"][1]["optimizer"]["momentum"] == pytest.approx(0.5, abs=0.01)
    card.schedule.set_table({"name": "step", "step_size": 10})
    card._on_field_changed()
    assert card.live.knob.title.text() == "gamma"
    card.live.set_slider("knob", 0.5)
    bowl.live_edit.apply()
    assert bowl.editor.data()["runs"][1]["schedule"]["gamma"] == pytest.approx(0.5, abs=0.01)
    assert_shown_is_exported(bowl, tmp_path)


def test_presentation_overlay_sliders_drive_the_run(bowl, qtbot, tmp_path):
    bowl.presentation.set_active(True)
    overlay = bowl.live_edit.overlay
    qtbot.waitUntil(overlay.isVisible, timeout=3000)
    assert len(overlay.rows) == 3
    label, sliders = overlay.rows[0]
    assert "lr 0.04" in label.text()
    sliders.set_slider("lr", 0.2)
    value = bowl.editor.data()["runs"][0]["optimizer"]["lr"]
    assert value == pytest.approx(0.2, rel=0.02)
    assert bowl.editor.cards[0].live.lr.value.text() == f"{value:.4g}"  # the card follows
    assert bowl.controller.simulation.runfile.runs[0].optimizer.written["lr"] == value
    assert_shown_is_exported(bowl, tmp_path)
    bowl.presentation.set_active(False)
    assert not overlay.isVisible()


def test_presentation_hint_never_sits_under_the_sliders(bowl, qtbot):
    """The key hint shown on entering presentation mode stays readable: low over the views,
    or high when the live sliders sit low."""
    bowl.presentation.set_active(True)
    overlay, hint, area = bowl.live_edit.overlay, bowl.presentation.hint, bowl.view_area
    qtbot.waitUntil(overlay.isVisible, timeout=3000)
    for y in (area.height() - overlay.height() - 10, 10):  # the sliders low, then high
        overlay.move(10, y)
        bowl.presentation._place_hint()
        assert not hint.geometry().intersects(overlay.geometry())
    assert hint.y() > area.height() / 2  # sliders high: the hint keeps its low place
    bowl.presentation.set_active(False)


def test_dragging_a_random_swarm_moves_its_centre(ridge, qtbot, tmp_path):
    ridge.editor.starts.set_table({"random": {"n": 20, "seed": 3}})
    assert ridge.live_edit.apply()
    sim = ridge.controller.simulation
    before = np.column_stack([sim.runs[0].x[:, 0], sim.runs[0].y[:, 0]])
    cx, cy = before.mean(axis=0)
    drag(ridge, qtbot, [(cx, cy), (cx + 0.1, cy), (cx + 0.2, cy + 0.2)])
    points = np.array(ridge.editor.starts.table()["points"])  # the swarm, written as points
    assert points.shape == (20, 2)
    shift = points.mean(axis=0) - before.mean(axis=0)
    assert shift == pytest.approx([0.2, 0.2], abs=0.03)
    np.testing.assert_allclose(points - before, np.broadcast_to(shift, (20, 2)), atol=2e-4)
    sim = ridge.controller.simulation
    np.testing.assert_array_equal(sim.runs[0].x[:, 0], points[:, 0])
    assert_shown_is_exported(ridge, tmp_path)


def test_presentation_overlay_keeps_clear_of_the_scene(qtbot, settings, dialogs, monkeypatch):
    """The overlay takes the corner that hides the fewest starts, paths and minima: on the
    momentum preset none; with points crowding its first choice (lower left), another."""
    window = make_window(qtbot, settings, PRESETS / "momentum-two-arrows.toml")
    try:
        window.presentation.set_active(True)
        overlay = window.live_edit.overlay
        qtbot.waitUntil(overlay.isVisible, timeout=3000)
        qtbot.waitUntil(lambda: window.view_area.width() > overlay.width() + 100, timeout=5000)
        overlay.sync()

        def hidden() -> int:
            xs, ys = overlay._scene_points()
            rect = overlay.geometry()
            return sum(rect.contains(QPoint(int(x), int(y))) for x, y in zip(xs, ys, strict=True))

        assert len(overlay._scene_points()[0]) > 3 and hidden() == 0
        # a scene whose points fill the lower-left corner: the overlay goes elsewhere
        area = window.view_area
        lower_left = np.array([[20.0, area.height() - 60.0], [60.0, area.height() - 100.0]])
        monkeypatch.setattr(overlay, "_scene_points", lambda: (lower_left[:, 0], lower_left[:, 1]))
        overlay._place()
        assert overlay.y() < area.height() / 2 or overlay.x() > area.width() / 3
        assert hidden() == 0
    finally:
        window.presentation.set_active(False)
        window.document.dirty = False
        window.close()
