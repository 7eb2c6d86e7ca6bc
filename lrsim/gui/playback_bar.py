"""The transport under the views: start, step back, play/pause, step forward, end, scrub, speed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

from lrsim.gui.icons import transport_icon
from lrsim.gui.playback import Playback

SPEEDS = (1, 100_000)
ICON_SIZE = 26


class PlaybackBar(QWidget):
    """Drives a Playback and shows its state; knows the steps behind the columns."""

    def __init__(self, playback: Playback, parent: QWidget | None = None):
        super().__init__(parent)
        self.playback = playback
        self._steps = [0]  # recorded step of each column
        self._total = 0
        self._scale = 1.0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.start_button = self._button("To the start (Home)")
        self.back_button = self._button("One step back (Left)")
        self.play_button = self._button("Play / pause (Space)")
        self.forward_button = self._button("One step forward (Right)")
        self.end_button = self._button("To the end (End)")
        self.start_button.clicked.connect(playback.to_start)
        self.back_button.clicked.connect(playback.step_back)
        self.play_button.clicked.connect(playback.toggle)
        self.forward_button.clicked.connect(playback.step_forward)
        self.end_button.clicked.connect(playback.to_end)
        for button in (
            self.start_button,
            self.back_button,
            self.play_button,
            self.forward_button,
            self.end_button,
        ):
            layout.addWidget(button)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setToolTip("Scrub through the steps")
        self.slider.valueChanged.connect(self._on_slider_changed)
        layout.addWidget(self.slider, 1)
        self.step_label = QLabel(self)
        self.step_label.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("step 000000 / 000000")
        )
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.step_label)
        self.speed = QSpinBox(self)
        self.speed.setRange(*SPEEDS)
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Playback speed in steps per second (+ and − change it)")
        self.speed.setValue(int(playback.speed))
        self.speed.setKeyboardTracking(False)
        self.speed.valueChanged.connect(self._on_speed_changed)
        layout.addWidget(self.speed)
        playback.step_changed.connect(self._on_step_changed)
        playback.state_changed.connect(self._on_playback_changed)
        self._draw_icons()
        self._on_playback_changed()

    def _draw_icons(self) -> None:
        color = self.palette().color(QPalette.ColorRole.ButtonText)
        for button, kind in (
            (self.start_button, "to_start"),
            (self.back_button, "step_back"),
            (self.forward_button, "step_forward"),
            (self.end_button, "to_end"),
        ):
            button.setIcon(transport_icon(kind, color))
        self._play_icon = transport_icon("play", color)
        self._pause_icon = transport_icon("pause", color)

    def changeEvent(self, event: QEvent) -> None:  # Qt override: follow the theme
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_icons()
            self._on_playback_changed()
        super().changeEvent(event)

    def set_scale(self, scale: float) -> None:
        """Text and buttons ``scale`` times as big (presentation mode); 1 is the normal size."""
        self._scale = float(scale)
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * self._scale)
        self.setFont(font)
        side = round(ICON_SIZE * self._scale)
        for button in self.findChildren(QToolButton):
            button.setIconSize(QSize(side, side))
        self.step_label.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("step 000000 / 000000")
        )

    def _button(self, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    def set_steps(self, recorded_steps, total_steps: int) -> None:
        """The step number of each column that may be shown, and the run's length."""
        self._steps = [int(s) for s in recorded_steps] or [0]
        self._total = int(total_steps)
        self._on_playback_changed()
        self._on_step_changed(self.playback.column)

    def _on_slider_changed(self, value: int) -> None:
        self.playback.set_column(value)

    def _on_speed_changed(self, value: int) -> None:
        self.playback.set_speed(value)

    def _on_step_changed(self, column: int) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(column)
        step = self._steps[min(column, len(self._steps) - 1)]
        self.step_label.setText(f"step {step} / {self._total}")

    def _on_playback_changed(self) -> None:
        playing = self.playback.playing
        self.play_button.setIcon(self._pause_icon if playing else self._play_icon)
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, self.playback.last_column)
            self.slider.setValue(self.playback.column)
        with QSignalBlocker(self.speed):
            self.speed.setValue(int(round(self.playback.speed)))
