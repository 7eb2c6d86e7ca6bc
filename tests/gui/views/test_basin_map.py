"""The basin map (View > Basin map) and the statistics table's sharpness and basins columns."""

from __future__ import annotations

import csv
import time

import numpy as np
import pytest
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QFileDialog

from lrsim.core.engine import Simulation
from lrsim.core.export import STATS_COLUMNS
from lrsim.core.runfile import parse_runfile
from lrsim.core.stats import DIVERGED_BASIN, ELSEWHERE_BASIN, basin_assignments, minimum_label
from lrsim.gui.panels.stats_panel import COLUMN, StatsPanel
from lrsim.gui.views.basin_map import BasinMapView, known_minima
from lrsim.gui.views.basin_style import (
    DIVERGED_COLOR,
    ELSEWHERE_COLOR,
    GLOBAL_COLORS,
    LOCAL_COLORS,
    basin_palette,
    best_grid,
    fraction_texts,
    legend_entries,
    rgba,
    scatter_raster,
)

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def make_sim(particles, lrs=(0.01, 0.15), surface="six_hump_camel", steps=60, params=None):
    data = {
        "steps": steps,
        "surface": {"name": surface, **({"params": params} if params else {})},
        "particles": particles,
        "runs": [
            {"label": f"lr {lr}", "color": COLORS[i], "optimizer": {"name": "sgd", "lr": lr}}
            for i, lr in enumerate(lrs)
        ],
    }
    sim = Simulation(parse_runfile(data))
    sim.run_to_end()
    return sim


@pytest.fixture(name="view")
def view_fixture(qtbot):
    view = BasinMapView()
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    return view


def expected_colors(sim, run_index, step):
    minima, labels = basin_assignments(sim, run_index, step)
    return basin_palette(minima)[labels], labels


def pixel_at(plot, image, x, y):
    """The colour drawn at data point (x, y) of a map, from a grab of the map."""
    scene = plot.view_box.mapViewToScene(QPointF(x, y))
    point = plot.mapFromScene(scene) + plot.viewport().pos()
    color = image.pixelColor(point.x(), point.y())
    return color.red(), color.green(), color.blue()


# ----------------------------------------------------------------------------- colours


def test_grid_cells_are_coloured_by_basin_assignments(view, qtbot):
    sim = make_sim({"grid": {"nx": 12, "ny": 8}})
    view.set_simulation(sim)
    view.set_column(sim.steps)
    assert view.step == sim.steps
    for run in range(sim.n_runs):
        colors, labels = expected_colors(sim, run, sim.steps)
        assert np.array_equal(view.particle_colors(run), colors)
        # one cell per start, row by row from the bottom: particle = row * nx + column
        assert np.array_equal(view.maps[run].image.image, colors.reshape(8, 12, 4))
    assert len(set(basin_assignments(sim, 0)[1])) > 3  # several basins: a real test
    # and on screen: the colour at each start is its basin's (isolines and stars off)
    plot = view.maps[1]
    plot.isolines.hide()
    plot.stars.hide()
    qtbot.wait(10)
    image = plot.grab().toImage()
    colors, labels = expected_colors(sim, 1, sim.steps)
    for particle in range(0, sim.n_particles, 5):
        x, y = sim.starts[particle]
        assert pixel_at(plot, image, x, y) == tuple(int(c) for c in colors[particle][:3])


def test_random_starts_are_squares_coloured_by_basin_assignments(view):
    sim = make_sim({"random": {"n": 300, "seed": 3}}, surface="himmelblau", lrs=(0.01, 0.03))
    view.set_simulation(sim)
    view.set_column(sim.steps)
    for run in range(sim.n_runs):
        colors, labels = expected_colors(sim, run, sim.steps)
        assert np.array_equal(view.particle_colors(run), colors)
        plot = view.maps[run]
        raster = plot.raster
        assert raster is not None and plot.grid is None
        drawn = plot.image.image
        covered = raster.index >= 0
        # every covered raster cell shows the colour of the particle whose square it is
        assert np.array_equal(drawn[covered], colors[raster.index[covered]])
        assert np.all(drawn[~covered][:, 3] == 0)  # transparent between squares
        # and that square lies around the particle's start
        x0, y0, width, height = raster.rect
        rows, columns = raster.index.shape
        cell_x = x0 + (np.nonzero(covered)[1] + 0.5) * width / columns
        cell_y = y0 + (np.nonzero(covered)[0] + 0.5) * height / rows
        owner = sim.starts[raster.index[covered]]
        side = raster.cells * width / columns
        assert np.all(np.abs(cell_x - owner[:, 0]) <= side)
        assert np.all(np.abs(cell_y - owner[:, 1]) <= side)
    # nearly every start is visible (squares overlap a little)
    assert len(np.unique(view.maps[0].raster.index)) > 0.9 * sim.n_particles


