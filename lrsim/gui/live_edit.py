"""Live edits: a dragged start or a moved slider recomputes every run at once.

``LiveEdit`` joins the contour view's ``StartDrag`` and the run cards' sliders
to the editor and the controller. Each mouse move or slider step writes the
editor (the run file records it; Save writes it), validates the editor's run
file and recomputes it through ``live_recompute.recompute``, with no debounce.
A gesture (press to release) is one step of ``undo_stack``: Edit > Undo
(Ctrl+Z) puts back the run file as it was before it; Esc while dragging puts
the starts back at once. The app had no undo stack for editor edits (text
fields keep their own Ctrl+Z while they have the focus); this one covers the
gestures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMainWindow

from lrsim.core.errors import ConfigError
from lrsim.core.recompute import with_points
from lrsim.core.runfile import parse_runfile, runfile_to_dict
from lrsim.core.stability import stable_lr
from lrsim.gui.lecture.slider_overlay import SliderOverlay
from lrsim.gui.live_recompute import end_gesture, recompute
from lrsim.gui.views.start_drag import StartDrag

if TYPE_CHECKING:  # annotations only
    from lrsim.core.engine import Simulation
    from lrsim.gui.edit_session import EditSession
    from lrsim.gui.lecture.presentation import Presentation
    from lrsim.gui.view_area import ViewArea

DIGITS = 4  # decimals a dragged start is written with (the run file and the scene agree)


class _Restore(QUndoCommand):
    """Undo puts the editor's data back as it was before a gesture; redo as after it."""

    def __init__(self, live: LiveEdit, before: dict, after: dict, text: str):
        super().__init__(text)
        self.live, self.before, self.after = live, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # pushed after the gesture was already applied
            self._first = False
            return
        self.live.show_data(self.after)

    def undo(self) -> None:
        self.live.show_data(self.before)


def moved_particles(table: dict, starts: np.ndarray, index: int, x: float, y: float) -> dict:
    """The ``[particles]`` table with start ``index`` at (x, y), or with every start shifted
    so their centre is at (x, y) (``index`` -1: random and grid starts become points)."""
    if index >= 0:
        points = [list(p) for p in table["points"]]
        points[index] = [round(x, DIGITS), round(y, DIGITS)]
        return {"points": points}
    return {"points": moved_swarm(starts, x, y).tolist()}


def moved_swarm(starts: np.ndarray, x: float, y: float) -> np.ndarray:
    """Every start shifted so their centre is at (x, y), rounded as the run file writes them."""
    return np.round(starts + (np.array([x, y]) - starts.mean(axis=0)), DIGITS)


