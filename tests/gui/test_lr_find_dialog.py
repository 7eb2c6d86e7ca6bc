"""LR range test dialog: runs on open, markers at the suggestion, apply emits a valid schedule."""

from __future__ import annotations

import math

import pytest

from lrsim.core.lr_find import round_lr
from lrsim.core.runfile import edited_runfile, load_runfile, parse_runfile, runfile_to_dict
from lrsim.gui.lr_find_dialog import LrFindDialog

TIMEOUT_MS = 60_000  # a cold numba cache compiles the kernels first


@pytest.fixture
def runfile():
    return parse_runfile(
        {
            "steps": 40,
            "surface": {"name": "ill_conditioned"},
            "particles": {"random": {"n": 64, "seed": 2}},
            "runs": [
                {"label": "sgd", "optimizer": {"name": "sgd", "lr": 0.01}},
                {"label": "adam", "optimizer": {"name": "adam", "lr": 0.1}},
            ],
        }
    )


def _opened(qtbot, runfile, run_index=0) -> LrFindDialog:
    dialog = LrFindDialog(runfile, run_index)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.result_ready, timeout=TIMEOUT_MS):
        dialog.show()
    return dialog


def _run_with_schedule(runfile, run_index: int, table: dict):
    """The run file with ``table`` as run ``run_index``'s schedule, parsed as a user's would be."""
    data = runfile_to_dict(runfile)
    data["runs"][run_index]["schedule"] = table
    return parse_runfile(data).runs[run_index]


def test_opening_runs_the_test_and_places_the_markers(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    result = dialog.result
    assert result is not None and result.run_index == 0
    assert result.suggested_upper < 0.1  # GD on curvature 20
    lower, upper = dialog.bounds()
    assert lower == pytest.approx(result.suggested_lower, rel=1e-9)
    assert upper == pytest.approx(result.suggested_upper, rel=1e-9)
    assert dialog.lower_line.isVisible() and dialog.upper_line.isVisible()
    assert dialog.lower_line.movable and dialog.upper_line.movable
    assert dialog.upper_edit.text() == f"{round_lr(result.suggested_upper):g}"
    assert f"{round_lr(result.suggested_upper):g}" in dialog.upper_line.label.format
    assert dialog.plot.getAxis("bottom").logMode  # lr on a log axis
    x, _ = dialog.smooth_curve.getData()
    assert len(x) == result.steps + 1
    assert dialog.unstable_region.isVisible()  # the constant-lr check failed past upper
    assert dialog.cyclic_button.isEnabled() and dialog.onecycle_button.isEnabled()
    dialog.log_box.setChecked(True)  # the loss on a log axis shows how deep the minimum is
    assert dialog.plot.getAxis("left").logMode
    low, high = dialog.plot.viewRange()[1]
    assert low < math.log10(result.smoothed.min()) < high


def test_use_as_cyclic_emits_a_schedule_the_run_file_accepts(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    with qtbot.waitSignal(dialog.apply_schedule) as signal:
        dialog.cyclic_button.click()
    run_index, table = signal.args
    assert run_index == 0 and table["name"] == "cyclic"
    assert table["base_lr"] == round_lr(dialog.result.suggested_lower)
    assert table["max_lr"] == round_lr(dialog.result.suggested_upper)
    run = _run_with_schedule(runfile, run_index, table)
    assert dict(run.schedule.written) == table


def test_dragged_markers_go_into_the_one_cycle_schedule(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    dialog.upper_line.setValue(math.log10(0.05))  # as a drag does
    dialog.lower_line.setValue(math.log10(0.002))
    assert dialog.upper_edit.text() == "0.05" and dialog.lower_edit.text() == "0.002"
    with qtbot.waitSignal(dialog.apply_schedule) as signal:
        dialog.onecycle_button.click()
    run_index, table = signal.args
    assert table["name"] == "onecycle" and table["max_lr"] == 0.05
    assert table["div_factor"] == 25.0
    run = _run_with_schedule(runfile, run_index, table)
    assert run.schedule.written["max_lr"] == 0.05
    dialog.reset_button.click()
    assert dialog.bounds()[1] == pytest.approx(dialog.result.suggested_upper)


def test_typed_bounds_move_the_markers_and_bad_ones_are_refused(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    dialog.lower_edit.setText("0.001")
    dialog.lower_edit.editingFinished.emit()
    assert dialog.bounds()[0] == pytest.approx(0.001)
    dialog.lower_edit.setText("0.5")  # above the upper bound
    dialog.lower_edit.editingFinished.emit()
    with qtbot.assertNotEmitted(dialog.apply_schedule):
        dialog.apply("cyclic")
    assert "lower" in dialog.status.text()


def test_choosing_another_run_reruns_and_applies_to_it(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    with qtbot.waitSignal(dialog.result_ready, timeout=TIMEOUT_MS):
        dialog.run_box.setCurrentIndex(1)
    assert dialog.result.run_index == 1
    with qtbot.waitSignal(dialog.apply_schedule) as signal:
        dialog.apply("cyclic")
    assert signal.args[0] == 1
    _run_with_schedule(runfile, 1, signal.args[1])


def test_settings_fields_reach_the_test(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    dialog.min_lr_edit.setText("1e-4")
    dialog.max_lr_edit.setText("1")
    dialog.steps_box.setValue(30)
    dialog.particles_box.setValue(16)
    with qtbot.waitSignal(dialog.result_ready, timeout=TIMEOUT_MS) as signal:
        dialog.run_button.click()
    result = signal.args[0]
    assert result.steps == 30
    assert result.lrs[0] == pytest.approx(1e-4) and result.lrs[-1] == pytest.approx(1.0)


def test_a_bad_setting_or_a_failed_test_shows_one_line(qtbot, runfile):
    dialog = _opened(qtbot, runfile)
    dialog.min_lr_edit.setText("fast")
    dialog.run_test()
    assert not dialog.busy and "min lr" in dialog.status.text()
    dialog.min_lr_edit.setText("1")
    dialog.max_lr_edit.setText("0.1")
    with qtbot.waitSignal(dialog.test_failed, timeout=TIMEOUT_MS):
        dialog.run_test()
    assert dialog.status.text().startswith("max_lr:")


def test_opens_on_a_run_file_from_disk(qtbot, tmp_path, runfile):
    # what the main window hands over: its current RunFile
    from lrsim.core.runfile import save_runfile

    path = tmp_path / "run.toml"
    save_runfile(edited_runfile(runfile, steps=20), path)
    dialog = _opened(qtbot, load_runfile(path), run_index=1)
    assert dialog.run_box.currentIndex() == 1 and dialog.result.run_index == 1
    dialog.close()
    assert not dialog.busy
