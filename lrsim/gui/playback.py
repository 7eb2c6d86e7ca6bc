"""Playback: which recorded step is shown, and a timer that moves it at a chosen speed.

Positions are column indices into ``Simulation.recorded_steps`` (what the views'
``set_column`` takes). The timer ticks at most ~60 times a second; at higher
speeds a tick moves several steps, so the speed is honoured without drawing
frames nobody sees.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

DEFAULT_SPEED = 10.0  # steps per second
MAX_FRAME_RATE = 60.0
SPEED_LADDER = (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10_000)
# the speeds "+" and "-" step through (steps per second)


class Playback(QObject):
    """The current column, its limit and play/pause; emits ``step_changed`` on every move."""

    step_changed = Signal(int)
    state_changed = Signal()  # playing, limit or speed changed

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._column = 0
        self._last = 0  # the last column that may be shown (computed so far)
        self._speed = DEFAULT_SPEED
        self._carry = 0.0  # fractional steps owed by the timer
        self.every_step = False  # True: a late tick still moves one step (none skipped)
        self.growing = False  # the simulation is still computing: play on as columns arrive
        self.min_interval_ms = int(1000 / MAX_FRAME_RATE)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._clock = QElapsedTimer()

    # ------------------------------------------------------------------ state

    @property
    def column(self) -> int:
        return self._column

    @property
    def last_column(self) -> int:
        return self._last

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_limit(self, last_column: int) -> None:
        """The last column that may be shown; the position is clamped to it."""
        self._last = max(0, int(last_column))
        if self._column > self._last:
            self.set_column(self._last)
        self.state_changed.emit()

    def set_growing(self, on: bool) -> None:
        """While a long simulation computes, playing waits at its last column for more
        instead of stopping (and Play there does not rewind)."""
        self.growing = bool(on)
        if not self.growing and self.playing and self._column >= self._last:
            self.pause()

    def set_every_step(self, on: bool) -> None:
        self.every_step = bool(on)
        self.state_changed.emit()

    def set_speed(self, steps_per_second: float) -> None:
        self._speed = max(0.1, float(steps_per_second))
        if self.playing:
            self._timer.setInterval(self._interval())
        self.state_changed.emit()

    def faster(self) -> None:
        """The next speed of ``SPEED_LADDER`` above the current one."""
        above = [s for s in SPEED_LADDER if s > self._speed * (1 + 1e-9)]
        self.set_speed(above[0] if above else SPEED_LADDER[-1])

    def slower(self) -> None:
        """The next speed of ``SPEED_LADDER`` below the current one."""
        below = [s for s in SPEED_LADDER if s < self._speed * (1 - 1e-9)]
        self.set_speed(below[-1] if below else SPEED_LADDER[0])

    def set_column(self, column: int) -> None:
        column = min(max(0, int(column)), self._last)
        if column != self._column:
            self._column = column
            self.step_changed.emit(column)

    # ------------------------------------------------------------------ commands

    def play(self) -> None:
        if self.playing:
            return
        if self._column >= self._last and not self.growing:
            self.set_column(0)  # play from the start again
        if self._last == 0 and not self.growing:
            return
        self._carry = 0.0
        self._clock.start()
        self._timer.start(self._interval())
        self.state_changed.emit()

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.state_changed.emit()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def step_forward(self) -> None:
        self.pause()
        self.set_column(self._column + 1)

    def step_back(self) -> None:
        self.pause()
        self.set_column(self._column - 1)

    def to_start(self) -> None:
        self.pause()
        self.set_column(0)

    def to_end(self) -> None:
        self.pause()
        self.set_column(self._last)

    # ------------------------------------------------------------------ timer

    def _interval(self) -> int:
        return max(self.min_interval_ms, int(round(1000.0 / self._speed)))

    def _on_timer_timeout(self) -> None:
        elapsed = self._clock.restart() / 1000.0
        self._carry += elapsed * self._speed
        advance = int(self._carry + 0.25)  # a tick that comes a little early still moves
        if advance < 1:
            return
        self._carry -= advance
        if self.every_step:
            advance, self._carry = 1, 0.0
        target = min(self._column + advance, self._last)
        self.set_column(target)
        if target >= self._last and not self.growing:
            self.pause()
