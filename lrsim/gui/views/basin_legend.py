"""The basin map's legend and titles: Qt labels on the maps' background.

The legend maps each colour to its minimum (``global (3, 2)``), "elsewhere" and
"diverged". Its chips wrap onto more lines (``FlowLayout``); the caption runs
inline before them in a strip under the maps, or wraps above them when the
legend sits in an empty cell of the maps' grid. Titles elide rather than widen
a map.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.basins import BASIN_RULE
from lrsim.gui.legend_bar import FlowLayout
from lrsim.gui.views import style
from lrsim.gui.views.basin_style import LegendEntry

LEGEND_POINT_SIZE = 12
FLOW_SPACING = 12
CAPTION = "Each square is a start, coloured by where its particle is headed now:"
CAPTION_TIP = BASIN_RULE + " The statistics table counts the same way. Play to watch."


def paint_widget(widget: QWidget, background: str, foreground: str) -> None:
    """Give ``widget`` (and its children) these window and text colours."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(background))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(foreground))
    widget.setPalette(palette)


class ElidedLabel(QLabel):
    """A one-line label that never asks for more width: it elides to what it gets."""

    def __init__(self, parent: QWidget | None = None, *, point_size: int, bold: bool = False):
        super().__init__(parent)
        self._full = ""
        self._short = ""
        font = self.font()
        font.setPointSize(point_size)
        font.setBold(bold)
        self.setFont(font)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_texts(self, full: str, short: str | None = None) -> None:
        """``full`` when it fits, else ``short`` (if given), elided at the end if need be."""
        self._full, self._short = full, short or full
        self._fit()

    def full_text(self) -> str:
        return self._full

    def set_point_size(self, size: float) -> None:
        font = self.font()
        font.setPointSizeF(size)
        self.setFont(font)
        self._fit()

    def _fit(self) -> None:
        metrics = QFontMetrics(self.font())
        room = max(20, self.width() - 8)
        text = self._full if metrics.horizontalAdvance(self._full) <= room else self._short
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()


class BasinLegend(QWidget):
    """Colour -> minimum chips after (or under) a caption; ``set_inline(on)`` chooses."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._font_scale = 1.0
        self.setAutoFillBackground(True)
        self._column = QVBoxLayout(self)
        # no minimum size from the contents: in a cell of the maps' grid the legend must
        # not make its row taller than the others (the view checks that it fits)
        self._column.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._column.setContentsMargins(10, 4, 10, 6)
        self._column.setSpacing(6)
        self._chips_widget = QWidget(self)
        self._flow = FlowLayout(self._chips_widget, spacing=FLOW_SPACING)
        self._flow.setContentsMargins(0, 0, 0, 0)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self._chips_widget.setSizePolicy(policy)
        self.setSizePolicy(policy)
        self.caption = self._label(CAPTION)
        self.caption.setToolTip(CAPTION_TIP)
        self._column.addWidget(self._chips_widget)
        self._column.addStretch(1)
        self._chips: list[QWidget] = []
        self.entries: list[LegendEntry] = []
        self._dark = True
        self._inline = True
        self._rebuild_flow()

    def set_inline(self, on: bool) -> None:
        """Caption as the first chip (a strip under the maps) or wrapped above the chips.

        Above the chips, in a cell of the maps' grid, the legend takes the height it is
        given (it must not make its row taller than the other rows of maps).
        """
        vertical = QSizePolicy.Policy.Preferred if on else QSizePolicy.Policy.Ignored
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, vertical)
        policy.setHeightForWidth(on)
        self.setSizePolicy(policy)
        if on != self._inline:
            self._inline = on
            self._rebuild_flow()

    def set_top_margin(self, top: int) -> None:
        self._column.setContentsMargins(10, top, 10, 6)

    def set_font_scale(self, scale: float) -> None:
        """Text and swatches ``scale`` times as big (presentation mode)."""
        self._font_scale = scale
        font = self.caption.font()
        font.setPointSizeF(LEGEND_POINT_SIZE * scale)
        self.caption.setFont(font)
        self.set_entries(self.entries, self._dark)

    def set_entries(self, entries: list[LegendEntry], dark: bool) -> None:
        self.entries, self._dark = list(entries), dark
        for chip in self._chips:
            self._flow.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self._chips = []
        colors = style.theme(dark)
        paint_widget(self, colors.background, colors.foreground)
        for entry in entries:
            chip = QWidget(self._chips_widget)
            row = QHBoxLayout(chip)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(5)
            swatch = QLabel(chip)
            swatch.setPixmap(self._swatch(entry.colors, colors.foreground))
            row.addWidget(swatch)
            row.addWidget(self._label(entry.text, chip))
            chip.setToolTip(entry.tip)
            self._chips.append(chip)
        star = self._label("★ known minimum", self._chips_widget)
        star.setToolTip("Stars mark the known minima: big for global, small for local")
        self._chips.append(star)
        self._rebuild_flow()

    def texts(self) -> list[str]:
        return [entry.text for entry in self.entries]

    def needed_height(self, width: float, inline: bool) -> int:
        """The height the legend takes at ``width``, inline (a strip) or not (in a cell)."""
        left, top, right, bottom = self._column.getContentsMargins()
        inner = max(1, int(width) - left - right)
        metrics = QFontMetrics(self.caption.font())
        sizes = [chip.sizeHint() for chip in self._chips]
        extra = top + bottom
        if inline:
            sizes.insert(0, QSize(metrics.horizontalAdvance(CAPTION), metrics.height()))
        else:
            wrap = Qt.TextFlag.TextWordWrap
            extra += metrics.boundingRect(0, 0, inner, 10_000, wrap, CAPTION).height()
            extra += self._column.spacing()
        lines, x, line_height, total = 1, 0, 0, 0
        for size in sizes:
            if x and x + size.width() > inner:
                total += line_height + FLOW_SPACING
                lines, x, line_height = lines + 1, 0, 0
            x += size.width() + FLOW_SPACING
            line_height = max(line_height, size.height())
        return extra + total + line_height

    # ------------------------------------------------------------------ internals

    def _rebuild_flow(self) -> None:
        while self._flow.count():
            self._flow.takeAt(0)
        self._column.removeWidget(self.caption)
        self.caption.setWordWrap(not self._inline)
        if self._inline:
            self.caption.setParent(self._chips_widget)
            self._flow.addWidget(self.caption)
        else:
            self.caption.setParent(self)
            self._column.insertWidget(0, self.caption)
        for chip in self._chips:
            self._flow.addWidget(chip)
            chip.show()
        self.caption.show()
        self._flow.invalidate()
        self.updateGeometry()

    def _label(self, text: str, parent: QWidget | None = None) -> QLabel:
        label = QLabel(text, parent or self)
        font = label.font()
        font.setPointSizeF(LEGEND_POINT_SIZE * self._font_scale)
        label.setFont(font)
        return label

    def _swatch(self, colors: tuple[str, ...], border: str) -> QPixmap:
        side = round(16 * self._font_scale)
        size = QSize((side + 2) * len(colors), side)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(size * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        for index, color in enumerate(colors):
            painter.fillRect(QRectF((side + 2) * index, 0, side + 2, side), QColor(color))
        edge = QColor(border)
        edge.setAlpha(120)
        painter.setPen(edge)
        painter.drawRect(QRectF(0.5, 0.5, size.width() - 1, size.height() - 1))
        painter.end()
        return pixmap
