"""Grab a start in the contour view and drag it: the view's half of "drag a start".

``StartDrag`` filters the mouse events of a ``ContourView``'s viewport. A left
press within ``GRAB_PIXELS`` of a start (explicit points), or of the swarm's
centre (random and grid starts, or many points), begins a drag and is consumed;
any other press goes on to pyqtgraph as before (a click adds a start, a drag
pans). While dragging, every mouse move emits ``moved`` with the new position in
data coordinates; release emits ``released``; Esc emits ``cancelled``. What the
move means for the run file is the window's business (``gui/live_edit.py``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import QApplication

GRAB_PIXELS = 12.0  # how close to a start a press must be to grab it
MAX_GRAB_POINTS = 50  # more explicit points than this: grab the swarm's centre instead


def grab_targets(sim) -> tuple[np.ndarray, bool]:
    """The (K, 2) points a press may grab and whether they are the swarm's centre.

    Explicit starts (up to ``MAX_GRAB_POINTS``) are grabbed one by one; random and
    grid starts, and many points, move together by their centre.
    """
    x0 = np.asarray(sim.runs[0].x[:, 0], dtype=float)
    y0 = np.asarray(sim.runs[0].y[:, 0], dtype=float)
    starts = np.column_stack([x0, y0])
    if sim.runfile.particles.points is not None and len(starts) <= MAX_GRAB_POINTS:
        return starts, False
    return starts.mean(axis=0, keepdims=True), True


class StartDrag(QObject):
    """See the module docstring; ``index`` of ``pressed`` is -1 for the swarm's centre."""

    pressed = Signal(int, float, float)  # start index (-1: centre), grabbed point x, y
    moved = Signal(float, float)  # where the grabbed point is now (data coordinates)
    released = Signal()
    cancelled = Signal()

    def __init__(self, contour_view, parent: QObject | None = None):
        super().__init__(parent)
        self.view = contour_view
        self.dragging = False
        self.enabled = True
        self._offset = QPointF(0.0, 0.0)  # grabbed point minus the press, in data units
        contour_view.plot_widget.viewport().installEventFilter(self)

    def _sim(self):
        return getattr(self.view, "_sim", None)

    def _data_point(self, widget_pos) -> QPointF:
        scene = self.view.plot_widget.mapToScene(widget_pos.toPoint())
        return self.view.view_box.mapSceneToView(scene)

    def hit(self, widget_pos) -> tuple[int, float, float] | None:
        """(index, x, y) of the start under ``widget_pos`` (viewport pixels), or None."""
        sim = self._sim()
        if sim is None or sim.n_runs == 0:
            return None
        targets, centre = grab_targets(sim)
        box = self.view.view_box
        pixels = []
        for x, y in targets:
            scene = box.mapViewToScene(QPointF(float(x), float(y)))
            pixels.append(self.view.plot_widget.mapFromScene(scene))
        distance = [np.hypot(p.x() - widget_pos.x(), p.y() - widget_pos.y()) for p in pixels]
        best = int(np.argmin(distance))
        if not distance[best] <= GRAB_PIXELS:
            return None
        return (-1 if centre else best), float(targets[best][0]), float(targets[best][1])

    def eventFilter(self, watched, event) -> bool:  # Qt override
        kind = event.type()
        if kind == QEvent.Type.KeyPress and self.dragging:
            if event.key() == Qt.Key.Key_Escape:
                self._stop()
                self.cancelled.emit()
            return True  # nothing else happens while a start is held
        if kind == QEvent.Type.MouseButtonPress and self.enabled and not self.dragging:
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            grabbed = self.hit(event.position())
            if grabbed is None:
                return False  # pyqtgraph's click (add a start) or pan, as before
            index, x, y = grabbed
            press = self._data_point(event.position())
            self._offset = QPointF(x - press.x(), y - press.y())
            self.dragging = True
            QApplication.instance().installEventFilter(self)  # Esc wherever the focus is
            self.pressed.emit(index, x, y)
            return True
        if not self.dragging or watched is not self.view.plot_widget.viewport():
            return False
        if kind == QEvent.Type.MouseMove:
            point = self._data_point(event.position())
            self.moved.emit(point.x() + self._offset.x(), point.y() + self._offset.y())
            return True
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            self._stop()
            self.released.emit()
            return True
        return kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)

    def _stop(self) -> None:
        self.dragging = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
