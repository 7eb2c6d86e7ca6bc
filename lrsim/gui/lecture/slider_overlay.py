"""The sliders as a slim overlay over the views in presentation mode (F5).

One row per run: its colour and label, then the same ``LiveSliders`` its run
card has. Moving one writes the run card (``RunCard.apply_live``), so the
editor, the undo stack and the recompute are the card's; each scene puts the
cards' values back into the overlay, except into the slider being held.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from lrsim.gui.panels.live_sliders import LiveSliders

MARGIN = 12  # pixels from the views' edges
SAMPLES_PER_RUN = 400  # trajectory points per run weighed when choosing a corner
WIDTH = 380
STYLE = (
    "#slider_overlay { background: rgba(20, 20, 24, 190); border-radius: 6px; }"
    " QLabel { color: #e8e8e8; }"
)


class SliderOverlay(QFrame):
    """Over a corner of ``view_area``, the one that hides the fewest of the scene's
    starts, paths and minima (lower-left on a tie); ``sync`` after each scene."""

    def __init__(self, view_area, editor, controller, presentation):
        super().__init__(view_area)
        self.view_area, self.editor = view_area, editor
        self.controller, self.presentation = controller, presentation
        self.setObjectName("slider_overlay")
        self.setStyleSheet(STYLE)
        self.setFixedWidth(WIDTH)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 6, 8, 6)
        self._layout.setSpacing(2)
        self.rows: list[tuple[QLabel, LiveSliders]] = []
        self.hide()
        view_area.installEventFilter(self)

    def _card(self, index: int):
        cards = self.editor.cards
        return cards[index] if index < len(cards) else None

    def _build(self, count: int) -> None:
        for label, sliders in self.rows:
            for widget in (label, sliders):
                widget.hide()
                widget.deleteLater()
        self.rows = []
        for index in range(count):
            label = QLabel(self)
            sliders = LiveSliders(self)
            sliders.changed.connect(lambda final, index=index: self._on_changed(index, final))
            self._layout.addWidget(label)
            self._layout.addWidget(sliders)
            self.rows.append((label, sliders))

    def sync(self) -> None:
        """The cards' labels, colours and values (a held slider keeps its place)."""
        cards = self.editor.cards
        if len(cards) != len(self.rows):
            self._build(len(cards))
        for card, (label, sliders) in zip(cards, self.rows, strict=True):
            table = card.table()
            label.setText(
                f'<span style="color:{html.escape(table["color"])}">■</span> '
                f"{html.escape(table['label'])}"
            )
            if any(row.slider.isSliderDown() for row in sliders.rows):
                continue
            sliders.set_context(*card.live.context)
            sliders.set_tables(*card.live.tables())
        self.adjustSize()
        self._place()

    def _on_changed(self, index: int, final: bool) -> None:
        card = self._card(index)
        if card is None:
            return
        card.live.set_tables(*self.rows[index][1].tables())
        card.apply_live(final)

    def set_active(self, on: bool) -> None:
        if on:
            scale = self.presentation.font_scale  # readable from the back row
            size = QFont().pointSizeF() * scale
            self.setStyleSheet(STYLE + f" QLabel {{ font-size: {size:.1f}pt; }}")
            self.setFixedWidth(round(WIDTH * scale))
            self.sync()
            self.show()
            self.raise_()
        else:
            self.hide()

    def _place(self) -> None:
        if any(row.slider.isSliderDown() for _label, sliders in self.rows for row in sliders.rows):
            return  # never move away from the hand that holds a slider
        parent = self.parentWidget()
        width, height = self.width(), self.height()
        bottom = max(0, parent.height() - height - MARGIN - 40)
        right = max(0, parent.width() - width - MARGIN)
        corners = ((MARGIN, bottom), (MARGIN, MARGIN), (right, bottom), (right, MARGIN))
        xs, ys = self._scene_points()

        def hidden(corner: tuple[int, int]) -> int:
            x, y = corner
            inside = (xs >= x) & (xs <= x + width) & (ys >= y) & (ys <= y + height)
            return int(np.count_nonzero(inside))

        self.move(*min(corners, key=hidden))  # the first corner wins a tie

    def _scene_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The scene's starts, sampled paths and minima in the view area's pixels."""
        sim = self.controller.simulation
        contour = self.view_area.contour
        if sim is None or not contour.isVisible():
            return np.empty(0), np.empty(0)
        xs, ys = [sim.starts[:, 0]], [sim.starts[:, 1]]
        for run in sim.runs:  # a grid of particles x steps, never a copy of the history
            n, s = run.x.shape
            side = max(1, int(SAMPLES_PER_RUN**0.5))
            every_particle, every_step = max(1, n // side), max(1, s // side)
            xs.append(run.x[::every_particle, ::every_step].ravel())
            ys.append(run.y[::every_particle, ::every_step].ravel())
        for point in sim.critical_points():
            xs.append(np.array([point.x]))
            ys.append(np.array([point.y]))
        x, y = np.concatenate(xs), np.concatenate(ys)
        keep = np.isfinite(x) & np.isfinite(y)
        viewport = contour.plot_widget.viewport()
        pixels = [
            viewport.mapTo(self.parentWidget(), contour.view_box.mapViewToDevice(
                QPointF(px, py)).toPoint())
            for px, py in zip(x[keep].tolist(), y[keep].tolist(), strict=True)
        ]  # fmt: skip
        return np.array([p.x() for p in pixels]), np.array([p.y() for p in pixels])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