class LiveEdit(QObject):
    """See the module docstring. ``frame`` is the main window: the Edit menu and its keys
    go there; ``catch_up(sim)`` brings the side panels to the scene when the hand lets go.
    """

    def __init__(
        self,
        frame: QMainWindow,
        *,
        session: EditSession,
        view_area: ViewArea,
        presentation: Presentation,
        catch_up: Callable[[Simulation], None],
    ):
        super().__init__(frame)
        self.session, self.catch_up = session, catch_up
        self.editor, self.document = session.editor, session.document
        self.controller, self.playback = session.controller, session.playback
        self.undo_stack = QUndoStack(self)
        self.drag = StartDrag(view_area.contour, self)
        self.drag.pressed.connect(self._on_drag_pressed)
        self.drag.moved.connect(self._on_drag_moved)
        self.drag.released.connect(self._on_gesture_finished)
        self.drag.cancelled.connect(self._on_drag_cancelled)
        self.editor.live_changed.connect(self._on_slider_changed)
        self.controller.scene_changed.connect(self._on_scene_changed)
        self._before: dict[str, Any] | None = None  # the editor's data when a gesture began
        self._grab: tuple[int, np.ndarray, dict] | None = None  # index, starts, particles
        self._moved: dict | None = None  # a dragged swarm's [particles], until released
        self._context: tuple | None = None
        self._stable = float("nan")  # 2/lambda_max of the shown surface
        self.last_error: ConfigError | None = None
        self.holding = False  # a start or slider is held: the slower side panels wait
        self._add_menu(frame)
        # the sliders over the views in presentation mode
        self.overlay = SliderOverlay(view_area, self.editor, self.controller, presentation)
        presentation.toggled.connect(self.overlay.set_active)

    def _add_menu(self, frame: QMainWindow) -> None:
        """Edit > Undo / Redo (Ctrl+Z, Ctrl+Shift+Z), after the File menu."""
        self.undo_action = self.undo_stack.createUndoAction(frame, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(frame, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        bar = frame.menuBar()
        menus = bar.actions()
        edit = bar.addMenu("&Edit")
        if len(menus) > 1:
            bar.insertMenu(menus[1], edit)
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        frame.addAction(self.undo_action)  # the keys work with the menu bar hidden too
        frame.addAction(self.redo_action)

    # ------------------------------------------------------------------ applying

    def show_data(self, data: dict) -> None:
        """Put ``data`` in the editor and show it now (undo and redo)."""
        self.editor.set_data(data)
        self.apply()

    def apply(self, data: dict | None = None, starts: np.ndarray | None = None) -> bool:
        """Validate ``data`` (the editor's run file) and recompute it now; False if refused.

        ``starts``: ``data``'s starts as an array, when a held drag moved only them: the
        scene shown then takes them without parsing every pair again (1,000 cost 3 ms)."""
        session = self.session
        session.cancel_pending()  # this edit is shown now, not after the typing pause
        data = self.editor.data() if data is None else data
        self.document.update(data)
        if not self.playback.playing:
            self.playback.to_end()  # the whole path, as it follows the hand
        try:
            runfile = self._shown_with(starts) if starts is not None else None
            runfile = parse_runfile(data) if runfile is None else runfile
            recompute(self.controller, runfile, held=self.holding)
        except ConfigError as error:
            self.last_error = error
            session.valid = False
            session.show_error(error)
            return False
        session.valid = True
        self.last_error = None
        self.editor.clear_errors()
        session.show_problem("")
        return True

    def _shown_with(self, starts: np.ndarray):
        """The shown run file with ``starts``, while a held gesture owns the scene (its run
        file then is the editor's, parsed at the gesture's first move); else None."""
        controller = self.controller
        shown = controller.runfile
        if not self.holding or shown is None or controller.live_owned is None:
            return None
        if controller.live_owned is not controller.simulation:
            return None
        if starts.shape != (shown.particles.count, 2) or not np.isfinite(starts).all():
            return None
        return with_points(shown, starts)

    def _begin(self) -> None:
        if self._before is None:
            runfile = self.controller.runfile
            self._before = runfile_to_dict(runfile) if runfile is not None else self.editor.data()

    def _let_go(self) -> None:
        """The gesture ended: the side panels catch up with the scene shown."""
        end_gesture(self.controller)
        if self.holding:
            self.holding = False
            if self.controller.simulation is not None:
                self.catch_up(self.controller.simulation)

    def _on_gesture_finished(self, text: str = "Drag start") -> None:
        if self._moved is not None:  # a dragged swarm's starts reach the editor once, now
            self.editor.starts.set_table(self._moved)
            self.document.update(self.editor.data())
        self._let_go()
        before, self._before = self._before, None
        self._grab, self._moved = None, None
        after = self.editor.data()
        if before is not None and before != after:
            self.undo_stack.push(_Restore(self, before, after, text))

    # ------------------------------------------------------------------ the drag

    def _on_drag_pressed(self, index: int, _x: float, _y: float) -> None:
        sim = self.controller.simulation
        if sim is None:
            return
        self.playback.pause()
        self._begin()
        self.holding = True
        starts = np.column_stack([sim.runs[0].x[:, 0], sim.runs[0].y[:, 0]])
        self._grab = (index, starts, self.editor.starts.table())

    def _on_drag_moved(self, x: float, y: float) -> None:
        if self._grab is None:
            return
        index, starts, table = self._grab
        if index >= 0 and "points" not in table:
            return
        editor = self.editor
        if index >= 0:  # a few points: the editor shows each move
            editor.starts.set_table(moved_particles(table, starts, index, x, y))
            self.apply()
            return
        moved = moved_swarm(starts, x, y)
        self._moved = {"points": moved.tolist()}  # a swarm: its lines are written on release
        self.apply({**editor.data(), "particles": self._moved}, moved)

    def _on_drag_cancelled(self) -> None:
        self.holding = False  # the scene put back is shown whole
        if self._grab is not None:
            self.editor.starts.set_table(self._grab[2])
            self.apply()
        self._before, self._grab, self._moved = None, None, None

    # ------------------------------------------------------------------ the sliders

    def _on_slider_changed(self, final: bool) -> None:
        self._begin()
        self.holding = self.holding or not final
        self.apply()
        if final:
            self._on_gesture_finished("Slide")

    def _on_scene_changed(self, sim) -> None:
        """Give the sliders the run's steps and 2/lambda_max (their lr scale)."""
        context = (sim.steps, id(sim.surface), tuple(sim.surface_params))
        if context != self._context:
            self._context = context
            self._stable = stable_lr(sim)
        for card in self.editor.cards:
            card.live.set_context(sim.steps, self._stable)
        if self.overlay.isVisible():
            self.overlay.sync()
