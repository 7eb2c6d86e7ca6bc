"""The 3D view's frame: a floor with the surface's contour projected on it, axes with
ticks along its edges, a height axis, and all their labels drawn in one pass.

Geometry is plain NumPy (``floor_frame``, ``tick_labels``); ``AxisLabels`` is one GL
item that paints every label with a single QPainter (a ``GLTextItem`` per label would
open a painter per label per frame).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMatrix4x4, QPainter, QVector3D

from lrsim.gui.views.scene import isoline_segments, nice_ticks

FLOOR = -0.45  # the floor's height, well under the surface's lowest point (0): the
# contour projected on it shows below the surface, as in a textbook figure
TICK = 0.04  # tick length, in box units


def box_ticks(low: float, high: float, to_box, count: int = 5) -> list[tuple[float, str]]:
    """(box coordinate, label) of about ``count`` round values in low..high."""
    return [(float(to_box(value)), text) for value, text in nice_ticks(low, high, count)]


def floor_contour(bx, by, shown, levels, bounds) -> tuple[np.ndarray, np.ndarray]:
    """The surface's isolines on the floor: vertex positions (float32, pairs for GL
    "lines") and each vertex's level as a fraction of ``bounds`` (low, high), for colour."""
    lo, hi = bounds
    chunks, tints = [], []
    for level in levels:
        seg_x, seg_y = isoline_segments(bx, by, shown, np.array([level]))
        if seg_x.size:
            chunks.append(np.column_stack([seg_x, seg_y, np.full(seg_x.size, FLOOR)]))
            tints.append(np.repeat([(level - lo) / (hi - lo)], seg_x.size))
    if not chunks:
        return np.zeros((0, 3), np.float32), np.zeros(0)
    return np.concatenate(chunks).astype(np.float32), np.concatenate(tints)


def floor_frame(
    x_ticks: list[tuple[float, str]],
    y_ticks: list[tuple[float, str]],
    z_ticks: list[tuple[float, str]],
    extent: tuple[float, float, float, float],
    height: float,
) -> np.ndarray:
    """Line segments (pairs of xyz) of the floor's outline, its ticks and the height axis.

    ``extent`` is (x0, x1, y0, y1) in box units; the height axis stands at (x0, y1),
    the back left corner for the default camera.
    """
    x0, x1, y0, y1 = extent
    z = FLOOR
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    lines = [
        ((a[0], a[1], z), (b[0], b[1], z)) for a, b in zip(corners[:-1], corners[1:], strict=True)
    ]
    lines += [((x, y0, z), (x, y0 - TICK, z)) for x, _ in x_ticks]
    lines += [((x1, y, z), (x1 + TICK, y, z)) for y, _ in y_ticks]
    lines.append(((x0, y1, z), (x0, y1, height)))
    lines += [((x0, y1, h), (x0 - TICK, y1, h)) for h, _ in z_ticks]
    return np.asarray(lines, np.float32).reshape(-1, 3)


def tick_labels(
    x_ticks, y_ticks, z_ticks, extent: tuple[float, float, float, float]
) -> list[tuple[tuple[float, float, float], str, str]]:
    """(position, text, alignment) of every tick label and the axes' names."""
    x0, x1, y0, y1 = extent
    z = FLOOR
    out = [((x, y0 - 2.5 * TICK, z), text, "top") for x, text in x_ticks]
    out += [((x1 + 2.5 * TICK, y, z), text, "left") for y, text in y_ticks]
    out += [((x0 - 2 * TICK, y1, h), text, "right") for h, text in z_ticks]
    out.append((((x0 + x1) / 2, y0 - 6 * TICK, z), "x", "top"))
    out.append(((x1 + 6 * TICK, (y0 + y1) / 2, z), "y", "left"))
    return out


def make_axis_labels_item():
    """An ``AxisLabels`` GL item (pyqtgraph.opengl imported only when a 3D view is made)."""
    from pyqtgraph.opengl import GLGraphicsItem

    class AxisLabels(GLGraphicsItem.GLGraphicsItem):
        """Every label of the 3D axes, painted in one QPainter pass after the scene."""

        def __init__(self):
            super().__init__()
            self.labels: list[tuple[tuple[float, float, float], str, str]] = []
            self.color = QColor("#e6e6e6")
            self.font = QFont()
            self.setGLOptions("additive")
            self.setDepthValue(1000)  # painted last, over the scene

        def set_labels(self, labels, color: str, scale: float = 1.0) -> None:
            self.labels = list(labels)
            self.color = QColor(color)
            self.font = QFont()
            self.font.setPointSizeF(self.font.pointSizeF() * 1.15 * scale)
            self.update()

        def paint(self) -> None:
            view = self.view()
            if view is None or not self.labels:
                return
            self.setupGLState()  # no depth test: the text is over everything
            painter = QPainter(view)
            self.draw(painter)
            painter.end()

        def draw(self, painter: QPainter, offset: QPointF | None = None) -> None:
            """The labels with ``painter`` (on the GL widget, or on a grabbed image of it
            at ``offset``: a grab of a GL widget leaves out what QPainter drew on it)."""
            view = self.view()
            if view is None or not self.labels:
                return
            rect = QRectF(view.rect())
            viewport = QMatrix4x4()
            viewport.viewport(rect.left(), rect.bottom(), rect.width(), -rect.height())
            project = viewport * self.mvpMatrix()
            metrics = QFontMetricsF(self.font)
            painter.setPen(self.color)
            painter.setFont(self.font)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            shift = offset or QPointF(0, 0)
            for position, text, align in self.labels:
                point = project.map(QVector3D(*position)).toPointF() + shift
                width, height = metrics.horizontalAdvance(text), metrics.capHeight()
                dx = {"left": 0.0, "right": -width}.get(align, -width / 2)
                dy = height + 2 if align == "top" else height / 2
                painter.drawText(point + QPointF(dx, dy), text)

    return AxisLabels()
