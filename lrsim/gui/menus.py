"""The window's menus and keyboard shortcuts (File, View, Playback, Tools, Help).

``Menus`` only lays out actions; what they do belongs to the objects it is given:
``FileActions``, ``ExportActions``, ``ToolActions``, ``TuneActions``, the theme,
the presentation mode, the playback and the window's layout (views and docks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from lrsim import __version__
from lrsim.gui.controller import SimulationController
from lrsim.gui.export_actions import ExportActions
from lrsim.gui.file_actions import FileActions
from lrsim.gui.lecture.presentation import Presentation
from lrsim.gui.playback import Playback
from lrsim.gui.resources import list_presets
from lrsim.gui.tool_actions import ToolActions
from lrsim.gui.tune_actions import TuneActions
from lrsim.gui.view_menu_extras import add_view_extras
from lrsim.gui.views.registry import DEFAULT, arrangements, flat_views
from lrsim.gui.window_layout import WindowLayout
from lrsim.gui.window_theme import WindowTheme


@dataclass
class Actions:
    """The actions tests and other modules reach for."""

    open: QAction
    save: QAction
    save_as: QAction
    export_csv: QAction
    export_view_png: QAction
    export_window_png: QAction
    presets: list[QAction]
    view_kinds: dict[str, QAction]
    layouts: dict[str, QAction]
    log_scale: QAction
    dark: QAction
    play: QAction
    step_forward: QAction
    step_back: QAction
    to_start: QAction
    to_end: QAction
    lr_range_test: QAction
    presentation: QAction | None = None
    faster: QAction | None = None
    slower: QAction | None = None
    all_schedules: QAction | None = None
    export_animation: QAction | None = None
    export_panels: QAction | None = None


def _action(parent, text: str, slot, shortcut=None, tip: str = "", checkable=False) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    return action


def sync_checked(action: QAction, on: bool) -> None:
    with QSignalBlocker(action):
        action.setChecked(on)


def _preset_title(path: Path) -> str:
    from lrsim.core.runfile import read_runfile_data

    try:
        title = read_runfile_data(path).get("title")
    except Exception:  # a broken preset still gets a menu entry; opening it says why
        title = None
    return f"{title}  ({path.name})" if title else path.stem


class Menus:
    """Builds ``frame``'s menu bar; ``actions`` are the ones tests and other modules reach.

    ``set_log_scale(on)`` switches the views' colour scale (the window keeps the
    menu and the loss panel in step with it).
    """

    def __init__(
        self,
        frame: QMainWindow,
        *,
        layout: WindowLayout,
        files: FileActions,
        exports: ExportActions,
        tools: ToolActions,
        tuning: TuneActions,
        theme: WindowTheme,
        presentation: Presentation,
        playback: Playback,
        controller: SimulationController,
        set_log_scale: Callable[[bool], None],
    ):
        self.frame = frame
        self.layout = layout
        self.files, self.exports, self.tools, self.tuning = files, exports, tools, tuning
        self.theme = theme
        self.presentation = presentation
        self.playback = playback
        self.controller = controller
        self.set_log_scale = set_log_scale
        bar = frame.menuBar()
        self._file_menu(bar.addMenu("&File"))
        self._view_menu(bar.addMenu("&View"))
        self._playback_menu(bar.addMenu("&Playback"))
        self._tools_menu(bar.addMenu("&Tools"))
        self._help_menu(bar.addMenu("&Help"))
        self.actions = Actions(**self._found)
        theme.changed.connect(lambda dark: sync_checked(self.actions.dark, dark))
        presentation.toggled.connect(lambda on: sync_checked(self.actions.presentation, on))

    def _file_menu(self, file_menu) -> None:
        frame, files, exports = self.frame, self.files, self.exports
        keys = QKeySequence.StandardKey
        new = _action(frame, "&New", files.new, keys.New)
        open_ = _action(frame, "&Open…", files.open_dialog, keys.Open)
        save = _action(frame, "&Save", files.save, keys.Save)
        save_as = _action(frame, "Save &As…", files.save_as, keys.SaveAs)
        file_menu.addActions([new, open_])
        presets_menu = file_menu.addMenu("&Presets")
        presets = []
        for path in list_presets():
            action = _action(
                frame, _preset_title(path), lambda _c=False, p=path: files.open_file(p)
            )
            action.setData(str(path))
            presets_menu.addAction(action)
            presets.append(action)
        presets_menu.setEnabled(bool(presets))
        file_menu.addActions([save, save_as])
        file_menu.addSeparator()
        export_menu = file_menu.addMenu("&Export")
        export_csv = _action(
            frame,
            "Trajectories &CSV…",
            exports.export_csv,
            "Ctrl+E",
            "Every run, particle and step, as `lrsim export` writes it",
        )
        export_view_png = _action(
            frame, "PNG of the &view…", lambda: exports.export_png(whole=False)
        )
        export_window_png = _action(
            frame, "PNG of the &window…", lambda: exports.export_png(whole=True)
        )
        export_menu.addActions([export_csv, export_view_png, export_window_png])
        export_animation = _action(
            frame,
            "Export &animation…",
            exports.export_animation,
            "Ctrl+Shift+E",
            "Render the playback to MP4, GIF or PNG frames for slides",
        )
        export_panels = _action(
            frame,
            "Export LR and loss &panels…",
            exports.export_panels,
            tip="Still PNG images of the learning-rate and loss plots, for slides",
        )
        file_menu.addActions([export_animation, export_panels])
        file_menu.addSeparator()
        file_menu.addAction(_action(frame, "&Quit", frame.close, keys.Quit))
        self._found = dict(
            open=open_,
            save=save,
            save_as=save_as,
            export_csv=export_csv,
            export_view_png=export_view_png,
            export_window_png=export_window_png,
            presets=presets,
            export_animation=export_animation,
            export_panels=export_panels,
        )

    def _view_choices(self, view_menu) -> tuple[dict[str, QAction], dict[str, QAction]]:
        """View > the kind of view and the layout of the runs (one checked of each)."""
        frame, area = self.frame, self.layout.view_area
        kinds_group = QActionGroup(frame)
        view_kinds = {}
        for kind, text, key in arrangements():
            action = _action(
                frame, text, lambda _c=False, k=kind: area.set_kind(k), key, checkable=True
            )
            kinds_group.addAction(action)
            view_kinds[kind] = action
        view_kinds["flat"].setChecked(True)
        view_menu.addActions(list(view_kinds.values()))
        view_menu.addSeparator()
        layouts_group = QActionGroup(frame)
        layouts = {}
        for mode, text, key in ((v.name, v.menu_text, v.shortcut) for v in flat_views()):
            action = _action(
                frame,
                text,
                lambda _c=False, m=mode: area.set_layout_mode(m),
                key,
                checkable=True,
            )
            layouts_group.addAction(action)
            layouts[mode] = action
        layouts[DEFAULT].setChecked(True)
        view_menu.addActions(list(layouts.values()))
        return view_kinds, layouts

    def _view_menu(self, view_menu) -> None:
        frame, layout = self.frame, self.layout
        view_kinds, layouts = self._view_choices(view_menu)
        view_menu.addSeparator()
        log_scale = _action(
            frame, "&Log colour scale", self.set_log_scale, "Ctrl+L", checkable=True
        )
        dark = _action(frame, "&Dark background", self.theme.set_dark, "Ctrl+D", checkable=True)
        view_menu.addActions([log_scale, dark])
        self.view_extras = add_view_extras(view_menu, layout.view_area, frame)
        view_menu.addSeparator()
        for dock in layout.docks:
            view_menu.addAction(dock.toggleViewAction())
        layout.editor_dock.toggleViewAction().setShortcut(QKeySequence("F9"))
        view_menu.addSeparator()
        view_menu.addAction(
            _action(frame, "&Full screen", self._set_full_screen, "F11", checkable=True)
        )
        presentation = _action(
            frame,
            "&Presentation mode",
            self.presentation.set_active,
            "F5",
            "Full screen, big type, dark; Space plays, arrows step, +/− speed, T theme, Esc leaves",
            checkable=True,
        )
        view_menu.addAction(presentation)
        self._found.update(
            view_kinds=view_kinds,
            layouts=layouts,
            log_scale=log_scale,
            dark=dark,
            presentation=presentation,
        )

    def _set_full_screen(self, on: bool) -> None:
        self.frame.showFullScreen() if on else self.frame.showNormal()

    def _playback_menu(self, play_menu) -> None:
        frame, playback = self.frame, self.playback
        play = _action(frame, "&Play / pause", playback.toggle, "Space")
        step_forward = _action(frame, "Step &forward", playback.step_forward, "Right")
        step_back = _action(frame, "Step &back", playback.step_back, "Left")
        to_start = _action(frame, "To the &start", playback.to_start, "Home")
        to_end = _action(frame, "To the &end", playback.to_end, "End")
        play_menu.addActions([play, step_forward, step_back, to_start, to_end])
        faster = _action(frame, "F&aster", playback.faster, "+", "Play faster (+ or =)")
        faster.setShortcuts([QKeySequence("+"), QKeySequence("=")])
        slower = _action(frame, "S&lower", playback.slower, "-", "Play slower (−)")
        play_menu.addActions([faster, slower])
        play_menu.addSeparator()
        every_step = _action(
            frame,
            "Draw &every step",
            playback.set_every_step,
            tip="Never skip a step to keep the speed (slower when drawing is slow)",
            checkable=True,
        )
        play_menu.addAction(every_step)
        play_menu.addAction(_action(frame, "&Cancel computation", self.controller.cancel))
        self._found.update(
            play=play,
            step_forward=step_forward,
            step_back=step_back,
            to_start=to_start,
            to_end=to_end,
            faster=faster,
            slower=slower,
        )

    def _tools_menu(self, tools_menu) -> None:
        frame, tools = self.frame, self.tools
        lr_range_test = _action(
            frame,
            "LR &range test…",
            tools.open_lr_range_test,
            "Ctrl+R",
            "Sweep the lr upward on a run's optimizer;"
            " use the bounds for a cyclic or one-cycle run",
        )
        tools_menu.addAction(lr_range_test)
        tune = _action(
            frame,
            "&Tune…",
            self.tuning.open_dialog,
            None,
            "A fair fight: search each run's lr (and momentum) on its starts and steps, then apply",
        )
        tools_menu.addAction(tune)
        all_schedules = _action(
            frame,
            "&All schedules in one plot…",
            tools.open_all_schedules,
            "Ctrl+Shift+A",
            "The lr curves of the schedule families side by side, with their parameters",
        )
        tools_menu.addAction(all_schedules)
        tools_menu.addSeparator()
        tools_menu.addAction(
            _action(
                frame,
                "&Memory and recording…",
                tools.open_simulation_settings,
                tip="The memory budget and recording every k-th step (--memory-budget, --stride)",
            )
        )
        self._found.update(lr_range_test=lr_range_test, all_schedules=all_schedules)

    def _help_menu(self, help_menu) -> None:
        frame = self.frame
        help_menu.addAction(
            _action(
                frame,
                "&About lrsim",
                lambda: QMessageBox.about(
                    frame,
                    "About lrsim",
                    f"<b>lrsim {__version__}</b><p>Optimizers on 2-D loss surfaces under "
                    "learning-rate schedules, with the numbers torch.optim gives.</p>"
                    "<p>Space play/pause · ←/→ step · Home/End start/end · +/− speed · "
                    "F5 presentation mode · click the contour map to add a start.</p>",
                ),
            )
        )
