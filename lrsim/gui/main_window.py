"""The main window: views in the middle, the editor on the left, plots and statistics on the right.

Data flow (ARCHITECTURE.md): the editor emits ``state_changed``; after a short
pause the window validates the editor's data with ``parse_runfile`` (a
``ConfigError`` goes back to the field its path names, and nothing runs); a
valid run file goes to the controller, whose ``scene_changed`` feeds the
views and panels; the playback's ``step_changed`` moves them all together.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunFile, load_runfile, parse_runfile, runfile_to_dict
from lrsim.core.safe_text import printable
from lrsim.gui import file_actions, menus, window_layout
from lrsim.gui.controller import SimulationController, same_simulation
from lrsim.gui.document import RunDocument
from lrsim.gui.explanation import ExplanationPanel
from lrsim.gui.live_edit import LiveEdit
from lrsim.gui.panels.loss_panel import LossPanel
from lrsim.gui.panels.lr_panel import LrPanel
from lrsim.gui.panels.run_editor import RunEditor
from lrsim.gui.panels.stats_panel import StatsPanel
from lrsim.gui.panels.step_size_panel import StepSizePanel
from lrsim.gui.playback import Playback
from lrsim.gui.playback_bar import PlaybackBar
from lrsim.gui.presentation import Presentation
from lrsim.gui.progress_status import ProgressStatus
from lrsim.gui.resources import default_preset, resources_dir
from lrsim.gui.theme import apply_theme
from lrsim.gui.view_area import ViewArea
from lrsim.gui.views.averaged_overlay import AveragedOverlay

EDIT_DELAY_MS = 300  # validate and re-run this long after the last keystroke
SETTING_LAST_FILE = "last_file"
SETTING_DARK = "dark_theme"
SETTING_PRESENTATION_DARK = "presentation_dark_theme"
SETTING_EXPLANATION = "explanation_expanded"
ROOMY_HEIGHT = 1200  # taller screens start with the explanation expanded


class MainWindow(QMainWindow):
    """The lrsim desktop app; ``open_initial`` decides what it shows first."""

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self._new_surface = True  # the next scene takes the surface's suggested colour scale
        self.document = RunDocument(self)
        self.controller = SimulationController(self)
        self.playback = Playback(self)
        self.background_tasks: list = []  # exports running off the GUI thread
        self.schedules_window = None  # Tools > All schedules in one plot, made on first use
        self._dark = False
        self._build_central()
        self._build_docks()
        self._build_status()
        self.actions_ = menus.build_menus(self)
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_DELAY_MS)
        self._edit_timer.timeout.connect(self.apply_editor)
        self.presentation = Presentation(self)
        self.presentation.toggled.connect(self._on_presentation_toggled)
        self._connect()
        self.live_edit = LiveEdit(self)  # drag a start, slide an lr: recomputed at once
        self.set_dark(self.settings.value(SETTING_DARK, False, type=bool))
        self._on_document_changed()

    # ------------------------------------------------------------------ layout

    def _build_central(self) -> None:
        """The explanation above the views (a column beside them in presentation mode),
        the views, and the playback bar under them."""
        central = QWidget(self)
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
        screen = self.screen() or QGuiApplication.primaryScreen()
        roomy = screen is None or screen.availableGeometry().height() >= ROOMY_HEIGHT
        self.explanation.set_expanded(self.settings.value(SETTING_EXPLANATION, roomy, type=bool))
        self.explanation.expanded_changed.connect(
            lambda on: self.settings.setValue(SETTING_EXPLANATION, bool(on))
        )
        layout.addWidget(self.explanation)
        self.view_area = ViewArea(central)
        self.view_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keys drive the playback
        self._fit_timer = QTimer(self)  # the docks yield the width the surface can use
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_view_area)
        self.view_area.arrangement_changed.connect(self._fit_timer.start)
        layout.addWidget(self.view_area, 1)
        self.averaged_overlay = AveragedOverlay(self.view_area.contour.view_box)
        self.playback_bar = PlaybackBar(self.playback, central)
        layout.addWidget(self.playback_bar)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.editor = RunEditor(self)
        self.lr_panel = LrPanel(self)
        self.loss_panel = LossPanel(self)
        self.stats_panel = StatsPanel(self)
        self.editor_dock = self._dock("Run editor", "editor", self.editor, left)
        self.lr_dock = self._dock("Learning rate", "lr", self.lr_panel, right)
        self.loss_dock = self._dock("Loss", "loss", self.loss_panel, right)
        self.step_size_panel = StepSizePanel(self)
        self.step_size_panel.inner_ready.connect(
            lambda: self._on_step_changed(self.playback.column)
        )
        self.step_size_dock = self._dock("Effective step", "step_size", self.step_size_panel, right)
        self.tabifyDockWidget(self.lr_dock, self.step_size_dock)
        # shown from View > Effective step, as a tab beside the LR plot: a tab bar would take
        # the LR plot's height on a laptop screen for a panel most lectures do not need
        self.step_size_dock.hide()
        self.lr_dock.raise_()
        # the statistics sit under the side plots, not under the surface: a square domain
        # leaves width to spare, never height
        self.stats_dock = self._dock("Statistics", "stats", self.stats_panel, right)
        self.splitDockWidget(self.loss_dock, self.stats_dock, Qt.Orientation.Vertical)
        self.setCorner(Qt.Corner.BottomLeftCorner, left)
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        for dock in (
            self.editor_dock,
            self.lr_dock,
            self.step_size_dock,
            self.loss_dock,
            self.stats_dock,
        ):
            dock.visibilityChanged.connect(lambda _on: self._fit_timer.start())

    def _build_status(self) -> None:
        status = self.statusBar()
        self.problem_label = QLabel(self)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)  # keys from a file: no HTML
        self.problem_label.setStyleSheet("color: #d62728; font-weight: bold;")
        status.addWidget(self.problem_label, 1)
        self.progress = ProgressStatus(self)
        status.addPermanentWidget(self.progress)

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Size the window and docks for the screen (``window_layout.fit_to_screen``)."""
        window_layout.fit_to_screen(self, area)

    def fit_stats(self) -> None:
        window_layout.fit_stats(self)

    def fit_view_area(self) -> None:
        window_layout.fit_view_area(self)

    # ------------------------------------------------------------------ wiring

    def _connect(self) -> None:
        self.editor.state_changed.connect(self._on_editor_changed)
        self.controller.scene_changed.connect(self._on_scene_changed)
        self.controller.busy_changed.connect(self._on_busy_changed)
        self.controller.progress_changed.connect(self.progress.set_fraction)
        self.controller.failed.connect(self._on_load_failed)
        self.playback.step_changed.connect(self._on_step_changed)
        self.view_area.start_point_requested.connect(self.editor.add_start_point)
        self.document.state_changed.connect(self._on_document_changed)

    def _on_editor_changed(self) -> None:
        self.document.update(self.editor.data())
        self._edit_timer.start()
        self._update_explanation()

    def _update_explanation(self) -> None:
        """The editor's title and description (they change without a new simulation)."""
        data = self.editor.data()
        sim = self.controller.simulation
        colors = [run.color for run in sim.runs] if sim is not None else []
        self.explanation.set_text(
            str(data.get("title", "") or ""), str(data.get("description", "") or ""), colors
        )

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

    def _on_document_changed(self) -> None:
        star = "*" if self.document.dirty else ""
        self.setWindowTitle(f"{self.document.display_name}{star} — lrsim")

    def _on_busy_changed(self, busy: bool) -> None:
        self.playback.set_growing(busy)  # playing follows the columns as they are computed
        if busy:
            self.progress.begin(self.controller, "simulating", self.controller.cancel)
        else:
            self.progress.end(self.controller)

    def _on_load_failed(self, error: Exception) -> None:
        if isinstance(error, ConfigError):
            self.editor.show_error(error)
        self.show_problem(f"Not run: {error}")

    def show_problem(self, message: str) -> None:
        if message:
            self.statusBar().clearMessage()  # a passing note must not cover the problem
        self.problem_label.setText(message)
        self.problem_label.setToolTip(message)

    # ------------------------------------------------------------------ simulation

    @property
    def runfile(self) -> RunFile | None:
        """The valid run file whose simulation is shown (None before the first)."""
        return self.controller.runfile

    def validated_runfile(self) -> RunFile | None:
        """The editor's run file, or None after showing why it is not valid."""
        try:
            runfile = parse_runfile(self.editor.data())
        except ConfigError as error:
            self.editor.show_error(error)
            self.show_problem(f"Not run: {error}")
            return None
        return runfile

    def apply_editor(self) -> None:
        """Validate the editor now and, if valid and changed, simulate it."""
        self._edit_timer.stop()
        runfile = self.validated_runfile()
        if runfile is None:
            return
        self.editor.clear_errors()
        self.show_problem("")
        current = self.controller.runfile
        if current is not None and same_simulation(runfile, current):
            return
        self.load_runfile(runfile)

    def load_runfile(
        self, runfile: RunFile, *, rewind: bool = False, background: bool = False
    ) -> bool:
        """Simulate ``runfile``; on a ConfigError show it and keep the current simulation.

        ``background`` builds the simulation off the GUI thread (the first one of
        a process loads numba and its kernels; the window paints meanwhile).
        """
        was_playing = self.playback.playing
        current = self.controller.runfile
        if current is None or current.surface != runfile.surface:
            self._new_surface = True
        try:
            self.controller.load(runfile, background=background)
        except ConfigError as error:
            self.editor.show_error(error)
            self.show_problem(f"Not run: {error}")
            return False
        except MemoryError:
            self.show_problem("Not run: out of memory; try fewer particles or steps")
            return False
        except Exception as error:  # an engine bug must not take the window down
            self.show_problem(f"Not run: internal error: {type(error).__name__}: {error}")
            return False
        if rewind:
            self.playback.to_start()
        elif was_playing:
            self.playback.play()
        return True

    def _on_scene_changed(self, sim) -> None:
        self.view_area.set_simulation(sim)
        if self._new_surface:
            self._new_surface = False
            log = bool(getattr(sim.surface, "log_scale", False))
            self.set_log_scale(log)
            self.loss_panel.log_box.setChecked(log)  # a valley's loss spans decades too
        upto = max(1, sim.recorded_upto())
        self.playback_bar.set_steps(sim.recorded_steps[:upto], sim.steps)
        self.playback.set_limit(upto - 1)
        if not self.live_edit.holding:  # a drag or slide held: the side panels when let go
            self._update_side_panels(sim)
        self._on_step_changed(self.playback.column)

    def _update_side_panels(self, sim) -> None:
        """LR, loss, effective step, statistics and explanation: the side panels of a scene."""
        self.lr_panel.set_scene(sim)
        self.loss_panel.set_scene(sim)
        self.step_size_panel.set_scene(sim)
        rows = self.stats_panel.table.rowCount()
        self.stats_panel.set_scene(sim)
        if rows != sim.n_runs:  # sized when the scene arrives: every run's row shows
            self.fit_stats()
        self._update_explanation()

    def _on_step_changed(self, column: int) -> None:
        sim = self.controller.simulation
        if sim is None:
            return
        column = min(column, max(0, sim.recorded_upto() - 1))
        step = int(sim.recorded_steps[column])
        self.view_area.set_column(column)
        if self.live_edit.holding:
            return
        self.lr_panel.set_step(step)
        self.loss_panel.set_step(step)
        self.step_size_panel.set_step(step)
        self.averaged_overlay.set_data(sim, self.step_size_panel.averaged, column)
        self.stats_panel.set_step(step)

    # ------------------------------------------------------------------ files

    def open_initial(self, path: str | Path | None) -> None:
        """The file given, else the last one opened (if it still loads), else the preset."""
        candidates = [path] if path else []
        last = self.settings.value(SETTING_LAST_FILE, "", type=str)
        if not path and last:
            candidates.append(last)
        preset = default_preset()
        if preset is not None:
            candidates.append(preset)
        self.view_area.setFocus()  # Space plays at once, not into a text field
        for candidate in candidates:
            if self.open_path(Path(candidate), quiet=candidate != path, background=True):
                return
        self.new_document()

    def remember_file(self, path: Path) -> None:
        """The file the next start reopens."""
        self.settings.setValue(SETTING_LAST_FILE, str(path))

    def is_preset(self, path: Path) -> bool:
        folder = resources_dir()
        return folder is not None and path.resolve().parent == (folder / "presets").resolve()

    def open_path(self, path: Path, *, quiet: bool = False, background: bool = False) -> bool:
        """Load ``path`` into the editor and simulate it; False (with a message) if it is bad."""
        try:
            runfile = load_runfile(path)
        except Exception as error:  # a hostile file never reaches the event loop
            if not quiet:
                message = (
                    str(error)
                    if isinstance(error, ConfigError)
                    else (f"{path}: cannot be read ({type(error).__name__}: {error})")
                )
                file_actions.warn(self, "Cannot open run file", printable(message))
            return False
        self._close_lr_range_test()  # its bounds belong to the file it tested
        self.editor.set_data(runfile_to_dict(runfile))
        self.document.reset(self.editor.data(), path, writable=not self.is_preset(path))
        self._update_explanation()
        self.remember_file(path)
        self.show_problem("")
        if not self.load_runfile(runfile, rewind=True, background=background):
            return True  # shown in the editor with its error
        self.statusBar().showMessage(f"Opened {path}", 4000)
        return True

    def new_document(self) -> None:
        data = {
            "title": "New run file",
            "steps": 100,
            "surface": {"name": "quadratic"},
            "particles": {"points": [[-4.0, 3.5]]},
            "runs": [{"label": "sgd", "color": "#1f77b4", "optimizer": {"name": "sgd", "lr": 0.1}}],
        }
        self._close_lr_range_test()
        self.editor.set_data(data)
        self.document.reset(self.editor.data(), None, writable=False)
        self._update_explanation()
        self.apply_editor()
        self.playback.to_start()

    # ------------------------------------------------------------------ tools

    def open_lr_range_test(self) -> None:
        """The LR range test on the shown run file; its bounds can set a run's schedule."""
        from lrsim.gui.lr_find_dialog import LrFindDialog  # the dialog loads on first use

        if self.runfile is None:
            self.show_problem("LR range test: there is no valid run file to test yet")
            return
        self._close_lr_range_test()
        dialog = LrFindDialog(self.runfile, 0, self)
        dialog.apply_schedule.connect(self._on_lr_range_applied)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.lr_range_dialog = dialog

    def _on_lr_range_applied(self, index: int, table: dict) -> None:
        if not self.editor.set_run_schedule(index, table):
            self.show_problem(f"LR range test: run {index} no longer exists; nothing was changed")

    def _close_lr_range_test(self) -> None:
        dialog = getattr(self, "lr_range_dialog", None)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
        self.lr_range_dialog = None

    def open_all_schedules(self):
        """Tools > All schedules in one plot: the families' lr curves, for a lecture slide."""
        from lrsim.gui.schedules_window import SchedulesWindow  # loads on first use

        if self.schedules_window is None:
            self.schedules_window = SchedulesWindow(self)
            self.schedules_window.set_theme(self.dark)
        self.schedules_window.show()
        self.schedules_window.raise_()
        self.schedules_window.activateWindow()
        return self.schedules_window

    # ------------------------------------------------------------------ export

    def export_animation(self) -> None:
        """File > Export animation…: the playback as MP4, GIF or PNG frames."""
        from lrsim.gui.render.dialog import RenderDialog  # loads on first use

        sim = self.controller.simulation
        if sim is None:
            self.show_problem("Export animation: there is no simulation to render yet")
            return
        self.playback.pause()
        dialog = RenderDialog(
            sim,
            self,
            current_view=self.view_area.current_view_name(),
            dark=self.dark,
            log_scale=self.actions_.log_scale.isChecked(),
            visible_runs=self.view_area.legend.visible_runs(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()

    def export_panels(self) -> list[Path]:
        """File > Export LR and loss panels…: still PNGs of both plots at the shown step."""
        from lrsim.gui.render.dialog import export_panel_images  # loads on first use

        sim = self.controller.simulation
        if sim is None:
            self.show_problem("Export panels: there is no simulation to draw yet")
            return []
        column = min(self.playback.column, max(0, sim.recorded_upto() - 1))
        step = int(sim.recorded_steps[column])
        written = export_panel_images(self, sim, step=step, dark=self.dark)
        if written:
            names = ", ".join(path.name for path in written)
            self.statusBar().showMessage(f"Saved {names} in {written[0].parent}", 6000)
        return written

    # ------------------------------------------------------------------ appearance

    def set_full_screen(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def set_presentation(self, on: bool) -> None:
        """View > Presentation mode (F5; Esc leaves)."""
        self.presentation.set_active(on)

    def _on_presentation_toggled(self, on: bool) -> None:
        action = getattr(self.actions_, "presentation", None)
        if action is not None:
            menus.sync_checked(action, on)

    def set_log_scale(self, on: bool) -> None:
        self.view_area.set_log_scale(on)
        menus.sync_checked(self.actions_.log_scale, on)

    @property
    def dark(self) -> bool:
        return self._dark

    def presentation_dark(self) -> bool:
        """The theme presentation mode starts in: dark unless the lecturer chose light."""
        return self.settings.value(SETTING_PRESENTATION_DARK, True, type=bool)

    def set_dark(self, dark: bool) -> None:
        """The theme (View > Dark background), remembered for normal or presentation mode."""
        key = SETTING_PRESENTATION_DARK if self.presentation.active else SETTING_DARK
        self.settings.setValue(key, bool(dark))
        self.apply_theme(dark)

    def apply_theme(self, dark: bool) -> None:
        """Dark or light everywhere: window chrome, views, side panels, open tool windows."""
        self._dark = bool(dark)
        apply_theme(dark)
        self.view_area.set_theme(dark)
        self.lr_panel.set_theme(dark)
        self.loss_panel.set_theme(dark)
        self.step_size_panel.set_theme(dark)
        if self.schedules_window is not None:
            self.schedules_window.set_theme(dark)
        menus.sync_checked(self.actions_.dark, dark)

    def resizeEvent(self, event) -> None:  # Qt override: the docks yield to the surface again
        super().resizeEvent(event)
        self._fit_timer.start()

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if not file_actions.maybe_save(self):
            event.ignore()
            return
        self.playback.pause()
        try:
            self.presentation.leave()  # the next start opens in the normal layout
        finally:  # worker threads must stop before the window goes, whatever happened
            self.controller.shutdown()
            self.step_size_panel.shutdown()
            for task in list(self.background_tasks):
                task.cancel()
                task.wait()
        event.accept()