def test_scatter_raster_squares_are_whole_and_centred():
    starts = np.array([[0.0, 0.0], [1.0, 1.0], [-0.5, 0.7]])
    raster = scatter_raster(starts, ((-1, 1), (-1, 1)), side=0.2)
    for particle in range(3):
        rows, columns = np.nonzero(raster.index == particle)
        assert len(rows) == raster.cells**2
        x0, y0, width, height = raster.rect
        centre_x = x0 + (columns.mean() + 0.5) * width / raster.index.shape[1]
        centre_y = y0 + (rows.mean() + 0.5) * height / raster.index.shape[0]
        assert abs(centre_x - starts[particle, 0]) < 0.03
        assert abs(centre_y - starts[particle, 1]) < 0.03


def test_diverged_particles_are_drawn_as_diverged(view):
    sim = make_sim({"grid": {"nx": 6, "ny": 6}}, surface="quadratic", lrs=(0.5, 30.0), steps=30)
    assert sim.runs[1].diverged.all() and not sim.runs[0].diverged.any()
    view.set_simulation(sim)
    view.set_column(0)  # nothing has diverged yet
    assert not np.any(np.all(view.particle_colors(1) == rgba(DIVERGED_COLOR), axis=1))
    view.set_column(sim.steps)
    assert np.all(view.particle_colors(1) == rgba(DIVERGED_COLOR))
    assert view.panels[1].title_text().endswith("100 % diverged")
    assert "100 % reach the global minimum" in view.panels[0].title_text()
    _minima, labels = basin_assignments(sim, 1, sim.steps)
    assert np.all(labels == DIVERGED_BASIN)


def test_the_same_minimum_has_the_same_colour_in_every_map(view):
    sim = make_sim({"grid": {"nx": 20, "ny": 20}}, surface="himmelblau", lrs=(0.005, 0.02))
    view.set_simulation(sim)
    view.set_column(sim.steps)
    minima = known_minima(sim)
    palette = view.palette_rgba
    seen_in_both = 0
    for index in range(len(minima)):
        colors = []
        for run in range(sim.n_runs):
            _minima, labels = basin_assignments(sim, run, sim.steps)
            mine = view.particle_colors(run)[labels == index]
            if len(mine):
                assert np.all(mine == palette[index])
                colors.append(tuple(mine[0]))
        seen_in_both += len(colors) == 2
    assert seen_in_both >= 2
    # four global minima: four different strong colours
    assert {tuple(palette[i]) for i in range(4)} == {rgba(c) for c in GLOBAL_COLORS[:4]}
    assert tuple(palette[ELSEWHERE_BASIN]) == rgba(ELSEWHERE_COLOR)


def test_global_minima_strong_local_minima_muted():
    sim = make_sim({"grid": {"nx": 4, "ny": 4}}, steps=1)
    minima = known_minima(sim)
    palette = basin_palette(minima)
    for index, point in enumerate(minima):
        family = GLOBAL_COLORS if point.kind == "global_min" else LOCAL_COLORS
        assert tuple(palette[index]) in {rgba(c) for c in family}
    assert len({tuple(row) for row in palette}) == len(palette)  # all different


def test_legend_lists_every_minimum_then_elsewhere_and_diverged(view):
    sim = make_sim({"grid": {"nx": 8, "ny": 8}}, steps=5)
    view.set_simulation(sim)
    minima = known_minima(sim)
    assert view.legend.texts() == [minimum_label(p) for p in minima] + ["elsewhere", "diverged"]
    assert view.legend.texts()[:2] == ["global (-0.0898, 0.713)", "global (0.0898, -0.713)"]
    assert "local (-1.7, 0.796)" in view.legend.texts()
    # Rastrigin's 121 minima: one entry per kind
    many = make_sim({"random": {"n": 50, "seed": 0}}, surface="rastrigin", steps=2)
    entries = legend_entries(known_minima(many))
    assert [e.text for e in entries] == [
        "global (0, 0)",
        "120 local minima",
        "elsewhere",
        "diverged",
    ]
    assert len(entries[1].colors) == 4


