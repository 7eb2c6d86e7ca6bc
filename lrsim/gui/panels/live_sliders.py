"""Sliders for what matters in a run: its learning rate, momentum / beta1 and schedule knob.

A run card shows one ``LiveSliders``; presentation mode shows the same sliders
in a slim overlay. Moving a slider rewrites the run's optimizer and schedule
tables (``tables``) and emits ``changed(final)``: ``final`` is False while the
slider is held and True when it is let go (or moved by a key), so the window
recomputes on every move and records one undo step per gesture.

The learning rate slider is logarithmic over ``lr_range``: from 1/1000 to 5
times 2/lambda_max (the largest Hessian eigenvalue at the surface's sharpest
minimum: the lr beyond which gradient descent cannot settle there), widened to
hold the run's own lr. Values are rounded to 4 significant digits, so the run
file says exactly what was computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QWidget

from lrsim.core.optim.registry import OPTIMIZERS
from lrsim.core.params import REQUIRED, RUN_STEPS
from lrsim.core.schedules import SCHEDULES, STEPS, Knob

POSITIONS = 1000  # slider resolution
# Each schedule's main parameter (its decay factor, cycle length or warm-up length) is
# its ``ScheduleSpec.live_knob``; the momentum knobs follow the optimizer's parameters.
MOMENTUM_KNOB = Knob("momentum", 0.0, 0.99)
BETA1_KNOB = Knob("betas", 0.0, 0.999)


def round_value(value: float, integer: bool) -> float | int:
    return int(round(value)) if integer else float(f"{value:.4g}")


def lr_range(lr: float, stable_lr: float | None) -> tuple[float, float]:
    """The log slider's ends: 1/1000 to 5 times ``stable_lr`` (2/lambda_max), holding ``lr``."""
    if stable_lr is None or not math.isfinite(stable_lr) or stable_lr <= 0:
        low, high = lr / 100, lr * 10
    else:
        low, high = stable_lr / 1000, stable_lr * 5
    if lr > 0:
        low, high = min(low, lr / 2), max(high, lr * 2)
    return max(low, 1e-12), max(high, 2e-12)


def _default(spec_params, name: str) -> Any:
    for spec in spec_params:
        if spec.name == name:
            return spec.default
    return None


def momentum_knob(optimizer: str) -> Knob | None:
    spec = OPTIMIZERS.get(optimizer)
    names = {p.name for p in spec.params} if spec is not None else set()
    if "momentum" in names:
        return MOMENTUM_KNOB
    if "betas" in names:
        return BETA1_KNOB
    return None


