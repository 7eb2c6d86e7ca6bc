"""The main window: views in the middle, the editor on the left, plots and statistics on the right.

The window wires small collaborators and owns none of their work:

- ``layout`` (``WindowLayout``): the widgets, the docks and how they are fitted;
- ``session`` (``EditSession``): the editor's edits validated and simulated;
- ``files``, ``exports``, ``tools``, ``tuning``: what the File and Tools menus do;
- ``theme``, ``presentation``, ``live_edit``: looks, lecture mode, drags and sliders;
- ``menus``: the menu bar, laid out from those objects' methods.

Data flow (ARCHITECTURE.md): the editor emits its data once per edit; the
session validates it after a typing pause and hands a valid run file to the
controller, whose ``scene_changed`` feeds the views and panels here; the
playback's ``step_changed`` moves them all together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow

from lrsim.core.runfile import RunFile
from lrsim.gui.controller import SimulationController
from lrsim.gui.document import RunDocument
from lrsim.gui.edit_session import EditSession
from lrsim.gui.export_actions import ExportActions
from lrsim.gui.file_actions import FileActions
from lrsim.gui.lecture.presentation import Presentation
from lrsim.gui.live_edit import LiveEdit
from lrsim.gui.menus import Menus, sync_checked
from lrsim.gui.playback import Playback
from lrsim.gui.tool_actions import ToolActions
from lrsim.gui.tune_actions import TuneActions
from lrsim.gui.window_layout import WindowLayout
from lrsim.gui.window_theme import WindowTheme


class MainWindow(QMainWindow):
    """The lrsim desktop app; ``open_initial`` decides what it shows first."""

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self._shown_surface = None  # a scene on another surface takes its colour scale
        self._text = ("", "")  # the editor's title and description, as last edited
        self.document = RunDocument(self)
        self.controller = SimulationController(self)
        self.playback = Playback(self)
        layout = self.layout_ = WindowLayout(self, self.settings, self.playback)
        self.view_area, self.explanation = layout.view_area, layout.explanation
        self.editor, self.lr_panel, self.loss_panel = (
            layout.editor,
            layout.lr_panel,
            layout.loss_panel,
        )
        self.stats_panel, self.step_size_panel = layout.stats_panel, layout.step_size_panel
        self.editor_dock, self.lr_dock, self.loss_dock = (
            layout.editor_dock,
            layout.lr_dock,
            layout.loss_dock,
        )
        self.stats_dock, self.step_size_dock = layout.stats_dock, layout.step_size_dock
        self.playback_bar, self.averaged_overlay = layout.playback_bar, layout.averaged_overlay
        self.problem_label, self.progress = layout.problem_label, layout.progress
        self.theme = WindowTheme(self.settings, layout.set_theme, self)
        self.session = EditSession(
            self.editor, self.document, self.controller, self.playback, layout.show_problem, self
        )
        self.files = FileActions(self, self.session, self.settings, self.statusBar())
        self.exports = ExportActions(
            self,
            self.session,
            self.view_area,
            self.theme,
            self.progress,
            self.statusBar(),
            log_scale=lambda: self.actions_.log_scale.isChecked(),
        )
        self.tools = ToolActions(self, self.session, self.theme, self.settings)
        self.tuning = TuneActions(self, self.session)
        self.presentation = Presentation(self, layout, self.theme, self.playback)
        self.menus = Menus(
            self,
            layout=layout,
            files=self.files,
            exports=self.exports,
            tools=self.tools,
            tuning=self.tuning,
            theme=self.theme,
            presentation=self.presentation,
            playback=self.playback,
            controller=self.controller,
            set_log_scale=self.set_log_scale,
        )
        self.actions_ = self.menus.actions
        self._connect()
        self.live_edit = LiveEdit(  # drag a start, slide an lr: recomputed at once
            self,
            session=self.session,
            view_area=self.view_area,
            presentation=self.presentation,
            catch_up=self._catch_up,
        )
        self.theme.restore()
        self._on_document_changed()

    def _connect(self) -> None:
        self.editor.state_changed.connect(self._on_editor_changed)
        self.files.replaced.connect(self._on_replaced)
        self.controller.scene_changed.connect(self._on_scene_changed)
        self.controller.busy_changed.connect(self._on_busy_changed)
        self.controller.progress_changed.connect(self.progress.set_fraction)
        self.playback.step_changed.connect(self._on_step_changed)
        self.step_size_panel.inner_ready.connect(
            lambda: self._on_step_changed(self.playback.column)
        )
        self.view_area.start_point_requested.connect(self.editor.add_start_point)
        self.document.state_changed.connect(self._on_document_changed)

    # ------------------------------------------------------------------ the window's API

    @property
    def runfile(self) -> RunFile | None:
        """The valid run file whose simulation is shown (None before the first)."""
        return self.controller.runfile

    @property
    def dark(self) -> bool:
        return self.theme.dark

    def open_initial(self, path: str | Path | None) -> None:
        """The file given, else the last one opened (if it still loads), else the preset."""
        self.view_area.setFocus()  # Space plays at once, not into a text field
        self.files.open_initial(path)

    def open_path(self, path: Path, **how) -> bool:
        """Load ``path`` into the editor and simulate it (``FileActions.open_path``)."""
        return self.files.open_path(path, **how)

    def apply_editor(self) -> bool:
        """Validate the editor now and, if valid and changed, simulate it."""
        return self.session.apply_editor()

    def show_problem(self, message: str) -> None:
        self.layout_.show_problem(message)

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Size the window and docks for the screen (``WindowLayout.fit_to_screen``)."""
        self.layout_.fit_to_screen(area)

    def set_log_scale(self, on: bool) -> None:
        self.view_area.set_log_scale(on)
        sync_checked(self.actions_.log_scale, on)

    # ------------------------------------------------------------------ what the editor says

    def _on_editor_changed(self, data: dict[str, Any]) -> None:
        self._show_text(data)

    def _on_replaced(self, data: dict[str, Any]) -> None:
        """Another document: tools of the old one close, its explanation shows."""
        self.tools.close_lr_range_test()  # its bounds belong to the file it tested
        self._show_text(data)

    def _show_text(self, data: dict[str, Any]) -> None:
        """The editor's title and description (they change without a new simulation)."""
        self._text = (str(data.get("title", "") or ""), str(data.get("description", "") or ""))
        self._update_explanation()

    def _update_explanation(self) -> None:
        sim = self.controller.simulation
        colors = [run.color for run in sim.runs] if sim is not None else []
        self.explanation.set_text(*self._text, colors)

    def _on_document_changed(self) -> None:
        star = "*" if self.document.dirty else ""
        self.setWindowTitle(f"{self.document.display_name}{star} — lrsim")

    def _on_busy_changed(self, busy: bool) -> None:
        self.playback.set_growing(busy)  # playing follows the columns as they are computed
        if busy:
            self.progress.begin(self.controller, "simulating", self.controller.cancel)
        else:
            self.progress.end(self.controller)

    # ------------------------------------------------------------------ the scene

    def _on_scene_changed(self, sim) -> None:
        self.view_area.set_simulation(sim)
        if sim.runfile.surface != self._shown_surface:
            self._shown_surface = sim.runfile.surface
            log = bool(getattr(sim.surface, "log_scale", False))
            self.set_log_scale(log)
            self.loss_panel.log_box.setChecked(log)  # a valley's loss spans decades too
        upto = max(1, sim.recorded_upto())
        self.playback_bar.set_steps(sim.recorded_steps[:upto], sim.steps)
        self.playback.set_limit(upto - 1)
        if not self.live_edit.holding:  # a drag or slide held: the side panels when let go
            self._update_side_panels(sim)
        self._on_step_changed(self.playback.column)

    def _catch_up(self, sim) -> None:
        """A held drag or slide let go: the side panels show its last scene."""
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
            self.layout_.fit_stats()
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

    # ------------------------------------------------------------------ Qt overrides

    def resizeEvent(self, event) -> None:  # Qt override: the docks yield to the surface again
        super().resizeEvent(event)
        self.layout_.fit_timer.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if not self.files.maybe_save():
            event.ignore()
            return
        self.playback.pause()
        try:
            self.presentation.leave()  # the next start opens in the normal layout
        finally:  # worker threads must stop before the window goes, whatever happened
            self.controller.shutdown()
            self.step_size_panel.shutdown()
            self.exports.shutdown()
        event.accept()
