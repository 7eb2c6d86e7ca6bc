"""The sequential schedule's list editor: entries, values as written, errors at nested fields."""

from __future__ import annotations

from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401

from lrsim.core.params import ParamSpec
from lrsim.gui.panels.param_form import ParamForm
from lrsim.gui.panels.schedule_list import ScheduleList

SPECS = (
    ParamSpec("schedules", "schedules", None, "Schedules in order."),
    ParamSpec("milestones", "ints", (), "Steps."),
)


def test_list_round_trips_and_edits_emit(qtbot):
    given = {"schedules": [{"name": "linear", "total_iters": 4}, {"name": "cosine"}]}
    form = ParamForm(SPECS, given)
    qtbot.addWidget(form)
    assert form.values() == given
    entries = form.field_widget("schedules")
    assert isinstance(entries, ScheduleList) and len(entries.choosers) == 2
    with qtbot.waitSignal(form.state_changed, timeout=100):
        entries.add_button.click()
    assert form.values()["schedules"][2] == {"name": "constant"}
    with qtbot.waitSignal(form.state_changed, timeout=100):
        entries.choosers[1].form.field_widget("T_max").setText("9")
    assert form.values()["schedules"][1] == {"name": "cosine", "T_max": 9}


def test_a_new_list_starts_with_one_constant_entry(qtbot):
    form = ParamForm(SPECS)
    qtbot.addWidget(form)
    assert form.values() == {"schedules": [{"name": "constant"}]}


def test_errors_reach_the_entry_field_or_the_list(qtbot):
    form = ParamForm(SPECS, {"schedules": [{"name": "constant"}, {"name": "cosine"}]})
    qtbot.addWidget(form)
    entries = form.field_widget("schedules")
    assert form.show_error("schedules[1].T_max", "must be a positive integer, got 0")
    assert entries.choosers[1].form.error_text("T_max") == "must be a positive integer, got 0"
    assert form.show_error("schedules", "needs at least one schedule")
    assert "at least one" in entries.error_box.error_label.text()
    form.clear_errors()
    assert entries.choosers[1].form.error_text("T_max") == ""


def test_sequential_in_the_editor_runs_and_names_a_bad_child(window):
    card = window.editor.cards[0]
    card.set_expanded(True)
    card.schedule.combo.setCurrentIndex(card.schedule.combo.findData("sequential"))
    entries = card.schedule.form.field_widget("schedules")
    entries.add_button.click()
    second = entries.choosers[1]
    second.combo.setCurrentIndex(second.combo.findData("cosine"))
    second.form.field_widget("T_max").setText("0")
    card.schedule.form.field_widget("milestones").setText("5")
    window.apply_editor()
    assert "positive integer" in second.form.error_text("T_max")
    assert "runs[0].schedule.schedules[1].T_max" in window.problem_label.text()
    second.form.field_widget("T_max").setText("")
    window.apply_editor()
    assert window.problem_label.text() == ""
    run = window.controller.simulation.runs[0]
    assert run.schedule == "sequential"
    assert run.lr_curve[5] == run.lr_curve[0]  # the cosine starts at the optimizer's lr


def test_an_empty_default_list_reads_none(qtbot):
    form = ParamForm(SPECS)
    qtbot.addWidget(form)
    assert form.field_widget("milestones").placeholderText() == "none"
