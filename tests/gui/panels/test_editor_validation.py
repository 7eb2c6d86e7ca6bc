"""Invalid input is shown at its field, never runs and never crashes the window."""

from __future__ import annotations

from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401

from lrsim.gui.panels.param_form import ERROR_STYLE


def _card(window, index):
    card = window.editor.cards[index]
    card.set_expanded(True)
    return card


def test_invalid_schedule_value_is_shown_at_the_field_and_not_run(window):
    before = window.controller.simulation
    field = _card(window, 2).schedule.form.field_widget("total_iters")
    field.setText("-3")
    window.apply_editor()
    form = window.editor.cards[2].schedule.form
    assert "non-negative" in form.error_text("total_iters")
    assert field.styleSheet() == ERROR_STYLE
    assert "runs[2].schedule.total_iters" in window.problem_label.text()
    assert window.controller.simulation is before  # nothing ran with it
    field.setText("6")
    window.apply_editor()
    assert form.error_text("total_iters") == ""
    assert window.problem_label.text() == ""
    assert window.controller.simulation is before  # same run file as before: no re-run


def test_text_in_a_number_field_is_named(window):
    before = window.controller.simulation
    field = _card(window, 0).optimizer.form.field_widget("lr")
    field.setText("fast")
    window.apply_editor()
    assert "must be a number" in window.editor.cards[0].optimizer.form.error_text("lr")
    assert window.controller.simulation is before
    field.setText("-1")
    window.apply_editor()
    assert ">= 0" in window.editor.cards[0].optimizer.form.error_text("lr")
    field.setText("0.5")
    window.apply_editor()
    assert window.controller.simulation is not before
    assert window.controller.simulation.runs[0].lr_curve[0] == 0.5


def test_errors_inside_lists_nested_schedules_and_starts(window):
    card = _card(window, 0)
    card.optimizer.combo.setCurrentIndex(card.optimizer.combo.findData("adam"))
    card.optimizer.form.field_widget("betas").setText("0.9, 1.5")
    window.apply_editor()
    assert "[1]" in card.optimizer.form.error_text("betas")
    card.optimizer.form.field_widget("betas").setText("")
    card.schedule.combo.setCurrentIndex(card.schedule.combo.findData("warmup"))
    window.apply_editor()  # warmup_steps is required
    assert "required" in card.schedule.form.error_text("warmup_steps")
    card.schedule.form.field_widget("warmup_steps").setText("5")
    then = card.schedule.form._nested["then"]
    then.combo.setCurrentIndex(then.combo.findData("step"))
    window.apply_editor()  # step_size is required inside `then`
    assert "required" in then.form.error_text("step_size")
    then.form.field_widget("step_size").setText("10")
    window.apply_editor()
    assert window.problem_label.text() == ""
    assert window.controller.simulation.runs[0].schedule == "warmup"
    window.editor.starts.points.setPlainText("1, 2\n3")
    window.apply_editor()
    assert "line 2" in window.editor.starts.points_box.error_label.text()


def test_surface_parameters_and_domain_errors(window):
    surface = window.editor.surface
    surface.combo.setCurrentIndex(surface.combo.findData("rosenbrock"))
    surface.domain_edits[0][0].setText("3")  # xmin 3 > xmax 2
    window.apply_editor()
    assert surface.domain_boxes[0].has_error
    surface.domain_edits[0][0].setText("")
    surface.params.field_widget("b").setText("nope")
    window.apply_editor()
    assert "number" in surface.params.error_text("b")
    surface.params.field_widget("b").setText("")
    window.apply_editor()
    assert window.controller.simulation.surface.name == "rosenbrock"


def test_removing_every_run_is_an_error_not_a_crash(window):
    before = window.controller.simulation
    for card in list(window.editor.cards):
        window.editor._on_remove_requested(card)
    window.apply_editor()
    assert window.editor.runs_error.has_error
    assert window.controller.simulation is before
    window.editor._on_add_clicked()
    window.apply_editor()
    assert window.controller.simulation.n_runs == 1


def test_editing_marks_the_document_dirty_and_undoing_clears_it(window):
    title = window.editor.title
    original = title.text()
    title.setText("changed")
    assert window.document.dirty and window.windowTitle().startswith("fixed-vs-decay.toml*")
    title.setText(original)
    assert not window.document.dirty


def test_run_options_beyond_pytorch(window):
    card = _card(window, 0)
    card.options.field_widget("lr_scales").setText("1, 0")
    window.apply_editor()
    assert "must be > 0" in card.options.error_text("lr_scales")
    card.options.field_widget("lr_scales").setText("1, 0.5")
    card.options.field_widget("loss_decay").setChecked(True)
    window.apply_editor()
    assert window.problem_label.text() == ""
    assert window.controller.runfile.runs[0].lr_scales == (1.0, 0.5)
    assert window.controller.runfile.runs[0].loss_decay is True
    card.schedule.combo.setCurrentIndex(card.schedule.combo.findData("plateau"))
    window.apply_editor()
    assert "plateau" in card.options.error_text("loss_decay")