def test_basins_show_from_the_first_step_and_follow_the_playback(view):
    # a basin is where the descent from a point ends, so every start is in one from step 0;
    # playing changes a start's colour only where the optimizer leaves the basin it started in
    sim = make_sim({"grid": {"nx": 16, "ny": 16}}, lrs=(0.01,), steps=100)
    view.set_simulation(sim)
    view.set_column(0)
    start = view.maps[0].labels.copy()
    view.set_column(100)
    end = view.maps[0].labels
    assert np.count_nonzero(start == ELSEWHERE_BASIN) < 0.02 * sim.n_particles
    assert np.count_nonzero(end == ELSEWHERE_BASIN) < 0.02 * sim.n_particles
    assert 0 < np.count_nonzero(end != start) < 0.5 * sim.n_particles
    global_share = np.count_nonzero(end <= 1) - np.count_nonzero(end < 0)  # minima 0, 1
    percent = round(100 * global_share / sim.n_particles)
    assert view.panels[0].title_text() == f"lr 0.01\n{percent} % reach a global minimum"
    for column in (10, 40):
        view.set_column(column)
        colors, _labels = expected_colors(sim, 0, column)
        assert np.array_equal(view.particle_colors(0), colors)


def test_visible_runs_theme_and_log_scale(view):
    sim = make_sim({"grid": {"nx": 8, "ny": 8}}, lrs=(0.01, 0.05, 0.15), steps=20)
    view.set_simulation(sim)
    view.set_visible_runs([0, 2])
    assert [p.isVisibleTo(view) for p in view.panels] == [True, False, True]
    view.set_visible_runs(None)
    assert all(p.isVisibleTo(view) for p in view.panels)
    view.set_log_scale(True)  # no colour scale here: nothing changes
    view.set_theme(False)
    view.set_theme(True)
    view.set_column(20)
    colors, _labels = expected_colors(sim, 2, 20)
    assert np.array_equal(view.particle_colors(2), colors)


def test_fraction_texts():
    is_global = np.array([True, False])
    labels = np.array([0, 0, 1, ELSEWHERE_BASIN, DIVERGED_BASIN, 0, 0, 0])
    assert fraction_texts(labels, is_global) == (
        "62 % reach the global minimum · 12 % diverged",
        "62 % global · 12 % diverged",
    )
    two = np.array([True, True])
    assert fraction_texts(np.array([1, 1]), two)[0] == "100 % reach a global minimum"


def test_maps_take_the_grid_that_makes_them_biggest():
    no_legend = lambda _w, _inline: 0  # noqa: E731
    assert best_grid(3, 1800, 500, 1.5, no_legend)[:2] == (1, 3)  # wide: side by side
    assert best_grid(3, 800, 800, 1.5, no_legend)[:2] == (2, 2)  # square: two rows
    assert best_grid(4, 1800, 500, 1.0, no_legend)[:2] == (1, 4)
    # the legend goes into the empty cell when it fits there, else under the maps
    assert best_grid(3, 800, 800, 1.5, lambda _w, _inline: 100) == (2, 2, True)
    assert best_grid(3, 800, 800, 1.5, lambda _w, inline: 50 if inline else 1000)[2] is False


def test_set_column_is_fast_with_ten_thousand_particles_and_four_runs(view, qtbot):
    sim = make_sim({"grid": {"nx": 100, "ny": 100}}, lrs=(0.01, 0.05, 0.1, 0.15), steps=20)
    view.set_simulation(sim)
    qtbot.wait(10)
    times = []
    for column in range(1, 21):
        started = time.perf_counter()
        view.set_column(column)
        times.append(time.perf_counter() - started)
    assert np.median(times) < 0.05, times


# ----------------------------------------------------------------------------- in the window


def test_the_window_shows_the_basin_map_from_the_view_menu(window):
    area = window.view_area
    action = window.actions_.layouts["basins"]
    assert action.shortcut().toString() == "Ctrl+6"
    assert "Basin map" in action.text()
    window.playback.set_column(7)
    action.trigger()
    assert area.layout_mode == "basins"
    assert area.view("basins") is not None and area.flat.currentWidget() is area.view("basins")
    assert area.active_views() == [area.view("basins")]
    assert area.view("basins").step == 7
    window.playback.set_column(20)
    assert area.view("basins").step == 20
    sim = window.controller.simulation
    colors, _labels = expected_colors(sim, 2, 20)
    assert np.array_equal(area.view("basins").particle_colors(2), colors)
    window.actions_.dark.trigger()
    window.actions_.view_kinds["both"].trigger()
    assert area.view("basins") in area.active_views()
    window.actions_.view_kinds["flat"].trigger()
    window.actions_.layouts["contour"].trigger()
    assert area.flat.currentWidget() is area.contour


