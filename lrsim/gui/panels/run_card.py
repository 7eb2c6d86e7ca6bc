"""One run in the editor: colour, label, optimizer and schedule; collapsible to one line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QColorDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.params import ParamSpec
from lrsim.gui.panels.live_sliders import LiveSliders
from lrsim.gui.panels.named_chooser import optimizer_chooser, schedule_chooser
from lrsim.gui.panels.param_form import FieldBox, ParamForm, format_value, muted, split_path

RUN_OPTIONS = (
    ParamSpec(
        "lr_scales",
        "pair",
        (1.0, 1.0),
        "Multipliers of the learning rate along x and y (differential learning rates in 2-D).",
    ),
    ParamSpec(
        "loss_decay",
        "bool",
        False,
        "Apply the schedule's factor lr(t) / lr to the loss instead of the rate; the optimizer "
        "keeps its base lr (the same path for plain SGD, not for momentum or Adam).",
    ),
)
RUN_NOISE = (
    ParamSpec(
        "sigma", "float", None, "Gradient noise of this run (empty: the file's).", optional=True
    ),
    ParamSpec(
        "batch_size", "int", None, "Batch size of this run (empty: the file's).", optional=True
    ),
)
KNOWN_KEYS = (
    "label", "color", "optimizer", "schedule", "noise", *(spec.name for spec in RUN_OPTIONS)
)  # fmt: skip


def _value(value: Any) -> str:
    """A parameter as the summary shows it: a nested schedule as a call, never a dict."""
    if isinstance(value, Mapping):
        return _call(value)
    if isinstance(value, list | tuple) and any(isinstance(item, Mapping) for item in value):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return format_value(value)


def _call(table: Mapping[str, Any]) -> str:
    params = ", ".join(f"{k}={_value(v)}" for k, v in table.items() if k != "name")
    return f"{table.get('name', '?')}({params})"


def summary(table: Mapping[str, Any]) -> str:
    """``"sgd(lr=1.8) · linear(end_factor=0.1)"``: what the collapsed card says."""
    optimizer = dict(table.get("optimizer") or {"name": "?"})
    schedule = dict(table.get("schedule") or {"name": "constant"})
    return f"{_call(optimizer)} · {_call(schedule)}"


class RunCard(QFrame):
    """Edits one ``[[runs]]`` table; asks its list to remove or duplicate it."""

    state_changed = Signal()
    remove_requested = Signal(object)
    duplicate_requested = Signal(object)
    move_requested = Signal(object, int)  # the card, -1 (up) or +1 (down)
    live_changed = Signal(bool)  # a slider moved (final: let go): recompute now

    def __init__(self, table: Mapping[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("RunCard")
        self._color = "#1f77b4"
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.strip = QWidget(self)  # the run's colour down the left edge
        self.strip.setFixedWidth(5)
        self.strip.setAutoFillBackground(True)
        row.addWidget(self.strip)
        outer = QVBoxLayout()
        outer.setContentsMargins(6, 4, 6, 6)
        outer.setSpacing(4)
        row.addLayout(outer, 1)

        header = QHBoxLayout()
        self.expand = QToolButton(self)
        self.expand.setCheckable(True)
        self.expand.setChecked(True)
        self.expand.setAutoRaise(True)
        self.expand.setToolTip("Show or hide this run's settings")
        self.expand.toggled.connect(self._on_expand_toggled)
        header.addWidget(self.expand)
        self.color_button = QToolButton(self)
        self.color_button.setToolTip("Colour of this run in every view and plot")
        self.color_button.clicked.connect(self._on_color_clicked)
        header.addWidget(self.color_button)
        self.label = QLineEdit(self)
        self.label.setPlaceholderText("label")
        self.label.setToolTip("The run's name in the legend, the plots and the CSV")
        self.label.textChanged.connect(self._on_field_changed)
        header.addWidget(self.label, 1)
        more = QToolButton(self)
        more.setText("⋯")
        more.setToolTip("Duplicate or move this run")
        more.setAutoRaise(True)
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(more)
        menu.addAction("Duplicate", lambda: self.duplicate_requested.emit(self))
        menu.addAction("Move up", lambda: self.move_requested.emit(self, -1))
        menu.addAction("Move down", lambda: self.move_requested.emit(self, 1))
        more.setMenu(menu)
        header.addWidget(more)
        remove = QToolButton(self)
        remove.setText("✕")
        remove.setToolTip("Remove this run")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: self.remove_requested.emit(self))
        header.addWidget(remove)
        outer.addLayout(header)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        muted(self.summary_label)
        outer.addWidget(self.summary_label)
        self.live = LiveSliders(self)  # lr, momentum / beta1, the schedule's knob: also folded
        self.live.changed.connect(self.apply_live)
        outer.addWidget(self.live)
        self.header_box = FieldBox(QWidget(self), self)  # errors on label / colour
        outer.addWidget(self.header_box)

        self.body = QWidget(self)
        body = QFormLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.optimizer = optimizer_chooser(self.body)
        self.schedule = schedule_chooser(self.body)
        for chooser in (self.optimizer, self.schedule):
            chooser.state_changed.connect(self._on_field_changed)
        self.options = ParamForm(RUN_OPTIONS, {}, self.body)
        self.options.state_changed.connect(self._on_field_changed)
        self.noise = ParamForm(RUN_NOISE, {}, self.body)
        self.noise.state_changed.connect(self._on_field_changed)
        body.addRow(_bold("Optimizer", self.body), self.optimizer)
        body.addRow(_bold("LR schedule", self.body), self.schedule)
        body.addRow(_bold("Run options", self.body), self.options)
        body.addRow(_bold("Noise of this run", self.body), self.noise)
        self._extra: dict[str, Any] = {}  # keys this editor does not know, kept as loaded
        outer.addWidget(self.body)
        self.set_table(table)
        self._on_expand_toggled(True)

    # ------------------------------------------------------------------ state

    def _set_color(self, color: str) -> None:
        self._color = color
        self.color_button.setStyleSheet(
            f"QToolButton {{ background: {color}; border: 1px solid #808080; "
            "border-radius: 3px; min-width: 22px; min-height: 22px; }"
        )
        palette = self.strip.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(color))
        self.strip.setPalette(palette)

    def _on_color_clicked(self) -> None:
        color = QColorDialog.getColor(QColor(self._color), self, "Run colour")
        if color.isValid():
            self._set_color(color.name())
            self._on_field_changed()

    def _on_expand_toggled(self, expanded: bool) -> None:
        self.expand.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self.summary_label.setVisible(not expanded)

    def set_expanded(self, expanded: bool) -> None:
        self.expand.setChecked(expanded)

    def _on_field_changed(self, *_args) -> None:
        self.header_box.clear_error()
        self.summary_label.setText(summary(self.table()))
        self.live.set_tables(self.optimizer.table(), self.schedule.table())
        self.state_changed.emit()

    def apply_live(self, final: bool) -> None:
        """A slider moved (here or in the overlay): its value goes into the fields
        (silently), then on as an edit and a live recompute."""
        for chooser, table in zip((self.optimizer, self.schedule), self.live.tables(), strict=True):
            chooser.form.set_values({k: v for k, v in table.items() if k != "name"})
        self.summary_label.setText(summary(self.table()))
        if final:  # while held, the live recompute alone follows the slider
            self.state_changed.emit()
        self.live_changed.emit(final)

    def set_table(self, table: Mapping[str, Any]) -> None:
        """Show one ``[[runs]]`` table; emits nothing."""
        self._set_color(str(table.get("color", self._color)))
        with QSignalBlocker(self.label):
            self.label.setText(str(table.get("label", "")))
            self.label.setCursorPosition(0)
        self.optimizer.set_table(table.get("optimizer") or {"name": "sgd"})
        self.schedule.set_table(table.get("schedule") or {"name": "constant"})
        self.options.set_values({k: v for k, v in table.items() if k in self.options.specs})
        self.noise.set_values(dict(table.get("noise") or {}))
        self._extra = {k: v for k, v in table.items() if k not in KNOWN_KEYS}
        self.summary_label.setText(summary(self.table()))
        self.live.set_tables(self.optimizer.table(), self.schedule.table())
        self.clear_errors()

    def set_schedule(self, table: Mapping[str, Any]) -> None:
        """Replace the schedule, as if the user had chosen it (emits ``state_changed``)."""
        self.schedule.set_table(table)
        self.set_expanded(True)
        self._on_field_changed()

    def table(self) -> dict[str, Any]:
        return {
            "label": self.label.text(),
            "color": self._color,
            "optimizer": self.optimizer.table(),
            "schedule": self.schedule.table(),
            **self.options.values(),
            **({"noise": noise} if (noise := self.noise.values()) else {}),
            **self._extra,
        }

    # ------------------------------------------------------------------ errors

    def show_error(self, path: str, problem: str) -> QWidget:
        """Show ``problem`` (``path`` relative to the run); returns the widget to scroll to."""
        name, _index, rest = split_path(path)
        if name in ("optimizer", "schedule"):
            chooser = self.optimizer if name == "optimizer" else self.schedule
            self.set_expanded(True)
            chooser.show_error(rest, problem)
            return chooser
        if name in self.options.specs:
            self.set_expanded(True)
            self.options.show_error(path, problem)
            return self.options
        if name == "noise":
            self.set_expanded(True)
            if not (rest and self.noise.show_error(rest, problem)):
                self.header_box.show_error(f"{path}: {problem}")
            return self.noise
        self.header_box.show_error(f"{path}: {problem}" if path else problem)
        return self.header_box

    def clear_errors(self) -> None:
        self.header_box.clear_error()
        self.optimizer.clear_errors()
        self.schedule.clear_errors()
        self.options.clear_errors()
        self.noise.clear_errors()


def _bold(text: str, parent: QWidget) -> QLabel:
    label = QLabel(f"<b>{text}</b>", parent)
    return label
