"""The main window's layout: the surface view gets the most room on any screen.

The statistics dock sits under the LR and loss plots; the right column takes the
width the square surface leaves (``fit_view_area``, after every change of view,
layout, dock or window size); the statistics are tall enough for every run
(``fit_stats``, when a scene with another number of runs arrives); a laptop screen
starts with the editor hidden (F9 shows it).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication

SIDE_FRACTION = 0.22  # of the screen's width: the right column before it is fitted
MIN_SIDE_WIDTH = 320  # the right column (LR, loss, statistics) never gets narrower
COMPACT_WIDTH = 1600  # narrower screens start with the editor hidden (F9 shows it)
EDITOR_WIDTH = 320
MAX_FIT_PASSES = 3  # a view's own layout (a colour bar coming back) may follow a pass later
FIT_AGAIN_MS = 80
EDITOR_LEAST = 250  # a wide domain may take the editor's width down to this
PRESENTATION_SIDE = 0.16  # of the width: the side plots' least in presentation mode


def fit_to_screen(window, area: QRect | None = None) -> None:
    """Size the window and docks for the screen; the surface view gets the most room.

    On a laptop (narrower than ``COMPACT_WIDTH``) the editor starts hidden (F9);
    the right column takes the width the square surface leaves (``fit_view_area``)
    and the statistics are tall enough for every run.
    """
    if area is None:  # ``area``: a screen of that size (tests, screenshots)
        area = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    window.setGeometry(area)
    compact = area.width() < COMPACT_WIDTH
    window.editor_dock.setVisible(not compact)
    side_width = max(MIN_SIDE_WIDTH, round(SIDE_FRACTION * area.width()))
    window.resizeDocks(
        [window.editor_dock, window.lr_dock], [EDITOR_WIDTH, side_width], Qt.Orientation.Horizontal
    )
    window.fit_stats()
    window._fit_timer.start()


def fit_stats(window) -> None:
    """The statistics dock tall enough to show every run's row (LR and loss share the rest)."""
    if not window.stats_dock.isVisible() or window.stats_dock.isFloating():
        return
    title_bar = window.fontMetrics().height() + 12
    wanted = window.stats_panel.preferred_height() + title_bar
    column = window.lr_dock.height() + window.loss_dock.height() + window.stats_dock.height()
    if column < 100:
        column = window.height()
    wanted = min(wanted, column // 2)
    plots = max(1, (column - wanted) // 2)
    window.resizeDocks(
        [window.lr_dock, window.loss_dock, window.stats_dock],
        [plots, plots, wanted],
        Qt.Orientation.Vertical,
    )


def fit_view_area(window) -> None:
    """The right column's width: what the surface view does not need to fill its height."""
    if not window.lr_dock.isVisible() or window.lr_dock.isFloating():
        return
    presentation = getattr(window, "presentation", None)
    least = MIN_SIDE_WIDTH
    if presentation is not None and presentation.active:
        least = round(PRESENTATION_SIDE * window.width())  # big type: plots still readable
    limit = window.view_area.width() + window.lr_dock.width() - least
    wanted = window.view_area.width_wanted(limit)
    if wanted is None:
        return
    delta = wanted - window.view_area.width()
    passes = getattr(window, "_fit_passes", 0)
    if abs(delta) < 4 or passes >= MAX_FIT_PASSES:
        window._fit_passes = 0
        return
    window._fit_passes = passes + 1  # look again once the layouts have followed
    side = max(least, window.lr_dock.width() - delta)
    short = delta - (window.lr_dock.width() - side)  # still wanted once the column yielded
    docks, widths = [window.lr_dock], [side]
    editor = window.editor_dock
    if short > 4 and editor.isVisible() and not editor.isFloating():
        docks.append(editor)
        widths.append(max(EDITOR_LEAST, editor.width() - short))
    window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
    QTimer.singleShot(FIT_AGAIN_MS, window._fit_timer.start)
