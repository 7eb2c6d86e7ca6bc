"""The main window's layout: the surface view gets the most room on any screen.

``WindowLayout`` builds what the window shows (the explanation, the views and the
playback bar in the middle; the editor dock on the left; the LR, effective-step,
loss and statistics docks on the right; the problem line and progress in the
status bar) and keeps it fitted. The statistics dock sits under the LR and loss
plots; the right column takes the width the square surface leaves
(``fit_view_area``, after every change of view, layout, dock or window size); the
statistics are tall enough for every run (``fit_stats``, when a scene with another
number of runs arrives); a laptop screen starts with the editor hidden (F9 shows it).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from lrsim.gui.lecture.explanation import ExplanationPanel
from lrsim.gui.panels.loss_panel import LossPanel
from lrsim.gui.panels.lr_panel import LrPanel
from lrsim.gui.panels.run_editor import RunEditor
from lrsim.gui.panels.stats_panel import StatsPanel
from lrsim.gui.panels.step_size_panel import StepSizePanel
from lrsim.gui.playback import Playback
from lrsim.gui.playback_bar import PlaybackBar
from lrsim.gui.progress_status import ProgressStatus
from lrsim.gui.view_area import ViewArea
from lrsim.gui.views.averaged_overlay import AveragedOverlay

SIDE_FRACTION = 0.22  # of the screen's width: the right column before it is fitted
MIN_SIDE_WIDTH = 320  # the right column (LR, loss, statistics) never gets narrower
COMPACT_WIDTH = 1600  # narrower screens start with the editor hidden (F9 shows it)
EDITOR_WIDTH = 320
MAX_FIT_PASSES = 3  # a view's own layout (a colour bar coming back) may follow a pass later
FIT_AGAIN_MS = 80
EDITOR_LEAST = 250  # a wide domain may take the editor's width down to this
PRESENTATION_SIDE = 0.16  # of the width: the side plots' least in presentation mode
SETTING_EXPLANATION = "explanation_expanded"
ROOMY_HEIGHT = 1200  # taller screens start with the explanation expanded


class WindowLayout:
    """The widgets of ``frame`` (a QMainWindow) and where they sit; see the module docstring."""

    def __init__(self, frame: QMainWindow, settings: QSettings, playback: Playback):
        self.frame = frame
        self.presenting = False  # presentation mode: the side plots keep a bigger least width
        self._fit_passes = 0
        self.fit_timer = QTimer(frame)  # the docks yield the width the surface can use
        self.fit_timer.setSingleShot(True)
        self.fit_timer.setInterval(0)
        self.fit_timer.timeout.connect(self.fit_view_area)
        self._build_central(settings, playback)
        self._build_docks()
        self._build_status()

    def _build_central(self, settings: QSettings, playback: Playback) -> None:
        """The explanation above the views (a column beside them in presentation mode),
        the views, and the playback bar under them."""
        central = QWidget(self.frame)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self._column_slot = QVBoxLayout()  # the explanation's place in presentation mode
        self._column_slot.setContentsMargins(0, 0, 0, 0)
        row.addLayout(self._column_slot)
        layout = QVBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        row.addLayout(layout, 1)
        self._main_column = layout
        self.explanation = ExplanationPanel(central)
        screen = self.frame.screen() or QGuiApplication.primaryScreen()
        roomy = screen is None or screen.availableGeometry().height() >= ROOMY_HEIGHT
        self.explanation.set_expanded(settings.value(SETTING_EXPLANATION, roomy, type=bool))
        self.explanation.expanded_changed.connect(
            lambda on: settings.setValue(SETTING_EXPLANATION, bool(on))
        )
        layout.addWidget(self.explanation)
        self.view_area = ViewArea(central)
        self.view_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keys drive the playback
        self.view_area.arrangement_changed.connect(self.fit_timer.start)
        layout.addWidget(self.view_area, 1)
        self.averaged_overlay = AveragedOverlay(self.view_area.contour.view_box)
        self.playback_bar = PlaybackBar(playback, central)
        layout.addWidget(self.playback_bar)
        self.frame.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self.frame)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.frame.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        frame = self.frame
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.editor = RunEditor(frame)
        self.lr_panel = LrPanel(frame)
        self.loss_panel = LossPanel(frame)
        self.stats_panel = StatsPanel(frame)
        self.editor_dock = self._dock("Run editor", "editor", self.editor, left)
        self.lr_dock = self._dock("Learning rate", "lr", self.lr_panel, right)
        self.loss_dock = self._dock("Loss", "loss", self.loss_panel, right)
        self.step_size_panel = StepSizePanel(frame)
        self.step_size_dock = self._dock("Effective step", "step_size", self.step_size_panel, right)
        frame.tabifyDockWidget(self.lr_dock, self.step_size_dock)
        # shown from View > Effective step, as a tab beside the LR plot: a tab bar would take
        # the LR plot's height on a laptop screen for a panel most lectures do not need
        self.step_size_dock.hide()
        self.lr_dock.raise_()
        # the statistics sit under the side plots, not under the surface: a square domain
        # leaves width to spare, never height
        self.stats_dock = self._dock("Statistics", "stats", self.stats_panel, right)
        frame.splitDockWidget(self.loss_dock, self.stats_dock, Qt.Orientation.Vertical)
        frame.setCorner(Qt.Corner.BottomLeftCorner, left)
        frame.setCorner(Qt.Corner.BottomRightCorner, right)
        for dock in self.docks:
            dock.visibilityChanged.connect(lambda _on: self.fit_timer.start())

    @property
    def docks(self) -> tuple[QDockWidget, ...]:
        """The docks in the View menu's order."""
        return (
            self.editor_dock,
            self.lr_dock,
            self.step_size_dock,
            self.loss_dock,
            self.stats_dock,
        )

    def _build_status(self) -> None:
        status = self.frame.statusBar()
        self.problem_label = QLabel(self.frame)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)  # keys from a file: no HTML
        self.problem_label.setStyleSheet("color: #d62728; font-weight: bold;")
        status.addWidget(self.problem_label, 1)
        self.progress = ProgressStatus(self.frame)
        status.addPermanentWidget(self.progress)

    def show_problem(self, message: str) -> None:
        """Why the editor's run file is not shown ("" clears it); stays until replaced."""
        if message:
            self.frame.statusBar().clearMessage()  # a passing note must not cover the problem
        self.problem_label.setText(message)
        self.problem_label.setToolTip(message)

    def place_explanation(self, *, column: bool) -> None:
        """The explanation as a column left of the views (presentation) or a banner above."""
        legend = self.view_area.legend  # in the column too: the surface gets the height
        legend.set_max_lines(8 if column else None)
        if column:
            self._column_slot.addWidget(legend)
            self._column_slot.addWidget(self.explanation, 1)
        else:
            self.view_area.layout().insertWidget(0, legend)
            self._main_column.insertWidget(0, self.explanation)
        self.explanation.set_mode("column" if column else "banner")
        self.view_area.set_compact(column)

    def set_theme(self, dark: bool) -> None:
        self.view_area.set_theme(dark)
        self.lr_panel.set_theme(dark)
        self.loss_panel.set_theme(dark)
        self.step_size_panel.set_theme(dark)

    def set_look(self, font_scale: float, line_scale: float) -> None:
        """Text and lines of the views and plots scaled (presentation mode; 1, 1 is normal)."""
        self.view_area.set_look(font_scale, line_scale)
        self.view_area.legend.set_font_scale(font_scale)
        self.lr_panel.set_look(font_scale, line_scale)
        self.loss_panel.set_look(font_scale, line_scale)
        self.step_size_panel.set_look(font_scale, line_scale)
        self.playback_bar.set_scale(font_scale)
        self.explanation.set_font_scale(font_scale)

    # ------------------------------------------------------------------ fitting

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Size the window and docks for the screen; the surface view gets the most room.

        On a laptop (narrower than ``COMPACT_WIDTH``) the editor starts hidden (F9);
        the right column takes the width the square surface leaves (``fit_view_area``)
        and the statistics are tall enough for every run.
        """
        frame = self.frame
        if area is None:  # ``area``: a screen of that size (tests, screenshots)
            area = (frame.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        frame.setGeometry(area)
        compact = area.width() < COMPACT_WIDTH
        self.editor_dock.setVisible(not compact)
        side_width = max(MIN_SIDE_WIDTH, round(SIDE_FRACTION * area.width()))
        frame.resizeDocks(
            [self.editor_dock, self.lr_dock], [EDITOR_WIDTH, side_width], Qt.Orientation.Horizontal
        )
        self.fit_stats()
        self.fit_timer.start()

    def fit_stats(self) -> None:
        """The statistics dock tall enough to show every run's row (LR and loss share the rest)."""
        if not self.stats_dock.isVisible() or self.stats_dock.isFloating():
            return
        frame = self.frame
        title_bar = frame.fontMetrics().height() + 12
        wanted = self.stats_panel.preferred_height() + title_bar
        column = self.lr_dock.height() + self.loss_dock.height() + self.stats_dock.height()
        if column < 100:
            column = frame.height()
        wanted = min(wanted, column // 2)
        plots = max(1, (column - wanted) // 2)
        frame.resizeDocks(
            [self.lr_dock, self.loss_dock, self.stats_dock],
            [plots, plots, wanted],
            Qt.Orientation.Vertical,
        )

    def fit_view_area(self) -> None:
        """The right column's width: what the surface view does not need to fill its height."""
        if not self.lr_dock.isVisible() or self.lr_dock.isFloating():
            return
        least = MIN_SIDE_WIDTH
        if self.presenting:
            least = round(PRESENTATION_SIDE * self.frame.width())  # big type: plots readable
        limit = self.view_area.width() + self.lr_dock.width() - least
        wanted = self.view_area.width_wanted(limit)
        if wanted is None:
            return
        delta = wanted - self.view_area.width()
        if abs(delta) < 4 or self._fit_passes >= MAX_FIT_PASSES:
            self._fit_passes = 0
            return
        self._fit_passes += 1  # look again once the layouts have followed
        side = max(least, self.lr_dock.width() - delta)
        short = delta - (self.lr_dock.width() - side)  # still wanted once the column yielded
        docks, widths = [self.lr_dock], [side]
        editor = self.editor_dock
        if short > 4 and editor.isVisible() and not editor.isFloating():
            docks.append(editor)
            widths.append(max(EDITOR_LEAST, editor.width() - short))
        self.frame.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
        QTimer.singleShot(FIT_AGAIN_MS, self.fit_timer.start)
