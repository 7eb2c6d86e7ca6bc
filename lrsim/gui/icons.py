"""Transport icons drawn in the palette's text colour, so they read on light and dark."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

SIZE = 64  # drawn large, scaled down by Qt


def _triangle(painter: QPainter, left: float, right: float, pointing_right: bool) -> None:
    top, bottom, middle = 0.2 * SIZE, 0.8 * SIZE, 0.5 * SIZE
    tip, base = (right, left) if pointing_right else (left, right)
    painter.drawPolygon(
        QPolygonF([QPointF(base, top), QPointF(tip, middle), QPointF(base, bottom)])
    )


def _bar(painter: QPainter, left: float, width: float = 0.1 * SIZE) -> None:
    painter.drawRect(QRectF(left, 0.2 * SIZE, width, 0.6 * SIZE))


def transport_icon(kind: str, color: QColor) -> QIcon:
    """``kind``: play, pause, step_forward, step_back, to_start or to_end."""
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    s = SIZE
    if kind == "play":
        _triangle(painter, 0.25 * s, 0.8 * s, True)
    elif kind == "pause":
        _bar(painter, 0.27 * s, 0.16 * s)
        _bar(painter, 0.57 * s, 0.16 * s)
    elif kind == "step_forward":
        _triangle(painter, 0.22 * s, 0.62 * s, True)
        _bar(painter, 0.66 * s)
    elif kind == "step_back":
        _bar(painter, 0.24 * s)
        _triangle(painter, 0.38 * s, 0.78 * s, False)
    elif kind == "to_start":
        _bar(painter, 0.12 * s)
        _triangle(painter, 0.24 * s, 0.54 * s, False)
        _triangle(painter, 0.54 * s, 0.84 * s, False)
    elif kind == "to_end":
        _triangle(painter, 0.16 * s, 0.46 * s, True)
        _triangle(painter, 0.46 * s, 0.76 * s, True)
        _bar(painter, 0.78 * s)
    else:
        raise ValueError(kind)
    painter.end()
    return QIcon(pixmap)
