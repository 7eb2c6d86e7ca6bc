"""Layout facts of the window at laptop and projector sizes: the surface gets the screen,
every statistics row shows, titles are whole, and playback follows a computing run."""

from __future__ import annotations

import html

import numpy as np
import pytest
from gui_fixtures import settings_fixture  # noqa: F401
from gui_helpers import make_window
from PySide6.QtCore import QRect

from lrsim.gui.layout_metrics import surface_shares
from lrsim.gui.playback import Playback
from lrsim.gui.resources import resources_dir

PRESETS = resources_dir() / "presets"
SIZES = {"1920x1080": (1920, 1080), "1366x768": (1366, 768)}
OVERLAY_GOAL = {"1920x1080": 0.30, "1366x768": 0.25}


def settle(qtbot, window, ms: int = 300) -> None:
    """Wait until the docks have refitted (they do on timers, in a few passes)."""
    qtbot.wait(ms)
    idle = lambda: not window.layout_.fit_timer.isActive() and window.layout_._fit_passes == 0  # noqa: E731
    qtbot.waitUntil(idle, timeout=5000)
    qtbot.wait(100)


def sized_window(qtbot, settings, preset: str, size: tuple[int, int]):
    window = make_window(qtbot, settings, PRESETS / f"{preset}.toml")
    window.fit_to_screen(QRect(0, 0, *size))
    settle(qtbot, window)
    window.fit_to_screen(QRect(0, 0, *size))
    settle(qtbot, window)
    return window


@pytest.mark.parametrize("name", list(SIZES))
@pytest.mark.parametrize("preset", ["fixed-vs-decay", "optimizers-rosenbrock"])
def test_overlay_surface_gets_its_share_of_the_screen(qtbot, settings, preset, name):
    size = SIZES[name]
    window = sized_window(qtbot, settings, preset, size)
    shares = surface_shares(window, size)
    assert len(shares) == 1
    assert shares[0] >= OVERLAY_GOAL[name], f"{preset} at {name}: {shares[0]:.1%}"
    # the domain fills its plot: no empty padding beside it
    contour = window.view_area.contour
    box = contour.view_box.boundingRect()
    assert abs(contour.width_wanted() - contour.width()) <= 0.03 * contour.width()
    assert box.height() > 0.6 * window.view_area.height()


def test_three_small_multiples_each_get_six_percent_at_1080p(qtbot, settings):
    size = SIZES["1920x1080"]
    window = sized_window(qtbot, settings, "fixed-vs-decay", size)
    window.view_area.set_layout_mode("multiples")
    settle(qtbot, window, 600)
    shares = surface_shares(window, size)
    assert len(shares) == 3
    assert min(shares) >= 0.06, [f"{s:.1%}" for s in shares]
    # each view shows the domain and no more (no padding around a -5..5 domain)
    for view in window.view_area.view("multiples").views:
        (x0, x1), (y0, y1) = view.view_box.viewRange()
        assert x0 >= -5.3 and x1 <= 5.3 and y0 >= -5.3 and y1 <= 5.3


def test_small_multiples_titles_are_whole_at_1366x768(qtbot, settings):
    window = sized_window(qtbot, settings, "fixed-vs-decay", SIZES["1366x768"])
    window.view_area.set_layout_mode("multiples")
    settle(qtbot, window, 600)
    labels = [run.label for run in window.controller.simulation.runs]
    views = window.view_area.view("multiples").views
    shown = [html.unescape(view.plot_item.titleLabel.text) for view in views]
    for label, title in zip(labels, shown, strict=True):
        assert label in title and "…" not in title


@pytest.mark.parametrize("name", list(SIZES))
def test_every_statistics_row_shows_with_six_runs(qtbot, settings, name):
    window = sized_window(qtbot, settings, "optimizers-rosenbrock", SIZES[name])
    table = window.stats_panel.table
    assert table.rowCount() == 6
    viewport = table.viewport().height()
    last = table.rowViewportPosition(5) + table.rowHeight(5)
    assert window.stats_dock.isVisible() and 0 < last <= viewport
    if name == "1920x1080":  # with the editor hidden there is room: every label whole
        window.editor_dock.hide()
        settle(qtbot, window, 600)
        assert table.columnWidth(0) >= table.sizeHintForColumn(0)  # no label cut


def test_presentation_gives_the_surface_45_percent(qtbot, settings):
    size = SIZES["1920x1080"]
    window = sized_window(qtbot, settings, "fixed-vs-decay", size)
    window.presentation.enter()
    window.showNormal()  # offscreen: full screen is the platform's small screen
    window.setGeometry(QRect(0, 0, *size))
    settle(qtbot, window, 600)
    shares = surface_shares(window, size)
    window.presentation.leave()
    assert shares and shares[0] >= 0.45, f"{shares[0]:.1%}"


def test_both_views_at_laptop_size_share_the_width(qtbot, settings):
    window = sized_window(qtbot, settings, "fixed-vs-decay", SIZES["1366x768"])
    window.view_area.set_kind("both")
    settle(qtbot, window, 600)
    sizes = window.view_area.splitter.sizes()
    assert min(sizes) >= 0.4 * max(sizes)
    assert window.view_area.width() >= 0.5 * 1366
    # one colour bar (the 3D view's): the contour keeps a good share of the screen
    assert not window.view_area.contour._colorbar.isVisible()
    contour_share = surface_shares(window, SIZES["1366x768"])[0]
    assert contour_share >= 0.15, f"{contour_share:.1%}"


def test_playback_follows_a_simulation_while_it_computes():
    playback = Playback()
    playback.set_limit(5)
    playback.set_growing(True)
    playback.set_column(5)
    playback.play()
    assert playback.playing and playback.column == 5  # waits at the frontier, no rewind
    playback._carry = 3.0
    playback._on_timer_timeout()
    assert playback.playing and playback.column == 5
    playback.set_limit(9)
    playback._carry = 3.0
    playback._on_timer_timeout()
    assert playback.column > 5 and playback.playing
    playback.set_column(9)
    playback.set_growing(False)  # done: at the end, playing stops
    assert not playback.playing
    assert np.isfinite(playback.speed)