# ----------------------------------------------------------------------------- statistics


def test_the_table_shows_sharpness_global_fraction_and_basins(qtbot):
    sim = make_sim(
        {"grid": {"nx": 3, "ny": 3}},
        surface="quadratic",
        params={"a": 1.0, "b": 20.0},
        lrs=(0.05,),
        steps=80,
    )
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 200)
    panel.set_scene(sim)
    panel.set_step(80)
    panel.refresh()
    assert panel.cell_text(0, COLUMN["sharpness"]) == "20"
    tip = panel.cell_tip(0, COLUMN["sharpness"])
    assert "median 20, max 20" in tip and "median 1" in tip  # flatness: the other curvature
    assert "lr < 2 / sharpness = 0.1" in tip
    assert "2 / lr = 40" in tip  # this run's lr 0.05 fits: it settles
    assert panel.cell_text(0, COLUMN["global minimum"]) == "100 %"
    assert panel.cell_tip(0, COLUMN["basins"]) == "global (0, 0): 9 (100 %)"
    assert panel.cell_text(0, COLUMN["basins"]) == "global (0, 0) 9"


def test_the_table_fits_its_columns_at_a_laptop_width(qtbot):
    sim = make_sim({"grid": {"nx": 10, "ny": 10}}, lrs=(0.01, 0.15, 0.05))
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.resize(640, 200)  # the statistics dock at 1366 x 768 with the side docks open
    panel.show()
    panel.set_scene(sim)
    panel.refresh()
    qtbot.wait(10)
    table = panel.table
    assert not table.horizontalScrollBar().isVisible()
    assert table.columnWidth(COLUMN["basins"]) >= 36


def test_the_table_saves_the_statistics_csv(qtbot, tmp_path, monkeypatch):
    sim = make_sim({"grid": {"nx": 6, "ny": 6}}, lrs=(0.01, 0.15))
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.set_scene(sim)
    panel.set_step(30)
    out = tmp_path / "stats.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    assert panel.save_csv_dialog()
    with out.open(newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == STATS_COLUMNS
    assert [row[2] for row in rows[1:]] == ["30", "30"]
    sharp = float(rows[1][STATS_COLUMNS.index("sharpness_median")])
    assert panel.cell_text(0, COLUMN["sharpness"]) == f"{sharp:.3g}"


def test_presentation_look_enlarges_titles_legend_and_ticks(view):
    sim = make_sim({"grid": {"nx": 8, "ny": 8}}, steps=5)
    view.set_simulation(sim)
    title = view.panels[0].title.font().pointSizeF()
    legend = view.legend.caption.font().pointSizeF()
    view.set_look(1.5, 1.5)
    assert view.panels[0].title.font().pointSizeF() == pytest.approx(1.5 * title)
    assert view.legend.caption.font().pointSizeF() == pytest.approx(1.5 * legend)
    assert view.legend.texts()[-1] == "diverged"  # the entries survive
    view.set_look(1.0, 1.0)
    assert view.panels[0].title.font().pointSizeF() == pytest.approx(title)


def test_zooming_one_map_zooms_them_all(view, qtbot):
    sim = make_sim({"grid": {"nx": 8, "ny": 8}}, lrs=(0.01, 0.05, 0.15), steps=5)
    view.set_simulation(sim)
    qtbot.wait(20)
    first = view.maps[0].view_box
    first.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    first.sigRangeChangedManually.emit([True, True])  # as a mouse wheel or drag does
    for plot in view.maps[1:]:
        np.testing.assert_allclose(plot.view_box.viewRange(), first.viewRange(), atol=1e-6)


def test_a_surface_without_known_minima(view):
    sim = make_sim({"random": {"n": 40, "seed": 1}}, surface="saddle", lrs=(0.1,), steps=10)
    view.set_simulation(sim)
    view.set_column(10)
    assert view.legend.texts() == ["elsewhere", "diverged"]
    assert view.panels[0].title_text() == "lr 0.1\nno known minimum"
    assert np.all(view.particle_colors(0) == rgba(ELSEWHERE_COLOR))
