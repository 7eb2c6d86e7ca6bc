"""Presentation mode: full screen for a lecture hall, and back exactly as it was.

``Presentation(frame, layout, theme, playback).enter()`` hides the editor, the statistics and every
other dock but the LR and loss panels, the menu and status bars; makes the window
full screen; scales text (about 1.5x on a 1080-line screen) and lines up; moves
the run file's explanation into a column beside the views; switches to the
presentation theme (dark unless the lecturer chose light last time; T or Ctrl+D
switches); and drives the playback from the keyboard wherever the focus is:

    Space play/pause   Left/Right step   Home/End start/end   + / - speed
    T theme            Esc or F5 leave

``leave()`` restores the window's geometry, full-screen state, dock layout
(``saveState``/``restoreState``), bars, theme, explanation and looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame, QLabel, QMainWindow, QWidget

from lrsim.gui.playback import Playback
from lrsim.gui.window_theme import WindowTheme

if TYPE_CHECKING:  # the layout imports the lecture package (its explanation panel)
    from lrsim.gui.window_layout import WindowLayout

HINT = "Space play  ·  ← → step  ·  + − speed  ·  T theme  ·  Esc leave"
HINT_MS = 4500
SIDE_FRACTION = 0.22  # of the screen's width: the LR and loss panels
COLUMN_FRACTION = 0.2  # the explanation column


def looks_for_height(height: int) -> tuple[float, float]:
    """(font scale, line scale) for a screen ``height`` pixels tall.

    1.5x text on a 1080-line projector, 1.25x on a 768-line one (its pixels are
    bigger on the same wall); lines a little thicker still.
    """
    fraction = min(1.0, max(0.0, (height - 768) / (1080 - 768)))
    font_scale = 1.25 + 0.25 * fraction
    return font_scale, font_scale + 0.15


@dataclass
class _Saved:
    """What ``enter`` changes, to put back in ``leave``."""

    geometry: QRect
    state: QByteArray
    window_state: Qt.WindowState
    dark: bool
    menu_bar: bool
    status_bar: bool
    explanation_expanded: bool
    focus: QWidget | None


class _PlaybackKeys(QObject):
    """Application event filter: the lecture keys reach the playback whatever has focus.

    Keys the window's own shortcuts take (Space, arrows, Home/End) never arrive
    here as key presses; this catches them when a focused widget kept them for
    itself (a spin box, a text field), and handles Esc, T and the speed keys.
    """

    def __init__(self, presentation: Presentation):
        super().__init__(presentation)
        self.presentation = presentation

    def eventFilter(self, watched, event) -> bool:  # Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.presentation.frame:
            return False  # a dialog opened from the window keeps its keys
        return self.presentation.handle_key(event)


class Presentation(QObject):
    """Presentation mode of ``frame`` (the main window), whose widgets ``layout`` holds;
    ``toggled(bool)`` when it is entered or left."""

    toggled = Signal(bool)

    def __init__(
        self, frame: QMainWindow, layout: WindowLayout, theme: WindowTheme, playback: Playback
    ):
        super().__init__(frame)
        self.frame = frame
        self.layout = layout
        self.theme = theme
        self.playback = playback
        self._saved: _Saved | None = None
        self._keys = _PlaybackKeys(self)
        self.font_scale = 1.0
        self.line_scale = 1.0
        self.hint = QLabel(HINT, layout.view_area)  # over the views, placed in their corner
        self.hint.setObjectName("presentation_hint")
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.hide()
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.timeout.connect(self.hint.hide)

    @property
    def active(self) -> bool:
        return self._saved is not None

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def set_active(self, on: bool) -> None:
        self.enter() if on else self.leave()

    # ------------------------------------------------------------------ entering

    def enter(self) -> None:
        if self.active:
            return
        frame, layout = self.frame, self.layout
        self._saved = _Saved(
            geometry=frame.geometry(),
            state=frame.saveState(),
            window_state=frame.windowState(),
            dark=self.theme.dark,
            menu_bar=frame.menuBar().isVisible(),
            status_bar=frame.statusBar().isVisible(),
            explanation_expanded=layout.explanation.expanded,
            focus=QApplication.focusWidget(),
        )
        self.theme.presenting = layout.presenting = True
        for action in _menu_actions(frame):
            frame.addAction(action)  # shortcuts keep working with the menu bar hidden
        for dock in frame.findChildren(QDockWidget):
            if dock in (layout.lr_dock, layout.loss_dock):
                dock.setTitleBarWidget(QWidget(dock))  # the plots' axes say what they are
            else:
                dock.hide()
        frame.menuBar().hide()
        frame.statusBar().hide()
        screen = frame.screen() or QGuiApplication.primaryScreen()
        area = screen.geometry()
        self.font_scale, self.line_scale = looks_for_height(area.height())
        layout.place_explanation(column=True)
        layout.explanation.setFixedWidth(round(COLUMN_FRACTION * area.width()))
        layout.view_area.legend.setFixedWidth(round(COLUMN_FRACTION * area.width()))
        self._set_looks(self.font_scale, self.line_scale)
        self.theme.apply(self.theme.presentation_dark())
        frame.showFullScreen()
        self._size_docks()
        frame.installEventFilter(self)  # full screen may arrive later: size the docks then
        layout.view_area.installEventFilter(self)
        QApplication.instance().installEventFilter(self._keys)
        layout.view_area.setFocus(Qt.FocusReason.OtherFocusReason)
        self._show_hint()
        self.toggled.emit(True)

    def eventFilter(self, watched, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize and self.active:
            if watched is self.frame:
                QTimer.singleShot(0, self._size_docks)
            elif watched is self.layout.view_area:
                self._place_hint()
        return False

    def _size_docks(self) -> None:
        if not self.active:
            return
        frame, layout = self.frame, self.layout
        side = round(SIDE_FRACTION * frame.width())
        frame.resizeDocks([layout.lr_dock], [side], Qt.Orientation.Horizontal)
        frame.resizeDocks(
            [layout.lr_dock, layout.loss_dock], [1, 1], Qt.Orientation.Vertical
        )  # equal heights
        layout.fit_view_area()  # then the side plots yield what the surface can use

    def _set_looks(self, font_scale: float, line_scale: float) -> None:
        self.layout.set_look(font_scale, line_scale)
        for dock in (self.layout.lr_dock, self.layout.loss_dock):
            # their check boxes and notes; an unset font (QFont()) inherits the window's again
            dock.widget().setFont(_scaled_font(font_scale) if font_scale != 1.0 else QFont())

    def _show_hint(self) -> None:
        hint = self.hint
        scale = self.font_scale
        hint.setStyleSheet(
            "QLabel#presentation_hint { background: rgba(20, 20, 24, 215); color: #f0f0f0;"
            f" border-radius: {round(8 * scale)}px; padding: {round(10 * scale)}px"
            f" {round(22 * scale)}px; font-size: {11 * scale:.0f}pt; }}"
        )
        self._place_hint()
        hint.raise_()
        hint.show()
        QTimer.singleShot(0, self._place_hint)  # once the full-screen layout has settled
        self._hint_timer.start(HINT_MS)

    def _place_hint(self) -> None:
        """Centred low over the views, or high when a floating panel (the live sliders)
        sits low (again once full screen has settled)."""
        hint, views = self.hint, self.layout.view_area
        hint.setMinimumWidth(0)
        hint.setMaximumWidth(16_777_215)
        hint.setWordWrap(False)
        hint.adjustSize()
        if hint.width() > views.width() - 20:
            hint.setWordWrap(True)
            hint.setFixedWidth(max(200, views.width() - 20))
            hint.adjustSize()
        margin = round(40 * self.font_scale)
        x = (views.width() - hint.width()) // 2
        low = QRect(x, views.height() - hint.height() - margin, hint.width(), hint.height())
        covered = any(panel.geometry().intersects(low) for panel in _floating_panels(views))
        hint.move(x, margin if covered else low.y())  # never under the live sliders
        hint.raise_()

    # ------------------------------------------------------------------ leaving

    def leave(self) -> None:
        saved, self._saved = self._saved, None
        if saved is None:
            return
        frame, layout = self.frame, self.layout
        self.theme.presenting = layout.presenting = False
        QApplication.instance().removeEventFilter(self._keys)
        frame.removeEventFilter(self)
        layout.view_area.removeEventFilter(self)
        self._hint_timer.stop()
        self.hint.hide()
        self.font_scale = self.line_scale = 1.0
        self._set_looks(1.0, 1.0)
        for dock in (layout.lr_dock, layout.loss_dock):
            dock.setTitleBarWidget(None)
        layout.view_area.legend.setMinimumWidth(0)
        layout.view_area.legend.setMaximumWidth(16_777_215)
        layout.place_explanation(column=False)
        layout.explanation.set_expanded(saved.explanation_expanded)
        frame.menuBar().setVisible(saved.menu_bar)
        frame.statusBar().setVisible(saved.status_bar)
        self.theme.apply(saved.dark)
        frame.setWindowState(saved.window_state)
        if not saved.window_state & (
            Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMaximized
        ):
            frame.setGeometry(saved.geometry)  # as it was (restoreGeometry would refit it)
        frame.restoreState(saved.state)
        # the window manager may finish leaving full screen later: restore the docks again
        QTimer.singleShot(0, lambda: frame.restoreState(saved.state))
        if saved.focus is not None and shiboken6.isValid(saved.focus) and saved.focus.isVisible():
            saved.focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.toggled.emit(False)

    # ------------------------------------------------------------------ keys

    def handle_key(self, event: QKeyEvent) -> bool:
        """Do what a lecture key asks; True if ``event`` was one."""
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            return False
        playback = self.playback
        actions = {
            Qt.Key.Key_Space: playback.toggle,
            Qt.Key.Key_Right: playback.step_forward,
            Qt.Key.Key_Left: playback.step_back,
            Qt.Key.Key_Home: playback.to_start,
            Qt.Key.Key_End: playback.to_end,
            Qt.Key.Key_Plus: playback.faster,
            Qt.Key.Key_Equal: playback.faster,
            Qt.Key.Key_Minus: playback.slower,
            Qt.Key.Key_Underscore: playback.slower,
            Qt.Key.Key_T: self.theme.toggle,
            Qt.Key.Key_Escape: self.leave,
            Qt.Key.Key_F5: self.leave,
        }
        action = actions.get(Qt.Key(key))
        if action is None:
            return False
        if event.isAutoRepeat() and key not in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            return True  # holding Space must not flicker play/pause
        action()
        return True


def _scaled_font(scale: float) -> QFont:
    font = QFont()
    font.setPointSizeF(font.pointSizeF() * scale)
    return font


def _menu_actions(frame) -> list:
    """Every action of the window's menus (submenus included), with a shortcut."""
    found = []
    pending = list(frame.menuBar().actions())
    while pending:
        action = pending.pop()
        menu = action.menu()
        if menu is not None:
            pending.extend(menu.actions())
        elif not action.shortcut().isEmpty():
            found.append(action)
    return found


def _floating_panels(views: QWidget) -> list[QWidget]:
    """Visible panels floating over ``views`` (not laid out in it: smaller than half of it)."""
    return [
        child
        for child in views.findChildren(QFrame, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not isinstance(child, QLabel)  # notes and the hint itself
        and child.isVisible()
        and child.height() < views.height() // 2
        and child.width() < views.width()
    ]
