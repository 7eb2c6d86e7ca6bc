"""The surface views: contour, small multiples and 3D, driven by a real Simulation."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile
from lrsim.core.surfaces import SURFACES
from lrsim.gui.views import ContourView, SmallMultiplesView, SurfaceView3D, opengl_problem
from lrsim.gui.views.multiples import grid_shape
from lrsim.gui.views.scene import (
    ColorScale,
    isoline_segments,
    nice_ticks,
    plan_detail,
    trail_polyline,
)

COLORS = ("#d62728", "#1f77b4", "#2ca02c")


def make_sim(
    surface: str = "himmelblau",
    n: int = 50,
    steps: int = 40,
    runs: int = 1,
    lr: float = 0.01,
    seed: int = 0,
) -> Simulation:
    sim = Simulation(
        parse_runfile(
            {
                "steps": steps,
                "surface": {"name": surface},
                "particles": {"random": {"n": n, "seed": seed}},
                "runs": [
                    {
                        "label": f"run {i}",
                        "color": COLORS[i],
                        "optimizer": {"name": "sgd", "lr": lr},
                    }
                    for i in range(runs)
                ],
            }
        )
    )
    sim.run_to_end()
    return sim


@pytest.fixture(name="contour")
def contour_fixture(qtbot):
    view = ContourView(show_legend=True)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    return view


def paint(view) -> QImage:
    """Render the view now (as the screen would) and return the picture."""
    return view.grab().toImage()


def count_near(image: QImage, color: str, tolerance: int = 40) -> int:
    """Pixels within ``tolerance`` (per channel) of ``color``."""
    ptr = image.convertToFormat(QImage.Format.Format_RGB32).constBits()
    pixels = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.width(), 4)
    target = QColor(color)
    rgb = np.array([target.blue(), target.green(), target.red()], dtype=np.int16)
    diff = np.abs(pixels[..., :3].astype(np.int16) - rgb)
    return int(np.count_nonzero((diff <= tolerance).all(axis=-1)))


# ----------------------------------------------------------------------------- contour view


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_every_builtin_surface_sets_scene_and_steps(contour, name):
    sim = make_sim(name, n=20, steps=15, runs=2, lr=1e-3)
    contour.set_simulation(sim)
    for column in (0, 7, 15):
        contour.set_column(column)
        image = paint(contour)
        counts = contour.drawn_counts()
        assert set(counts) == {0, 1}
        for run_counts in counts.values():
            assert run_counts["current"] + run_counts["diverged"] == 20
    scale = contour.color_scale
    assert scale is not None and scale.levels[1] > scale.levels[0]
    assert count_near(image, COLORS[0]) + count_near(image, COLORS[1]) > 0


def test_crosses_are_particles_times_steps_under_the_detail_limit(contour):
    sim = make_sim(n=50, steps=40)
    contour.set_simulation(sim)
    assert not contour.detail_plan.reduced
    assert contour.note_text() == "" or not contour.note.isVisible()
    for column in (0, 1, 10, 40):
        contour.set_column(column)
        paint(contour)
        counts = contour.drawn_counts()[0]
        assert counts["crosses"] == 50 * (column + 1)
        assert counts["trails"] == 50


def test_trails_are_one_polyline_with_nan_breaks_between_particles(contour):
    sim = make_sim(n=30, steps=20)
    contour.set_simulation(sim)
    contour.set_column(12)
    x, y = contour.trail_data(0)
    assert x.shape == y.shape == (30 * 14,)
    rows_x = x.reshape(30, 14)
    assert np.isnan(rows_x[:, -1]).all()  # the break after each particle
    assert np.isfinite(rows_x[:, :-1]).all()
    np.testing.assert_array_equal(rows_x[:, :-1], sim.runs[0].x[:, :13])
    assert np.count_nonzero(np.isnan(x)) == 30


def test_big_swarms_keep_history_for_a_subset_and_say_so(contour):
    sim = make_sim("rastrigin", n=10_000, steps=30, lr=1e-3)
    contour.set_simulation(sim)
    plan = contour.detail_plan
    assert plan.reduced and 100 <= len(plan.history) <= 500
    assert "of 10,000 particles" in contour.note_text()
    contour.set_column(30)
    paint(contour)
    counts = contour.drawn_counts()[0]
    assert counts["trails"] == len(plan.history)
    assert counts["crosses"] == len(plan.history) * 31
    assert counts["current"] + counts["diverged"] == 10_000


def test_history_is_drawn_incrementally_and_redrawn_on_step_back(contour):
    contour.set_simulation(make_sim(n=40, steps=30))
    contour.set_column(10)
    paint(contour)
    assert contour.swarm._drawn == 10
    contour.set_column(11)
    paint(contour)
    assert contour.swarm._drawn == 11
    contour.set_column(3)
    image = paint(contour)
    assert contour.swarm._drawn == 3
    assert count_near(image, COLORS[0]) > 0


def test_exporters_get_the_whole_picture_without_the_layer(contour):
    contour.set_simulation(make_sim(n=40, steps=30))
    contour.set_column(30)
    image = QImage(800, 600, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    contour.plot_widget.scene().render(painter)  # items are painted with widget=None
    painter.end()
    assert count_near(image, COLORS[0]) > 50


def test_diverged_particles_are_shown_once_frozen(contour):
    sim = make_sim("rosenbrock", n=60, steps=40, lr=0.05)
    run = sim.runs[0]
    assert run.diverged.any()
    contour.set_simulation(sim)
    first = int(run.frozen_at[run.diverged].min())
    column_before = int(np.searchsorted(sim.recorded_steps, first)) - 1
    contour.set_column(max(column_before, 0))
    paint(contour)
    before = contour.drawn_counts()[0]["diverged"]
    contour.set_column(40)
    image = paint(contour)
    after = contour.drawn_counts()[0]
    assert before < after["diverged"] == int(np.count_nonzero(run.diverged))
    assert after["current"] + after["diverged"] == 60
    if first > 0:
        assert before == 0
    assert count_near(image, "#9a9a9a", tolerance=12) > 0


def test_left_click_emits_start_point_in_data_coordinates(contour, qtbot):
    contour.set_simulation(make_sim(n=5, steps=5))
    paint(contour)
    widget = contour.plot_widget
    scene_point = contour.view_box.mapViewToScene(QPointF(1.5, -2.0))
    pixel = widget.mapFromScene(scene_point)
    with qtbot.waitSignal(contour.start_point_requested, timeout=2000) as blocker:
        qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=pixel)
    x, y = blocker.args
    size_x, size_y = contour.view_box.viewPixelSize()
    assert abs(x - 1.5) <= 2 * size_x and abs(y + 2.0) <= 2 * size_y


def test_clicks_outside_the_plot_area_are_ignored(contour, qtbot):
    contour.set_simulation(make_sim(n=5, steps=5))
    paint(contour)
    received = []
    contour.start_point_requested.connect(lambda x, y: received.append((x, y)))
    qtbot.mouseClick(contour.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    qtbot.mouseClick(
        contour.plot_widget.viewport(), Qt.MouseButton.RightButton, pos=QPoint(450, 350)
    )
    qtbot.keyClick(contour.plot_widget.viewport(), Qt.Key.Key_Escape)  # close a context menu
    assert received == []


def test_log_scale_toggles(contour):
    contour.set_simulation(make_sim("rosenbrock", n=10, steps=10, lr=1e-3))
    assert contour.log_scale  # Rosenbrock suggests it
    log_levels = contour.color_scale.levels
    contour.set_log_scale(False)
    paint(contour)
    assert not contour.color_scale.log
    assert contour.color_scale.levels[1] > 1000 > log_levels[1]
    contour.set_log_scale(True)
    paint(contour)
    assert contour.color_scale.log
    assert contour._isolines.getData()[0].size > 0


def test_visible_runs_and_theme(contour):
    contour.set_simulation(make_sim(n=10, steps=10, runs=3))
    contour.set_column(5)
    assert set(contour.drawn_counts()) == {0, 1, 2}
    contour.set_visible_runs([1])
    image = paint(contour)
    assert set(contour.drawn_counts()) == {1}
    assert count_near(image, COLORS[1]) > 0
    contour.set_visible_runs(None)
    assert set(contour.drawn_counts()) == {0, 1, 2}
    contour.set_theme(False)
    light = paint(contour)
    assert light.pixelColor(2, 2) == QColor("#ffffff")
    contour.set_theme(True)
    assert paint(contour).pixelColor(2, 2) != QColor("#ffffff")


def test_the_same_simulation_again_keeps_the_step(contour):
    sim = make_sim(n=10, steps=10)
    contour.set_simulation(sim)
    contour.set_column(6)
    contour.set_simulation(sim)  # the controller re-sends it when more steps are computed
    paint(contour)
    assert contour.swarm.column == 6


def test_minima_are_marked(contour):
    contour.set_simulation(make_sim("himmelblau", n=1, steps=1))
    landmarks = {kind: len(x) for x, _y, kind in contour.swarm._landmarks}
    assert landmarks["global_min"] == 4
    assert landmarks["saddle"] == 4


# ----------------------------------------------------------------------------- small multiples


def test_small_multiples_one_linked_view_per_run(qtbot):
    view = SmallMultiplesView()
    qtbot.addWidget(view)
    view.resize(1200, 500)
    view.show()
    sim = make_sim(n=10, steps=10, runs=3)
    view.set_simulation(sim)
    view.set_column(4)
    assert len(view.views) == 3
    first = view.views[0].view_box
    for index, contour in enumerate(view.views):
        assert set(contour.drawn_counts()) == {index}
        assert contour.swarm.column == 4
        assert sim.runs[index].label in contour.plot_item.titleLabel.text
    for contour in view.views[1:]:
        assert contour.view_box.linkedView(0) is first
        assert contour.view_box.linkedView(1) is first
    first.setRange(xRange=(0.0, 2.0), yRange=(0.0, 2.0), padding=0)
    qtbot.wait(10)
    x_range = view.views[2].view_box.viewRange()[0]
    assert x_range == pytest.approx(first.viewRange()[0], abs=1e-6)
    view.set_visible_runs([0, 2])
    assert not view.views[1].isVisible() and view.views[2].isVisible()
    view.set_log_scale(False)
    view.set_theme(False)
    paint(view)


def test_small_multiples_keep_showing_the_domain_as_the_grid_settles(qtbot):
    view = SmallMultiplesView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.set_simulation(make_sim(n=2, steps=5, runs=3))
    view.set_look(1.5, 1.5)
    for size in ((900, 800), (1100, 600), (1000, 700)):
        view.resize(*size)
        qtbot.wait(20)
    (xmin, xmax), (ymin, ymax) = view._sim.domain
    for contour in view.views:
        (left, right), (bottom, top) = contour.view_box.viewRange()
        # aspect lock may widen one axis, never both
        assert (left <= xmin + 0.5 and right >= xmax - 0.5) and (bottom <= ymin + 0.5)
        assert min(right - left - (xmax - xmin), top - bottom - (ymax - ymin)) < 0.1 * (xmax - xmin)


def test_grid_shape():
    assert grid_shape(1) == (1, 1)
    assert grid_shape(3) == (1, 3)
    assert grid_shape(4) == (2, 2)
    assert grid_shape(7) == (3, 3)


# ----------------------------------------------------------------------------- 3D view


def test_3d_view_degrades_gracefully_without_opengl(qtbot):
    view = SurfaceView3D()
    qtbot.addWidget(view)
    view.show()
    if opengl_problem() is None:
        pytest.skip("OpenGL works here; the fallback is for platforms without it")
    assert not view.available
    assert "OpenGL" in view.problem
    sim = make_sim(n=10, steps=10)
    view.set_simulation(sim)
    view.set_column(5)
    view.set_log_scale(True)
    view.set_visible_runs([0])
    view.set_theme(False)
    assert view.drawn_counts() == {}
    assert not view.grab_frame().isNull()


# ----------------------------------------------------------------------------- the numbers


def test_color_scale_log_spans_about_six_decades():
    values = np.array([[0.0, 1.0], [10.0, 1000.0]])
    scale = ColorScale.for_grid(values, log=True, known_min=0.0)
    low, high = scale.levels
    assert high == pytest.approx(3.0, abs=1e-5)
    assert low == pytest.approx(-3.0, abs=0.01)  # 1e-6 of the range, 1000
    assert [label for _v, label in scale.decade_ticks()][:2] == ["10⁻³", "10⁻²"]
    linear = ColorScale.for_grid(values, log=False)
    assert linear.levels == (0.0, 1000.0)
    np.testing.assert_allclose(linear.normalised(np.array([500.0, 2000.0])), [0.5, 1.0])


def test_isolines_of_a_bowl_are_circles():
    xs = ys = np.linspace(-2, 2, 81)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = grid_x**2 + grid_y**2
    seg_x, seg_y = isoline_segments(xs, ys, values, np.array([1.0]))
    assert seg_x.size > 50 and seg_x.size % 2 == 0
    np.testing.assert_allclose(np.hypot(seg_x, seg_y), 1.0, atol=0.01)


def test_isolines_skip_cells_with_nan():
    xs = ys = np.linspace(0, 1, 5)
    values = np.tile(xs, (5, 1))
    values[2, 2] = np.nan
    seg_x, _ = isoline_segments(xs, ys, values, np.array([0.6]))
    assert np.isfinite(seg_x).all()


def test_detail_plan():
    full = plan_detail(100, 101, 1)
    assert not full.reduced and len(full.history) == 100 and full.note() == ""
    big = plan_detail(10_000, 101, 1)
    assert big.reduced and len(big.history) == 500
    assert big.history[0] == 0 and big.history[-1] == 9_999
    three = plan_detail(10_000, 101, 3)
    assert 100 <= len(three.history) < 500


def test_nice_ticks_and_trail_polyline():
    assert [v for v, _ in nice_ticks(0.0, 80.7)] == [0, 20, 40, 60, 80]
    x, y = trail_polyline(np.arange(6.0).reshape(2, 3), np.zeros((2, 3)), 1)
    np.testing.assert_array_equal(x, [0, 1, np.nan, 3, 4, np.nan])


def test_set_look_enlarges_text_trails_and_markers(contour):
    contour.set_simulation(make_sim(n=4, steps=20))
    contour.set_column(20)
    normal = count_near(paint(contour), COLORS[0])
    tick_size = contour.plot_item.getAxis("bottom").style["tickFont"].pointSizeF()
    contour.set_look(font_scale=1.5, line_scale=1.6)
    assert contour.font_scale == 1.5 and contour.swarm.line_scale == 1.6
    assert contour.plot_item.getAxis("bottom").style["tickFont"].pointSizeF() == 1.5 * tick_size
    assert count_near(paint(contour), COLORS[0]) > 1.3 * normal
    contour.set_look()  # back to the normal look
    assert contour.plot_item.getAxis("bottom").style["tickFont"].pointSizeF() == tick_size
    assert abs(count_near(paint(contour), COLORS[0]) - normal) <= 0.05 * normal


def test_small_multiples_and_3d_take_the_look(qtbot):
    view = SmallMultiplesView()
    qtbot.addWidget(view)
    view.set_simulation(make_sim(n=3, steps=5, runs=2))
    view.set_look(1.5, 1.5)
    assert all(v.font_scale == 1.5 for v in view.views)
    surface = SurfaceView3D()
    qtbot.addWidget(surface)
    surface.set_look(1.5, 1.5)  # accepted with or without OpenGL
    surface.set_simulation(make_sim(n=3, steps=5))
