"""The sliders as a slim overlay over the views in presentation mode (F5).

One row per run: its colour and label, then the same ``LiveSliders`` its run
card has. Moving one writes the run card (``RunCard.apply_live``), so the
editor, the undo stack and the recompute are the card's; each scene puts the
cards' values back into the overlay, except into the slider being held.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from lrsim.gui.panels.live_sliders import LiveSliders

MARGIN = 12  # pixels from the views' lower-left corner
WIDTH = 380
STYLE = (
    "#slider_overlay { background: rgba(20, 20, 24, 190); border-radius: 6px; }"
    " QLabel { color: #e8e8e8; }"
)


class SliderOverlay(QFrame):
    """Over ``window.view_area``'s lower-left corner; ``sync`` after each scene."""

    def __init__(self, window):
        super().__init__(window.view_area)
        self.window = window
        self.setObjectName("slider_overlay")
        self.setStyleSheet(STYLE)
        self.setFixedWidth(WIDTH)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 6, 8, 6)
        self._layout.setSpacing(2)
        self.rows: list[tuple[QLabel, LiveSliders]] = []
        self.hide()
        window.view_area.installEventFilter(self)

    def _card(self, index: int):
        cards = self.window.editor.cards
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
        cards = self.window.editor.cards
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
            scale = self.window.presentation.font_scale  # readable from the back row
            size = QFont().pointSizeF() * scale
            self.setStyleSheet(STYLE + f" QLabel {{ font-size: {size:.1f}pt; }}")
            self.setFixedWidth(round(WIDTH * scale))
            self.sync()
            self.show()
            self.raise_()
        else:
            self.hide()

    def _place(self) -> None:
        parent = self.parentWidget()
        self.move(MARGIN, max(0, parent.height() - self.height() - MARGIN - 40))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
