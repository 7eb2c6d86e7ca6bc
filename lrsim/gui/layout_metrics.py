"""How much of the screen the surface gets: the pixels inside each surface's plot rectangle.

A contour view's rectangle is the part of its plot area the surface's domain
covers (an aspect-locked plot wider than the domain leaves empty padding, which
does not count); a small multiple counts the same way, each on its own; the 3D
view counts its GL widget. Shares are fractions of the screen's pixels, the
figure the layout goals are stated in, and used by the layout tests.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def domain_rect(view, window: QWidget) -> QRect:
    """The domain of a ContourView (or anything with ``view_box``, ``plot_widget`` and a
    simulation) as drawn, clipped to its plot area, in ``window`` coordinates."""
    sim = getattr(view, "_sim", None)
    if sim is None or not view.isVisible():
        return QRect()
    box = view.view_box
    (xmin, xmax), (ymin, ymax) = sim.domain
    scene = box.mapViewToScene(QRectF(xmin, ymin, xmax - xmin, ymax - ymin)).boundingRect()
    scene = scene.intersected(box.sceneBoundingRect())
    widget = view.plot_widget
    corners = widget.mapFromScene(scene).boundingRect()
    top_left = widget.mapTo(window, corners.topLeft())
    return QRect(top_left, corners.size()).intersected(window.rect())


def _widget_rect(widget: QWidget, window: QWidget) -> QRect:
    if widget is None or not widget.isVisible():
        return QRect()
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def surface_rects(window) -> list[QRect]:
    """One rectangle per surface on screen (each small multiple, the 3D view), window coords."""
    rects: list[QRect] = []
    for view in window.view_area.active_views():
        multiples = getattr(view, "views", None)
        if multiples is not None:  # small multiples
            rects += [domain_rect(v, window) for v in multiples if v.isVisible()]
        elif getattr(view, "gl_view", None) is not None:
            rects.append(_widget_rect(view.gl_view, window))
        elif hasattr(view, "view_box") and hasattr(view, "plot_widget"):
            rects.append(domain_rect(view, window))
    return [r for r in rects if not r.isEmpty()]


def screen_pixels(window) -> int:
    screen = window.screen() or QGuiApplication.primaryScreen()
    size = screen.geometry()
    return max(1, size.width() * size.height())


def surface_shares(window, screen_size: tuple[int, int] | None = None) -> list[float]:
    """Each surface's rectangle as a fraction of the screen's pixels (of a screen of
    ``screen_size`` if given: a window filling a 1366 x 768 screen, say)."""
    total = screen_pixels(window) if screen_size is None else screen_size[0] * screen_size[1]
    return [r.width() * r.height() / total for r in surface_rects(window)]
