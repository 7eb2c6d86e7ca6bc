"""The contour view's look: the smooth heat map, the colour bar's labels, titles that fit,
and direct drawing while the view zooms."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem

from lrsim.gui.views import style
from lrsim.gui.views.scene import ColorScale, short_title

CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
COLORBAR_AXIS_WIDTH = 100  # ticks and the rotated label of the colour bar, at font scale 1
SETTLE_MS = 150
SMALLEST_TITLE = 0.62  # a title shrinks to this fraction of its size before it is cut


class _SmoothImageItem(pg.ImageItem):
    """An ImageItem scaled with bilinear filtering: no blocky cells on a big screen.

    Smoothing is paid once per zoom level, as the item is cached in device pixels.
    """

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


def label_colorbar(
    bar: pg.ColorBarItem, scale: ColorScale, foreground: str, font_scale: float = 1.0
) -> None:
    """Decade ticks and "f - f_min (log scale)" on a log scale; plain ticks and "loss f" else."""
    axis = bar.axis
    axis.setWidth(round(COLORBAR_AXIS_WIDTH * font_scale))
    if scale.log:
        axis.setTicks([scale.decade_ticks()])
        text = "f − f_min  (log scale)"
    else:
        axis.setTicks(None)
        text = "loss f"
    size = style.scaled_points(style.LABEL_POINT_SIZE, font_scale)
    axis.setLabel(text, color=foreground, **{"font-size": size})


def style_colorbar(bar: pg.ColorBarItem, foreground: str, font_scale: float = 1.0) -> None:
    style.style_axis(bar.axis, None, foreground, font_scale)
    for name in ("left", "top", "bottom"):
        bar.getAxis(name).setPen(pg.mkPen(foreground))


def surface_title(surface) -> str:
    """A view's title for ``surface``: its name, or the head of its formula ("f = x**2 + …")."""
    title = getattr(surface, "title", "") or ""
    if getattr(surface, "name", "") == "formula":
        return "f = " + short_title(title)
    return short_title(title, 48)


def fit_title(text: str, size: str, room: float) -> tuple[str, str, float]:
    """(shown text, CSS size, width in pixels) of a bold title in ``room`` pixels: smaller
    type first (down to ``SMALLEST_TITLE``), then "…" (the whole in the tooltip).

    A long title (a formula, a run's label) must not widen the plot past its widget.
    """
    font = QFont()
    font.setPointSizeF(float(size.removesuffix("pt")))
    font.setBold(True)
    points = font.pointSizeF()
    while (
        QFontMetricsF(font).horizontalAdvance(text) > room
        and font.pointSizeF() > SMALLEST_TITLE * points
    ):
        font.setPointSizeF(font.pointSizeF() - 0.5)
    shown = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, room)
    return shown, f"{font.pointSizeF():g}pt", QFontMetricsF(font).horizontalAdvance(shown)


class ZoomCache(QObject):
    """A zoom re-renders the cached heat map and isolines every frame: while it lasts they
    are drawn directly (isolines without antialiasing); a pan reuses the caches. Once the
    view settles the caches (and antialiasing) come back."""

    def __init__(self, view_box: pg.ViewBox, image, isolines, parent: QObject | None = None):
        super().__init__(parent)
        self._image, self._isolines = image, isolines
        self._box = view_box
        self._scale: tuple | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        view_box.sigTransformChanged.connect(self._on_moved)

    def _on_moved(self, *_args) -> None:
        transform = self._box.childGroup.transform()
        scale = (round(transform.m11(), 12), round(transform.m22(), 12))
        if self._scale is not None and scale != self._scale:
            self._isolines.opts["antialias"] = False
            for item in (self._image, self._isolines):
                item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        self._scale = scale
        self._settle.start()

    def _on_settled(self) -> None:
        self._isolines.opts["antialias"] = True
        for item in (self._image, self._isolines):
            item.setCacheMode(CACHE)
        self._isolines.update()
