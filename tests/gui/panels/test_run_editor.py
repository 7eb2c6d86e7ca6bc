"""The editor keeps every run file as written: each preset survives a trip through the widgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrsim.core.runfile import load_runfile, parse_runfile, runfile_to_dict
from lrsim.gui.panels.run_editor import RunEditor
from lrsim.gui.resources import list_presets


@pytest.mark.parametrize("preset", list_presets(), ids=lambda path: path.stem)
def test_every_preset_round_trips_through_the_editor(qtbot, preset: Path):
    editor = RunEditor()
    qtbot.addWidget(editor)
    runfile = load_runfile(preset)
    with qtbot.assertNotEmitted(editor.state_changed):
        editor.set_data(runfile_to_dict(runfile))
    assert parse_runfile(editor.data()) == runfile


def test_per_run_noise_and_keys_the_editor_does_not_know_are_kept(qtbot):
    data = {
        "steps": 10,
        "surface": {"name": "booth"},
        "particles": {"grid": {"nx": 3, "ny": 2}},
        "noise": {"sigma": 0.5, "batch_size": 1, "seed": 3},
        "runs": [
            {"label": "a", "color": "#112233", "optimizer": {"name": "adam", "lr": 0.1},
             "noise": {"batch_size": 16}, "lr_scales": [1.0, 0.5]},
        ],
    }  # fmt: skip
    editor = RunEditor()
    qtbot.addWidget(editor)
    editor.set_data(data)
    assert parse_runfile(editor.data()) == parse_runfile(data)
    editor.cards[0].noise.field_widget("sigma").setText("-1")
    assert editor.data()["runs"][0]["noise"] == {"sigma": -1, "batch_size": 16}


def test_setting_a_schedule_from_outside_reads_as_an_edit(qtbot):
    editor = RunEditor()
    qtbot.addWidget(editor)
    editor.set_data(runfile_to_dict(load_runfile(list_presets()[0])))
    with qtbot.waitSignal(editor.state_changed, timeout=100):
        editor.set_run_schedule(0, {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1})
    assert editor.data()["runs"][0]["schedule"] == {
        "name": "cyclic",
        "base_lr": 0.01,
        "max_lr": 0.1,
    }
