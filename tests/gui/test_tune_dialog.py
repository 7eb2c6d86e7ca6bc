"""Tools > Tune: the dialog draws each run's curve, Apply puts the values in the runs, Undo
takes them out; and the surface form's turn field."""

from __future__ import annotations

import numpy as np
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401

from lrsim.core.runfile import parse_runfile
from lrsim.gui.tune_actions import tuned_data
from lrsim.gui.tune_dialog import TuneDialog

TIMEOUT_MS = 60_000  # a cold numba cache compiles the kernels first


def _runfile():
    return parse_runfile(
        {
            "steps": 30,
            "surface": {"name": "quadratic"},
            "particles": {"random": {"n": 16, "seed": 2}},
            "runs": [
                {"label": "sgd", "color": "#1f77b4", "optimizer": {"name": "sgd", "lr": 0.01}},
                {"label": "ada", "optimizer": {"name": "adagrad", "lr": 0.1}},
            ],
        }
    )


def test_dialog_draws_the_metric_curve_of_every_run(qtbot):
    dialog = TuneDialog(_runfile())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.result_ready, timeout=TIMEOUT_MS):
        dialog.show()
    result = dialog.result
    sgd = result.runs[0].searches[0]
    x, y = dialog.curve_data("sgd")
    np.testing.assert_allclose(10.0**x, sgd.values, rtol=1e-12)  # every value, log axis
    finite = np.isfinite(sgd.metrics)
    assert np.array_equal(y[finite], sgd.metrics[finite]) and np.isnan(y[~finite]).all()
    assert dialog.plot.getAxis("bottom").logMode
    assert "sgd" in dialog.summary.text() and "→ 1" in dialog.summary.text()
    with qtbot.waitSignal(dialog.apply_tuning) as applied:
        dialog.apply_button.click()
    assert applied.args[0] is result and dialog.undo_button.isEnabled()
    # momentum: adagrad has none, so its curve is absent and the summary says why
    dialog.momentum_box.setChecked(True)
    with qtbot.waitSignal(dialog.result_ready, timeout=TIMEOUT_MS):
        dialog.run_button.click()
    dialog.show_box.setCurrentText("momentum")
    x, _ = dialog.curve_data("sgd")
    assert x.max() == 0.0  # log10(1 - momentum): momentum 0 included
    assert "no momentum" in dialog.summary.text()


def test_tuned_values_replace_only_the_tuned_keys():
    runfile = _runfile()
    from lrsim.core.tune import tune_runfile

    result = tune_runfile(runfile)
    data = {"steps": 30, "runs": [
        {"label": "renamed", "optimizer": {"name": "sgd", "lr": 0.01, "dampening": 0.0}},
        {"label": "ada", "optimizer": {"name": "adam", "lr": 0.1}},  # changed optimizer: kept
    ]}  # fmt: skip
    new, changed = tuned_data(data, result)
    assert changed == [0]
    assert new["runs"][0] == {
        "label": "renamed",
        "optimizer": {"name": "sgd", "lr": 1.0, "dampening": 0.0},
    }
    assert new["runs"][1] == data["runs"][1] and data["runs"][0]["optimizer"]["lr"] == 0.01


def test_tools_tune_applies_and_undoes(window, qtbot):
    (action,) = [a for a in window.menuBar().actions() if a.text() == "&Tools"]
    (tune,) = [a for a in action.menu().actions() if a.text() == "&Tune…"]
    before = window.editor.data()
    tune.trigger()
    dialog = window.tuning.dialog
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=TIMEOUT_MS)
    dialog.apply_button.click()
    after = window.editor.data()
    tuned = [run.optimizer.written["lr"] for run in dialog.result.runfile.runs]
    assert [run["optimizer"]["lr"] for run in after["runs"]] == tuned
    assert after["runs"] != before["runs"] and window.document.dirty
    assert [run.lr_curve[0] for run in window.controller.simulation.runs] != [
        run["optimizer"]["lr"] for run in before["runs"]
    ]
    assert dialog.runfile.runs[0].optimizer.written["lr"] == tuned[0]  # Tune again starts from here
    dialog.undo_button.click()
    assert window.editor.data() == before
    dialog.close()


def test_the_turn_field_round_trips_and_reports_errors(window):
    surface = window.editor.surface
    surface.rotate.setText("45")
    window.apply_editor()
    assert window.editor.data()["surface"]["rotate"] == 45
    assert window.controller.simulation.runfile.surface.rotate == 45.0
    assert window.controller.simulation.rotation.size == 2
    surface.rotate.setText("400")
    window.apply_editor()
    assert surface.rotate_box.has_error and "360" in window.problem_label.text()
    surface.rotate.setText("")
    window.apply_editor()
    assert "rotate" not in window.editor.data()["surface"]
    assert window.controller.simulation.rotation.size == 0
