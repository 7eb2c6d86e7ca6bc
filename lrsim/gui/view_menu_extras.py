"""View > Trails, View > Step anatomy and View > Reset 3D camera: how much history the
swarms show, the anatomy of a step for every particle, and the 3D view's camera back to
its default. Kept out of ``menus`` so that module stays a table."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow

from lrsim.gui.view_area import ViewArea

TRAIL_CHOICES = (
    (None, "&All steps"),
    (30, "Last &30 steps"),
    (10, "Last &10 steps"),
    (3, "Last &3 steps"),
    (0, "&None (particles only)"),
)


def add_view_extras(view_menu, area: ViewArea, frame: QMainWindow) -> dict[str, QAction]:
    """Add the Trails submenu and the camera reset to ``view_menu`` (for ``area``, the
    window ``frame``'s views); returns the actions."""
    trails = view_menu.addMenu("&Trails")
    group = QActionGroup(frame)
    actions: dict[str, QAction] = {}
    for length, text in TRAIL_CHOICES:
        action = trails.addAction(text)
        action.setCheckable(True)
        action.setChecked(length is None)
        action.triggered.connect(lambda _c=False, k=length: area.set_trail(k, area.trail[1]))
        group.addAction(action)
        actions[f"trail_{length}"] = action
    trails.addSeparator()
    fade = trails.addAction("&Fade short trails")
    fade.setCheckable(True)
    fade.setChecked(True)
    fade.setToolTip("Older steps of a short trail are drawn fainter")
    fade.toggled.connect(lambda on: area.set_trail(area.trail[0], on))
    actions["fade"] = fade

    def sync(length, on) -> None:  # a new scene's default trail shows in the menu
        for key, action in actions.items():
            if key.startswith("trail_"):
                action.setChecked(key == f"trail_{length}")
        fade.blockSignals(True)
        fade.setChecked(on)
        fade.blockSignals(False)

    area.trail_changed.connect(sync)
    sync(*area.trail)
    anatomy = view_menu.addAction("Step &anatomy for every particle")
    anatomy.setCheckable(True)
    anatomy.setToolTip(
        "Gradient, momentum and update arrows on every particle (up to 50 particles x runs);"
        " click one particle to see its numbers"
    )

    def set_anatomy(on: bool) -> None:
        arrows = area.contour.step_arrows
        if not arrows.set_swarm(on):
            frame.statusBar().showMessage(arrows.message, 8000)

    anatomy.toggled.connect(set_anatomy)
    actions["step_anatomy"] = anatomy
    reset = view_menu.addAction("&Reset 3D camera")
    reset.setShortcut("Ctrl+0")
    reset.setToolTip("The 3D view's camera back to its default angle and distance")
    reset.triggered.connect(area.reset_camera)
    frame.addAction(reset)
    actions["reset_camera"] = reset
    return actions