class _Row:
    def __init__(self, grid: QGridLayout, row: int, title: str, parent: QWidget):
        self.title = QLabel(title, parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, parent)
        self.slider.setRange(0, POSITIONS)
        self.slider.setPageStep(POSITIONS // 20)
        self.value = QLabel(parent)
        self.value.setMinimumWidth(parent.fontMetrics().horizontalAdvance("0.00000e-00"))
        grid.addWidget(self.title, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.value, row, 2)
        self.knob: Knob | None = None
        self.ends = (0.0, 1.0)

    def set_visible(self, on: bool) -> None:
        for widget in (self.title, self.slider, self.value):
            widget.setVisible(on)

    def value_at(self, position: int) -> float | int:
        assert self.knob is not None
        low, high = self.ends
        fraction = position / POSITIONS
        if self.knob.log:
            value = low * (high / low) ** fraction
        else:
            value = low + (high - low) * fraction
        return round_value(value, self.knob.integer)

    def show(self, knob: Knob | None, value: Any, ends: tuple[float, float]) -> None:
        """Put the slider at ``value`` (no signal); hide the row without a knob or value."""
        self.knob = knob
        usable = knob is not None and isinstance(value, int | float) and not isinstance(value, bool)
        self.set_visible(usable)
        if not usable:
            return
        self.ends = ends
        low, high = ends
        if knob.log:
            fraction = math.log(max(value, low) / low) / math.log(high / low)
        else:
            fraction = (value - low) / (high - low) if high > low else 0.0
        with QSignalBlocker(self.slider):
            self.slider.setValue(round(min(max(fraction, 0.0), 1.0) * POSITIONS))
        self.value.setText(f"{value:.4g}")


class LiveSliders(QWidget):
    """lr, momentum / beta1 and the schedule's knob of one run; see the module docstring."""

    changed = Signal(bool)  # final: the gesture ended (one undo step)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.lr = _Row(grid, 0, "lr", self)
        self.lr.slider.setToolTip(
            "Learning rate, log scale up to 5 x 2/lambda_max of the surface's sharpest minimum"
        )
        self.momentum = _Row(grid, 1, "momentum", self)
        self.knob = _Row(grid, 2, "schedule", self)
        self.rows = (self.lr, self.momentum, self.knob)
        for row in self.rows:
            row.slider.valueChanged.connect(lambda _v, row=row: self._on_moved(row))
            row.slider.sliderReleased.connect(lambda: self.changed.emit(True))
        self._optimizer: dict[str, Any] = {"name": "sgd"}
        self._schedule: dict[str, Any] = {"name": "constant"}
        self._steps = 100
        self._stable_lr: float | None = None

    # ------------------------------------------------------------------ model -> sliders

    def set_context(self, steps: int, stable_lr: float | None) -> None:
        """The run's steps (ends of step knobs) and 2/lambda_max (the lr slider's scale)."""
        if (steps, stable_lr) != (self._steps, self._stable_lr):
            self._steps, self._stable_lr = int(steps), stable_lr
            self.set_tables(self._optimizer, self._schedule, keep_ends=False)

    def set_tables(
        self, optimizer: Mapping[str, Any], schedule: Mapping[str, Any], *, keep_ends: bool = True
    ) -> None:
        """Show a run's optimizer and schedule tables (emits nothing)."""
        self._optimizer, self._schedule = dict(optimizer), dict(schedule)
        name = str(optimizer.get("name", ""))
        spec = OPTIMIZERS.get(name)
        params = spec.params if spec is not None else ()
        lr = optimizer.get("lr", _default(params, "lr"))
        if isinstance(lr, int | float) and lr > 0:
            ends = self.lr.ends
            if not (keep_ends and self.lr.knob and ends[0] <= lr <= ends[1]):
                ends = lr_range(float(lr), self._stable_lr)
            self.lr.show(Knob("lr", *ends, log=True), lr, ends)
        else:
            self.lr.show(None, None, (0.0, 1.0))
        knob = momentum_knob(name)
        value = None
        if knob is not None:
            value = optimizer.get(knob.param, _default(params, knob.param))
            if knob is BETA1_KNOB and isinstance(value, list | tuple):
                value = value[0]
        self.momentum.title.setText("beta1" if knob is BETA1_KNOB else "momentum")
        self.momentum.show(knob, value, (knob.low, float(knob.high)) if knob else (0.0, 1.0))
        self._show_schedule_knob()

    def _show_schedule_knob(self) -> None:
        name = str(self._schedule.get("name", ""))
        spec = SCHEDULES.get(name)
        knob = spec.live_knob if spec is not None else None
        value = None
        if knob is not None:
            default = _default(spec.params, knob.param)
            value = self._schedule.get(knob.param, default)
            if value is RUN_STEPS:
                value = self._steps
            if value is REQUIRED:
                value = None
        high = self._steps if knob is not None and knob.high == STEPS else None
        ends = (knob.low, float(high if high is not None else knob.high)) if knob else (0.0, 1.0)
        self.knob.title.setText(knob.param if knob is not None else "schedule")
        self.knob.show(knob, value, ends)

    @property
    def context(self) -> tuple[int, float | None]:
        return self._steps, self._stable_lr

    # ------------------------------------------------------------------ sliders -> model

    def tables(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The optimizer and schedule tables as the sliders set them."""
        return dict(self._optimizer), dict(self._schedule)

    def _on_moved(self, row: _Row) -> None:
        value = row.value_at(row.slider.value())
        row.value.setText(f"{value:.4g}")
        if row is self.lr:
            self._optimizer["lr"] = value
        elif row is self.momentum and row.knob is BETA1_KNOB:
            spec = OPTIMIZERS[str(self._optimizer["name"])]
            betas = list(self._optimizer.get("betas", _default(spec.params, "betas")))
            betas[0] = value
            self._optimizer["betas"] = betas
        elif row is self.momentum:
            self._optimizer["momentum"] = value
        elif row.knob is not None:
            self._schedule[row.knob.param] = value
        self.changed.emit(not row.slider.isSliderDown())

    def set_slider(self, which: str, value: float) -> None:
        """Move slider ``which`` ("lr", "momentum", "knob") to the position nearest ``value``
        as a user would (emits ``changed``): for tests and the benchmark."""
        row = getattr(self, which)
        low, high = row.ends
        if row.knob.log:
            fraction = math.log(value / low) / math.log(high / low)
        else:
            fraction = (value - low) / (high - low)
        row.slider.setValue(round(min(max(fraction, 0.0), 1.0) * POSITIONS))
