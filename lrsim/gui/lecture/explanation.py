"""The run file's story beside the views: its title and description, readable from afar.

Two looks of one widget: a ``"banner"`` above the views in normal mode (the title
and the description, collapsible to the title's line) and a ``"column"`` beside
them in presentation mode (big type, the whole description, scrolling if it
must). Colour words of a description, "fixed lr 1.8 (red)", are drawn in the
colour of the run they name, with a swatch, so the text points at the picture.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MODES = ("banner", "column")
COLUMN_TITLE_SCALE = 1.45  # the title's size over the description's in the column
BANNER_TITLE_SCALE = 1.12
MIN_BANNER_WIDTH = 600  # the width a banner assumes before it is laid out
COLUMN_BOOSTS = (1.3, 1.2, 1.1, 1.0)  # a column's text grows into the room it has

# the colour words presets use, and the matplotlib "tab10" colour each usually names
COLOR_WORDS = {
    "blue": "#1f77b4",
    "orange": "#ff7f0e",
    "green": "#2ca02c",
    "red": "#d62728",
    "purple": "#9467bd",
    "brown": "#8c564b",
    "pink": "#e377c2",
    "grey": "#7f7f7f",
    "gray": "#7f7f7f",
    "olive": "#bcbd22",
    "cyan": "#17becf",
    "teal": "#17becf",
    "black": "#202020",
    "white": "#ffffff",
    "vermillion": "#d55e00",
    "magenta": "#ee3377",
}
_COLOR_WORD = re.compile(r"\((" + "|".join(COLOR_WORDS) + r")\b", re.IGNORECASE)


def _distance(a: QColor, b: QColor) -> float:
    return (
        (a.red() - b.red()) ** 2 + (a.green() - b.green()) ** 2 + (a.blue() - b.blue()) ** 2
    ) ** 0.5


def color_for_word(word: str, run_colors: list[str]) -> str:
    """The run colour a colour word names: the nearest run colour when one is close, else
    the word's usual colour."""
    reference = QColor(COLOR_WORDS[word.lower()])
    candidates = [QColor(c) for c in run_colors if QColor(c).isValid()]
    if candidates:
        nearest = min(candidates, key=lambda c: _distance(c, reference))
        if _distance(nearest, reference) < 140:
            return nearest.name()
    return reference.name()


