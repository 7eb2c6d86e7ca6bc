"""Readable swarms and colours: palette against viridis and colour blindness, a shape per
run, diverged particles without streaks, trail lengths, legend emphasis, cursor values."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor
from test_views import COLORS, contour_fixture, make_sim, paint  # noqa: F401

from lrsim.core.engine import Simulation
from lrsim.core.runfile import DEFAULT_COLORS, load_runfile
from lrsim.gui.panels.cursor_marks import format_value, value_at
from lrsim.gui.panels.lr_panel import LrPanel
from lrsim.gui.resources import resources_dir
from lrsim.gui.views import style
from lrsim.gui.views.scene import short_title
from lrsim.gui.views.swarm_geometry import dodge

# ----------------------------------------------------------------------------- colour science


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* of sRGB values in 0..1 (D65)."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = _linear(np.asarray(rgb, float)) @ m.T / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


# Machado et al. (2009), severity 1: what deuteranopes and protanopes see
DEUTAN = np.array([[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]])
PROTAN = np.array([[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]])


def seen(rgb: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    if matrix is None:
        return rgb
    out = np.clip(_linear(rgb) @ matrix.T, 0, 1)
    return np.where(out <= 0.0031308, out * 12.92, 1.055 * out ** (1 / 2.4) - 0.055)


def rgb(color: str) -> np.ndarray:
    c = QColor(color)
    return np.array([c.redF(), c.greenF(), c.blueF()])


def test_default_palette_stays_visible_on_every_part_of_viridis():
    viridis = lab(pg.colormap.get(style.COLORMAP_NAME).map(np.linspace(0, 1, 128), "float")[:, :3])
    for color in DEFAULT_COLORS:
        distance = np.linalg.norm(viridis - lab(rgb(color)), axis=1).min()
        assert distance >= 28, f"{color} nearly vanishes on viridis (ΔE {distance:.0f})"
    for old in ("#2ca02c", "#1f77b4", "#bcbd22"):  # the tab10 colours that did vanish
        assert np.linalg.norm(viridis - lab(rgb(old)), axis=1).min() < 28


def test_default_palette_keeps_runs_apart_for_colour_blind_eyes():
    first = DEFAULT_COLORS[:6]
    for matrix in (None, DEUTAN, PROTAN):
        colors = [lab(seen(rgb(c), matrix)) for c in first]
        gaps = [np.linalg.norm(colors[i] - colors[j]) for i in range(6) for j in range(i + 1, 6)]
        assert min(gaps) >= 12, min(gaps)


def test_lecture_preset_keeps_its_story_and_reads_in_grey():
    runfile = load_runfile(resources_dir() / "presets" / "fixed-vs-decay.toml")
    assert [run.label for run in runfile.runs][0].startswith("fixed lr 1.8")
    lightness = [lab(rgb(run.color))[0] for run in runfile.runs]
    assert min(abs(a - b) for i, a in enumerate(lightness) for b in lightness[i + 1 :]) >= 5
    shapes = [style.current_shape(i) for i in range(3)] + [style.mark_shape(i) for i in range(3)]
    assert len(set(shapes[:3])) == 3 and len(set(shapes[3:])) == 3  # grey scale: shapes differ
    assert "(purple)" in runfile.description and "(green)" not in runfile.description


def test_every_run_has_its_own_marker_pixmaps(qtbot):
    images = [style.current_pixmap("#d55e00", 1.0, 15, style.current_shape(i)) for i in range(6)]
    alphas = [np.count_nonzero(_alpha(p)) for p in images]
    assert len(set(alphas)) >= 4  # circle, square, triangles, diamond, hexagon differ
    marks = {style.mark_shape(i) for i in range(6)}
    assert len(marks) == 6


def _alpha(pixmap) -> np.ndarray:
    image = pixmap.toImage().convertToFormat(pixmap.toImage().Format.Format_ARGB32)
    bits = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    return bits[..., 3] > 128


# ----------------------------------------------------------------------------- swarms


def test_diverged_particles_end_where_they_left_without_a_streak(contour):
    sim = make_sim("rosenbrock", n=60, steps=40, lr=0.05)
    run = sim.runs[0]
    assert run.diverged.any()
    contour.set_simulation(sim)
    contour.set_column(40)
    paint(contour)
    layer = contour.swarm._runs[0]
    hx, _hy = layer.columns(0, 40)
    cut = np.searchsorted(sim.recorded_steps, run.frozen_at[run.diverged])
    for row, first_gone in zip(np.flatnonzero(run.diverged), cut, strict=True):
        assert np.all(np.isnan(hx[row, first_gone:]))  # no segment to where it blew up
    x, y = layer.last_good(40)  # the diverged markers: where each left the map
    (xmin, xmax), (ymin, ymax) = sim.domain
    gone = run.diverged
    mx, my = 0.06 * (xmax - xmin), 0.06 * (ymax - ymin)
    assert np.all((x[gone] >= xmin - mx) & (x[gone] <= xmax + mx))
    assert np.all((y[gone] >= ymin - my) & (y[gone] <= ymax + my))


def test_trail_length_all_last_k_and_none(contour):
    sim = make_sim(n=20, steps=30)
    contour.set_simulation(sim)
    contour.set_column(30)
    for length, crosses in ((None, 20 * 31), (5, 20 * 5), (0, 0)):
        contour.set_trail(length, fade=True)
        image = paint(contour)
        assert contour.drawn_counts()[0]["crosses"] == crosses
        assert contour.drawn_counts()[0]["current"] == 20
    assert image.width() > 0


def test_legend_solo_highlight_and_opacity_reach_the_views(qtbot):
    from lrsim.gui.view_area import ViewArea

    area = ViewArea()
    qtbot.addWidget(area)
    area.resize(900, 700)
    area.show()
    area.set_simulation(make_sim(n=10, steps=10, runs=3))
    legend = area.legend
    legend.solo(1)
    assert legend.visible_runs() == [1] and area.contour.visible_run_indices() == [1]
    legend.solo(1)  # again: every run
    assert legend.visible_runs() is None
    legend.highlight(2)
    opacities = [layer.opacity for layer in area.contour.swarm._runs]
    assert opacities[2] == 1.0 and opacities[0] < 0.5 and opacities[1] < 0.5
    legend.set_opacity(2, 0.6)
    assert area.contour.swarm._runs[2].opacity == pytest.approx(0.6)
    legend.show_all()
    assert all(layer.opacity == 1.0 for layer in area.contour.swarm._runs)


def test_markers_of_runs_that_agree_are_nudged_apart():
    px = np.array([10.0, 50.0])
    out = dodge([("a", px, px.copy()), ("b", px.copy(), px.copy()), ("c", px + 30, px)], 14)
    assert np.array_equal(out[0][1], px)  # the first run stays put
    assert not np.allclose(out[1][1:], out[0][1:])  # the second moved off it
    assert np.array_equal(out[2][1], px + 30)  # a run alone elsewhere stays put


def test_pan_shows_a_cached_picture_then_redraws_sharp(contour, qtbot):
    contour.set_simulation(make_sim(n=40, steps=30))
    contour.set_column(30)
    paint(contour)
    contour.view_box.translateBy(x=0.3)
    paint(contour)
    assert contour.swarm._preview
    swarm = contour.swarm
    qtbot.waitUntil(lambda: swarm._layer_key is None or not swarm._preview, timeout=5000)
    paint(contour)  # settled: the history is drawn sharp at the new view
    assert not contour.swarm._preview and contour.swarm._drawn == 30


def test_note_sits_outside_the_data_area(contour):
    contour.set_simulation(make_sim("rastrigin", n=10_000, steps=30, lr=1e-3))
    paint(contour)
    note = contour.note
    plot_top = contour.plot_widget.mapFromScene(contour.view_box.sceneBoundingRect().topLeft())
    assert note.isVisible() and note.geometry().bottom() <= plot_top.y()


# ----------------------------------------------------------------------------- titles, cursor


def test_formula_titles_are_short_with_the_whole_formula_in_the_tooltip(contour):
    formula = "x**2 + y**2 + 2*(2 - cos(2*pi*x) - cos(2*pi*y))*(1 - exp(-(x**2 + y**2)))"
    assert short_title(formula) == "x**2 + y**2 + …"
    assert short_title("Quadratic bowl") == "Quadratic bowl"
    runfile = load_runfile(resources_dir() / "presets" / "cyclical-escape.toml")
    sim = Simulation(runfile)
    sim.run_to(5)
    contour.set_simulation(sim)
    title = contour.plot_item.titleLabel.text
    assert "f = " in title and len(title) < 40
    assert contour.plot_widget.toolTip() == sim.surface.title


def test_lr_panel_shows_each_runs_value_at_the_cursor(qtbot):
    sim = Simulation(load_runfile(resources_dir() / "presets" / "fixed-vs-decay.toml"))
    sim.run_to_end()
    panel = LrPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 400)
    panel.show()
    panel.set_scene(sim)
    panel.set_step(3)
    expected = [float(run.lr_curve[3]) for run in sim.runs]
    assert panel.marks.values() == pytest.approx(expected)
    assert panel.marks.texts() == [format_value(v) for v in expected]
    assert panel.cursors[0].pen.widthF() >= 2  # stands out from the grid
    assert value_at(np.array([0, 10]), np.array([1.0, 2.0]), 5) == 1.0


def test_every_shipped_preset_colour_stays_visible_on_viridis():
    """The presets' own colours meet the default palette's bar; the neutral grey kept for
    baselines ("(grey)" in descriptions) is the one colour allowed a little closer."""
    from lrsim.core.runfile import load_runfile
    from lrsim.gui.resources import list_presets

    viridis = lab(pg.colormap.get(style.COLORMAP_NAME).map(np.linspace(0, 1, 128), "float")[:, :3])
    for path in list_presets():
        for run in load_runfile(path).runs:
            distance = np.linalg.norm(viridis - lab(rgb(run.color)), axis=1).min()
            floor = 25 if run.color == "#7f7f7f" else 28
            assert distance >= floor, f"{path.name}: {run.label} ({run.color}) ΔE {distance:.0f}"
