"""The overlay's legend: one chip per run (its marker, colour and label).

Click a chip to hide or show its run; double-click to show that run alone (solo);
right-click for solo, highlight (the other runs fade behind it) and the run's
opacity. Chips wrap onto at most two lines, their labels elided to fit (the whole
label in the tooltip), so seven runs with long labels neither widen the window nor
take the surface's height.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QIcon
from PySide6.QtWidgets import QLayout, QMenu, QSizePolicy, QToolButton, QWidget, QWidgetItem

MAX_LINES = 2  # chips elide their labels rather than take a third line (one on a laptop)
LAPTOP_HEIGHT = 900  # screens lower than this get one line of chips
OPACITIES = (1.0, 0.6, 0.3)
FADED = 0.25  # the other runs' opacity while one is highlighted


def marker_icon(color: str, run_index: int, size: int = 16) -> QIcon:
    """The run's marker as the views draw it (shape and colour): the legend's key."""
    from lrsim.gui.views import style

    return QIcon(style.current_pixmap(color, 2.0, size, style.current_shape(run_index)))


class _Chip(QToolButton):
    """A legend chip: double-click solos its run, right-click opens the run's menu."""

    solo_requested = Signal()

    def mouseDoubleClickEvent(self, event) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.solo_requested.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class FlowLayout(QLayout):
    """Lays widgets out left to right, starting a new line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8):
        super().__init__(parent)
        self._items: list[QWidgetItem] = []
        self._spacing = spacing

    def addItem(self, item) -> None:  # Qt override
        self._items.append(item)

    def count(self) -> int:  # Qt override
        return len(self._items)

    def itemAt(self, index: int):  # Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # Qt override
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # Qt override
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + self._spacing
                line_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class LegendBar(QWidget):
    """Emits ``visible_runs_changed(list | None)``: None when every run is shown."""

    visible_runs_changed = Signal(object)
    emphasis_changed = Signal(object)  # {run index: opacity} (runs not named: 1)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self._layout.setContentsMargins(6, 3, 6, 3)
        self._chips: list[QToolButton] = []
        self._labels: list[str] = []
        self._font_scale = 1.0
        self._opacity: dict[int, float] = {}  # set by the chips' menus
        self._highlight: int | None = None
        self._max_lines: int | None = None  # None: by the screen's height
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_runs(self, runs) -> None:
        """One chip per run (objects with .label and .color); all visible."""
        for chip in self._chips:
            self._layout.removeWidget(chip)
            chip.hide()  # gone at once, not when the event loop deletes it
            chip.deleteLater()
        self._chips = []
        self._labels = []
        self._opacity, self._highlight = {}, None
        for index, run in enumerate(runs):
            chip = _Chip(self)
            chip.setText(run.label)
            chip.setIcon(marker_icon(run.color, index))
            chip.setCheckable(True)
            chip.setChecked(True)
            chip.setAutoRaise(True)
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            chip.setToolTip(
                f"“{run.label}”: click to hide or show, double-click to show it alone, "
                "right-click to highlight it or set its opacity"
            )
            chip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            chip.customContextMenuRequested.connect(
                lambda position, i=index: self._menu(i, position)
            )
            chip.solo_requested.connect(lambda i=index: self.solo(i))
            self._style_chip(chip)
            chip.toggled.connect(self._on_chip_toggled)
            self._layout.addWidget(chip)
            self._chips.append(chip)
            self._labels.append(run.label)
        self._elide()
        self.updateGeometry()

    # ------------------------------------------------------------------ solo, highlight

    def solo(self, index: int) -> None:
        """Show only run ``index`` (again: show every run)."""
        alone = self.visible_runs() == [index]
        for i, chip in enumerate(self._chips):
            chip.blockSignals(True)
            chip.setChecked(alone or i == index)
            chip.blockSignals(False)
        self._on_chip_toggled(True)

    def show_all(self) -> None:
        """Every run shown, none highlighted, all opaque."""
        for chip in self._chips:
            chip.blockSignals(True)
            chip.setChecked(True)
            chip.blockSignals(False)
        self._on_chip_toggled(True)
        self._opacity, self._highlight = {}, None
        self.emphasis_changed.emit(self.emphasis())

    def highlight(self, index: int | None) -> None:
        """Fade every run but ``index`` (None: no highlight)."""
        self._highlight = index
        self.emphasis_changed.emit(self.emphasis())

    def set_opacity(self, index: int, opacity: float) -> None:
        self._opacity[index] = float(opacity)
        self.emphasis_changed.emit(self.emphasis())

    def emphasis(self) -> dict[int, float]:
        """Each run's opacity: its own setting, times ``FADED`` behind a highlighted run."""
        out = {}
        for index in range(len(self._chips)):
            value = self._opacity.get(index, 1.0)
            if self._highlight is not None and index != self._highlight:
                value *= FADED
            if value != 1.0:
                out[index] = value
        return out

    def _menu(self, index: int, position) -> None:
        chip = self._chips[index]
        menu = QMenu(chip)
        menu.addAction("Show only this run", lambda: self.solo(index))
        highlighted = self._highlight == index
        menu.addAction(
            "Stop highlighting" if highlighted else "Highlight (fade the others)",
            lambda: self.highlight(None if highlighted else index),
        )
        opacity = menu.addMenu("Opacity")
        for value in OPACITIES:
            action = opacity.addAction(
                f"{100 * value:.0f} %", lambda v=value: self.set_opacity(index, v)
            )
            action.setCheckable(True)
            action.setChecked(abs(self._opacity.get(index, 1.0) - value) < 1e-9)
        menu.addSeparator()
        menu.addAction("Show every run at full opacity", self.show_all)
        menu.popup(chip.mapToGlobal(position))
        self._open_menu = menu  # kept for tests

    # ------------------------------------------------------------------ fitting

    def resizeEvent(self, event) -> None:  # Qt override: labels elide to the new width
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        """Labels as long as ``MAX_LINES`` lines of chips allow (whole ones if they fit)."""
        if not self._chips:
            return
        width = max(200, self.width() - 12)
        screen = self.screen()
        low = screen is not None and screen.availableGeometry().height() < LAPTOP_HEIGHT
        lines = self._max_lines or (1 if low else MAX_LINES)
        per_line = -(-len(self._chips) // lines)  # chips a line, at most
        for chip, label in zip(self._chips, self._labels, strict=True):
            chip.setText(label)
        total = sum(chip.sizeHint().width() + 8 for chip in self._chips)
        fits = total <= width * lines * 0.95
        room = width - 8 if fits else width / per_line - 8  # no chip wider than a line
        for chip, label in zip(self._chips, self._labels, strict=True):
            if chip.sizeHint().width() <= room:
                continue
            extra = chip.sizeHint().width() - QFontMetrics(chip.font()).horizontalAdvance(label)
            text = QFontMetrics(chip.font()).elidedText(
                label, Qt.TextElideMode.ElideRight, max(40, int(room - extra))
            )
            chip.setText(text)

    def set_font_scale(self, scale: float) -> None:
        """Chips ``scale`` times as big as the application's font (presentation mode)."""
        self._font_scale = float(scale)
        for chip in self._chips:
            self._style_chip(chip)
        self._elide()
        self.updateGeometry()

    def _style_chip(self, chip: QToolButton) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * self._font_scale)
        font.setBold(True)
        font.setStrikeOut(not chip.isChecked())
        chip.setFont(font)
        side = round(16 * self._font_scale)
        chip.setIconSize(QSize(side, side))

    def set_max_lines(self, lines: int | None) -> None:
        """Lines of chips before labels elide (None: one on a laptop screen, else two)."""
        self._max_lines = lines
        self._elide()

    def visible_runs(self) -> list[int] | None:
        shown = [i for i, chip in enumerate(self._chips) if chip.isChecked()]
        return None if len(shown) == len(self._chips) else shown

    def _on_chip_toggled(self, _on: bool) -> None:
        for chip in self._chips:
            self._style_chip(chip)
        self.visible_runs_changed.emit(self.visible_runs())
