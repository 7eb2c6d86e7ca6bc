"""The window's menus and keyboard shortcuts (File, View, Playback, Help)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from lrsim import __version__
from lrsim.gui import export_actions, file_actions, simulation_settings
from lrsim.gui.resources import list_presets
from lrsim.gui.view_menu_extras import add_view_extras
from lrsim.gui.views.registry import DEFAULT, arrangements, flat_views


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


def _action(window, text: str, slot, shortcut=None, tip: str = "", checkable=False) -> QAction:
    action = QAction(text, window)
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


def build_menus(window) -> Actions:
    bar = window.menuBar()
    keys = QKeySequence.StandardKey

    file_menu = bar.addMenu("&File")
    new = _action(window, "&New", lambda: file_actions.new(window), keys.New)
    open_ = _action(window, "&Open…", lambda: file_actions.open_dialog(window), keys.Open)
    save = _action(window, "&Save", lambda: file_actions.save(window), keys.Save)
    save_as = _action(window, "Save &As…", lambda: file_actions.save_as(window), keys.SaveAs)
    file_menu.addActions([new, open_])
    presets_menu = file_menu.addMenu("&Presets")
    presets = []
    for path in list_presets():
        action = _action(
            window, _preset_title(path), lambda _c=False, p=path: file_actions.open_file(window, p)
        )
        action.setData(str(path))
        presets_menu.addAction(action)
        presets.append(action)
    presets_menu.setEnabled(bool(presets))
    file_menu.addActions([save, save_as])
    file_menu.addSeparator()
    export_menu = file_menu.addMenu("&Export")
    export_csv = _action(
        window,
        "Trajectories &CSV…",
        lambda: export_actions.export_csv(window),
        "Ctrl+E",
        "Every run, particle and step, as `lrsim export` writes it",
    )
    export_view_png = _action(
        window, "PNG of the &view…", lambda: export_actions.export_png(window, whole=False)
    )
    export_window_png = _action(
        window, "PNG of the &window…", lambda: export_actions.export_png(window, whole=True)
    )
    export_menu.addActions([export_csv, export_view_png, export_window_png])
    export_animation = _action(
        window,
        "Export &animation…",
        window.export_animation,
        "Ctrl+Shift+E",
        "Render the playback to MP4, GIF or PNG frames for slides",
    )
    export_panels = _action(
        window,
        "Export LR and loss &panels…",
        window.export_panels,
        tip="Still PNG images of the learning-rate and loss plots, for slides",
    )
    file_menu.addActions([export_animation, export_panels])
    file_menu.addSeparator()
    file_menu.addAction(_action(window, "&Quit", window.close, keys.Quit))

    view_menu = bar.addMenu("&View")
    kinds_group = QActionGroup(window)
    view_kinds = {}
    for kind, text, key in arrangements():
        action = _action(
            window, text, lambda _c=False, k=kind: window.view_area.set_kind(k), key, checkable=True
        )
        kinds_group.addAction(action)
        view_kinds[kind] = action
    view_kinds["flat"].setChecked(True)
    view_menu.addActions(list(view_kinds.values()))
    view_menu.addSeparator()
    layouts_group = QActionGroup(window)
    layouts = {}
    for mode, text, key in ((s.name, s.menu_text, s.shortcut) for s in flat_views()):
        action = _action(
            window,
            text,
            lambda _c=False, m=mode: window.view_area.set_layout_mode(m),
            key,
            checkable=True,
        )
        layouts_group.addAction(action)
        layouts[mode] = action
    layouts[DEFAULT].setChecked(True)
    view_menu.addActions(list(layouts.values()))
    view_menu.addSeparator()
    log_scale = _action(window, "&Log colour scale", window.set_log_scale, "Ctrl+L", checkable=True)
    dark = _action(window, "&Dark background", window.set_dark, "Ctrl+D", checkable=True)
    view_menu.addActions([log_scale, dark])
    window.view_extras = add_view_extras(view_menu, window)
    view_menu.addSeparator()
    docks = (
        window.editor_dock,
        window.lr_dock,
        window.step_size_dock,
        window.loss_dock,
        window.stats_dock,
    )
    for dock in docks:
        view_menu.addAction(dock.toggleViewAction())
    window.editor_dock.toggleViewAction().setShortcut(QKeySequence("F9"))
    view_menu.addSeparator()
    view_menu.addAction(
        _action(window, "&Full screen", window.set_full_screen, "F11", checkable=True)
    )
    presentation = _action(
        window,
        "&Presentation mode",
        window.set_presentation,
        "F5",
        "Full screen, big type, dark; Space plays, arrows step, +/− speed, T theme, Esc leaves",
        checkable=True,
    )
    view_menu.addAction(presentation)

    play_menu = bar.addMenu("&Playback")
    playback = window.playback
    play = _action(window, "&Play / pause", playback.toggle, "Space")
    step_forward = _action(window, "Step &forward", playback.step_forward, "Right")
    step_back = _action(window, "Step &back", playback.step_back, "Left")
    to_start = _action(window, "To the &start", playback.to_start, "Home")
    to_end = _action(window, "To the &end", playback.to_end, "End")
    play_menu.addActions([play, step_forward, step_back, to_start, to_end])
    faster = _action(window, "F&aster", playback.faster, "+", "Play faster (+ or =)")
    faster.setShortcuts([QKeySequence("+"), QKeySequence("=")])
    slower = _action(window, "S&lower", playback.slower, "-", "Play slower (−)")
    play_menu.addActions([faster, slower])
    play_menu.addSeparator()
    every_step = _action(
        window,
        "Draw &every step",
        playback.set_every_step,
        tip="Never skip a step to keep the speed (slower when drawing is slow)",
        checkable=True,
    )
    play_menu.addAction(every_step)
    play_menu.addAction(_action(window, "&Cancel computation", window.controller.cancel))

    tools_menu = bar.addMenu("&Tools")
    lr_range_test = _action(
        window,
        "LR &range test…",
        window.open_lr_range_test,
        "Ctrl+R",
        "Sweep the lr upward on a run's optimizer; use the bounds for a cyclic or one-cycle run",
    )
    tools_menu.addAction(lr_range_test)
    tune = _action(
        window,
        "&Tune…",
        lambda: _open_tune(window),
        None,
        "A fair fight: search each run's lr (and momentum) on its starts and steps, then apply",
    )
    tools_menu.addAction(tune)
    all_schedules = _action(
        window,
        "&All schedules in one plot…",
        window.open_all_schedules,
        "Ctrl+Shift+A",
        "The lr curves of the schedule families side by side, with their parameters",
    )
    tools_menu.addAction(all_schedules)
    tools_menu.addSeparator()
    tools_menu.addAction(
        _action(
            window,
            "&Memory and recording…",
            lambda: simulation_settings.open_dialog(window),
            tip="The memory budget and recording every k-th step (--memory-budget, --stride)",
        )
    )
    simulation_settings.apply_saved(window)

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(
        _action(
            window,
            "&About lrsim",
            lambda: QMessageBox.about(
                window,
                "About lrsim",
                f"<b>lrsim {__version__}</b><p>Optimizers on 2-D loss surfaces under "
                "learning-rate schedules, with the numbers torch.optim gives.</p>"
                "<p>Space play/pause · ←/→ step · Home/End start/end · +/− speed · "
                "F5 presentation mode · click the contour map to add a start.</p>",
            ),
        )
    )
    return Actions(
        open=open_,
        save=save,
        save_as=save_as,
        export_csv=export_csv,
        export_view_png=export_view_png,
        export_window_png=export_window_png,
        presets=presets,
        view_kinds=view_kinds,
        layouts=layouts,
        log_scale=log_scale,
        dark=dark,
        play=play,
        step_forward=step_forward,
        step_back=step_back,
        to_start=to_start,
        to_end=to_end,
        lr_range_test=lr_range_test,
        presentation=presentation,
        faster=faster,
        slower=slower,
        all_schedules=all_schedules,
        export_animation=export_animation,
        export_panels=export_panels,
    )


def _open_tune(window):
    from lrsim.gui.tune_actions import open_tune_dialog  # loads on first use

    return open_tune_dialog(window)