def description_html(text: str, run_colors: list[str]) -> str:
    """``text`` as HTML with each "(colour" drawn as a swatch and the word in that colour."""
    parts = []
    position = 0
    for match in _COLOR_WORD.finditer(text):
        parts.append(html.escape(text[position : match.start()]))
        word = match.group(1)
        color = color_for_word(word, run_colors)
        style = f"color:{color}; font-weight:600;"
        parts.append(f'(<span style="{style}">&#9632;&nbsp;{html.escape(word)}</span>')
        position = match.end()
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ExplanationPanel(QFrame):
    """Title and description of the shown run file; ``set_mode("banner" | "column")``."""

    expanded_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("explanation")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self._title = ""
        self._description = ""
        self._colors: list[str] = []
        self._mode = "banner"
        self._expanded = True
        self._font_scale = 1.0

        self.toggle = QToolButton(self)
        self.toggle.setAutoRaise(True)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.toggle.setToolTip("Show or hide the run file's explanation")
        self.toggle.toggled.connect(self.set_expanded)
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title_label.installEventFilter(self)  # a click on the banner's title toggles it
        self.text_label = QLabel(self)
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(6)
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.setSpacing(4)
        heading.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.title_label, 1)
        body_layout.addLayout(heading)
        body_layout.addWidget(self.text_label)
        body_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self._ready = True
        self._apply()

    # ------------------------------------------------------------------ the API

    def set_text(self, title: str, description: str, run_colors: list[str] | None = None) -> None:
        """The run file's title and description; the colours of its runs (for colour words)."""
        self._title = _one_line(title or "")
        self._description = " ".join((description or "").split())
        self._colors = list(run_colors or [])
        self._apply()

    def set_mode(self, mode: str) -> None:
        """ "banner" (above the views, collapsible) or "column" (beside them, big type)."""
        assert mode in MODES
        self._mode = mode
        self._apply()

    def set_expanded(self, expanded: bool) -> None:
        """Banner only: the whole description (True) or the title alone (one line)."""
        expanded = bool(expanded)
        changed = expanded != self._expanded
        self._expanded = expanded
        if self.toggle.isChecked() != expanded:
            self.toggle.setChecked(expanded)
        self._apply()
        if changed:
            self.expanded_changed.emit(expanded)

    def set_font_scale(self, scale: float) -> None:
        """Text ``scale`` times the application's font (presentation mode)."""
        self._font_scale = float(scale)
        self._apply()

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def expanded(self) -> bool:
        return self._expanded

    @property
    def title(self) -> str:
        return self._title

    @property
    def description(self) -> str:
        return self._description

    # ------------------------------------------------------------------ looks

    def _fonts(self, boost: float = 1.0) -> tuple[QFont, QFont]:
        base = QFont(self.font())
        text_font = QFont(base)
        text_font.setPointSizeF(base.pointSizeF() * self._font_scale * boost)
        title_font = QFont(text_font)
        title_scale = COLUMN_TITLE_SCALE if self._mode == "column" else BANNER_TITLE_SCALE
        title_font.setPointSizeF(text_font.pointSizeF() * title_scale)
        title_font.setBold(True)
        return title_font, text_font

    def _apply(self) -> None:
        column = self._mode == "column"
        title_font, text_font = self._fonts()
        self.title_label.setFont(title_font)
        self.text_label.setFont(text_font)
        self.toggle.setVisible(not column)
        self.toggle.setArrowType(
            Qt.ArrowType.DownArrow if self._expanded else Qt.ArrowType.RightArrow
        )
        self.title_label.setText(self._title or "Untitled run file")
        self.title_label.setCursor(
            Qt.CursorShape.ArrowCursor if column else Qt.CursorShape.PointingHandCursor
        )
        margin = round(18 * self._font_scale) if column else 8
        self.scroll.widget().layout().setContentsMargins(
            margin, margin if column else 4, margin, margin if column else 4
        )
        self.scroll.widget().layout().setSpacing(round(14 * self._font_scale) if column else 2)
        self.text_label.setVisible(bool(self._description) and (column or self._expanded))
        self.text_label.setText(description_html(self._description, self._colors))
        self.title_label.setToolTip("" if column or self._expanded else self._description)
        policy = Qt.ScrollBarPolicy
        self.scroll.setVerticalScrollBarPolicy(
            policy.ScrollBarAsNeeded if column else policy.ScrollBarAlwaysOff
        )
        if column:
            self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
            self.setMaximumHeight(16_777_215)
        else:
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.setMinimumWidth(0)
            self.setMaximumWidth(16_777_215)
        self._fit_height()
        self._fit_column()

    def _fit_column(self) -> None:
        """A column's text as big as fits its height (up to ``COLUMN_BOOSTS[0]`` times)."""
        if self._mode != "column" or self.height() < 50:
            return
        layout = self.scroll.widget().layout()
        for boost in COLUMN_BOOSTS:
            title_font, text_font = self._fonts(boost)
            self.title_label.setFont(title_font)
            self.text_label.setFont(text_font)
            if layout.totalHeightForWidth(self.width()) <= self.height():
                return

    def _fit_height(self) -> None:
        """A banner is as tall as its text at the current width (no scroll bar)."""
        if self._mode == "column":
            return
        body = self.scroll.widget()
        width = max(MIN_BANNER_WIDTH, self.width())  # not yet laid out: a narrow guess
        height = body.layout().totalHeightForWidth(width) if body.layout() else 0
        if height <= 0:
            height = body.sizeHint().height()
        self.setFixedHeight(max(height, self.title_label.sizeHint().height() + 8))

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        if self._mode == "banner":
            self._fit_height()
        else:
            self._fit_column()

    def eventFilter(self, watched, event) -> bool:  # Qt override
        if (
            watched is self.title_label
            and self._mode == "banner"
            and event.type() == QEvent.Type.MouseButtonRelease
        ):
            self.set_expanded(not self._expanded)
            return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event) -> None:  # Qt override: a new application font or palette
        super().changeEvent(event)
        if not getattr(self, "_ready", False):
            return  # still being built
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._apply()
