"""Fields built from ParamSpec tables: every kind, PyTorch's names and defaults, tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from lrsim.core.optim.registry import OPTIMIZERS
from lrsim.core.params import ParamSpec
from lrsim.core.schedules import SCHEDULES
from lrsim.gui.panels.named_chooser import optimizer_chooser, schedule_chooser
from lrsim.gui.panels.param_form import ParamForm, parse_list, parse_number

SPECS = (
    ParamSpec("lr", "float", 1e-3, "Learning rate."),
    ParamSpec("patience", "int", 10, "Steps."),
    ParamSpec("nesterov", "bool", False, "Look ahead."),
    ParamSpec("mode", "choice", "min", "Which way.", choices=("min", "max")),
    ParamSpec("weights", "floats", (1.0,), "Numbers."),
    ParamSpec("milestones", "ints", (30, 80), "Steps."),
    ParamSpec("betas", "pair", (0.9, 0.999), "Two numbers."),
    ParamSpec("then", "schedule", {"name": "constant"}, "Next schedule."),
)


def test_every_kind_gets_its_widget_and_tooltip(qtbot):
    form = ParamForm(SPECS)
    qtbot.addWidget(form)
    kinds = {
        "lr": QLineEdit,
        "patience": QLineEdit,
        "nesterov": QCheckBox,
        "mode": QComboBox,
        "weights": QLineEdit,
        "milestones": QLineEdit,
        "betas": QLineEdit,
    }
    for name, widget_type in kinds.items():
        widget = form.field_widget(name)
        assert isinstance(widget, widget_type)
        assert name in widget.toolTip() and "Default" in widget.toolTip()
    assert form.field_widget("lr").placeholderText() == "0.001"
    assert form.field_widget("betas").placeholderText() == "0.9, 0.999"
    assert form.values() == {}  # untouched defaults stay out of the run file


def test_values_round_trip_as_written(qtbot):
    given = {
        "lr": 0.5,
        "patience": 3,
        "nesterov": True,
        "mode": "max",
        "milestones": [10, 20],
        "betas": [0.8, 0.99],
        "then": {"name": "cosine", "T_max": 7},
    }
    form = ParamForm(SPECS, given)
    qtbot.addWidget(form)
    assert form.values() == given
    form.field_widget("lr").setText("")
    assert "lr" not in form.values()


def test_edits_emit_state_changed_and_loading_does_not(qtbot):
    form = ParamForm(SPECS)
    qtbot.addWidget(form)
    with qtbot.assertNotEmitted(form.state_changed):
        form.set_values({"lr": 0.1, "mode": "max"})
    with qtbot.waitSignal(form.state_changed, timeout=100):
        form.field_widget("patience").setText("4")
    with qtbot.waitSignal(form.state_changed, timeout=100):
        form.field_widget("nesterov").setChecked(True)
    with qtbot.waitSignal(form.state_changed, timeout=100):
        form._nested["then"].combo.setCurrentIndex(1)


def test_errors_go_to_fields_and_nested_fields(qtbot):
    form = ParamForm(SPECS)
    qtbot.addWidget(form)
    assert form.show_error("betas[1]", "must be in [0, 1), got 1.5")
    assert form.error_text("betas") == "[1] must be in [0, 1), got 1.5"
    form._nested["then"].set_table({"name": "step"})
    assert form.show_error("then.step_size", "is required")
    assert form._nested["then"].form.error_text("step_size") == "is required"
    assert not form.show_error("unknown", "nope")
    form.clear_errors()
    assert form.error_text("betas") == ""


def test_text_that_is_not_a_number_is_passed_on_for_the_core_to_name():
    assert parse_number("1e-3") == 0.001 and parse_number("7") == 7
    assert parse_number("fast") == "fast"
    assert parse_list("[0.9, 0.999]") == [0.9, 0.999]
    assert parse_list("30 80") == [30, 80]


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_has_a_form_with_pytorch_names(qtbot, name):
    chooser = schedule_chooser()
    qtbot.addWidget(chooser)
    chooser.set_table({"name": name})
    assert chooser.name == name
    for spec in SCHEDULES[name].params:
        assert spec.name in chooser.form.specs


def test_switching_optimizer_keeps_the_shared_parameters(qtbot):
    chooser = optimizer_chooser()
    qtbot.addWidget(chooser)
    chooser.set_table({"name": "sgd", "lr": 0.3, "momentum": 0.9})
    chooser.combo.setCurrentIndex(chooser.combo.findData("adam"))
    assert chooser.table() == {"name": "adam", "lr": 0.3}
    assert set(chooser.form.specs) == {p.name for p in OPTIMIZERS["adam"].params}
