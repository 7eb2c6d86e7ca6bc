"""What every surface view does: the one API the view area, the playback and the
frame renderer call.

A view shows one ``Simulation`` (``set_simulation``) at one column of its
``recorded_steps`` (``set_column``; the panels' ``set_step`` takes a step, not a
column). Settings a view has no use for are accepted and documented as ignored
there, so callers never ask what a view can do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter


@runtime_checkable
class SurfaceView(Protocol):
    def set_simulation(self, sim) -> None:
        """Surface, domain, minima and runs of ``sim`` (the same ``sim`` again: more of
        it has been computed)."""

    def set_column(self, column: int) -> None:
        """Show column ``column`` of ``sim.recorded_steps`` (clamped to the recorded range)."""

    def set_log_scale(self, on: bool) -> None: ...

    def set_visible_runs(self, indices: list[int] | None) -> None:
        """Runs to draw, by index; None draws every run."""

    def set_theme(self, dark: bool) -> None: ...

    def set_look(self, font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        """Bigger type and thicker lines (presentation mode); 1, 1 is the normal look."""

    def set_emphasis(self, opacities: dict[int, float] | None) -> None:
        """Per run index, its opacity (the legend's highlight); 1 when absent."""

    def set_trail(self, length: int | None, fade: bool = True) -> None:
        """Trails of every step (None), none (0) or the last ``length`` steps."""

    def width_wanted(self, limit: int) -> int | None:
        """The width (at most about ``limit``) at which the view fills its height with no
        padding beside it; None: it takes the width it gets."""

    def grab_frame(self) -> QImage:
        """The view as drawn, for stills and rendered frames."""

    def paint_overlay(self, painter: QPainter, origin: QPointF) -> None:
        """Draw what ``QWidget.grab()`` misses (labels over a GL scene) with the view's
        top-left corner at ``origin``."""


class DrawnByGrab:
    """``grab_frame`` and ``paint_overlay`` of a view that ``QWidget.grab()`` draws whole."""

    def grab_frame(self) -> QImage:
        return self.grab().toImage()

    def paint_overlay(self, painter: QPainter, origin: QPointF) -> None:
        """Nothing: without GL, ``grab()`` has drawn everything."""
