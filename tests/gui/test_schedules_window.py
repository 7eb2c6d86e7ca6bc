"""Tools > All schedules in one plot: the checked families' curves, their legend and export."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from lrsim.core.schedule_families import FAMILIES, FAMILY_BY_KEY, family_curves, legend_label
from lrsim.core.schedules import schedule_curves, validate_schedule
from lrsim.gui.schedules_window import SchedulesWindow


@pytest.fixture(name="schedules")
def schedules_fixture(qtbot):
    window = SchedulesWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_every_family_draws_a_visible_distinct_curve_by_default():
    curves = {}
    for family in FAMILIES:
        lr, _momentum, _validated = family_curves(
            family, family.defaults(300, 0.1), steps=300, base_lr=0.1
        )
        assert lr.shape == (301,) and np.all(np.isfinite(lr))
        assert lr.max() == pytest.approx(0.1, rel=0.4)  # every curve reaches the figure's top
        curves[family.key] = lr
    keys = list(curves)
    for i, a in enumerate(keys):  # no two families draw the same curve
        for b in keys[i + 1 :]:
            assert not np.allclose(curves[a], curves[b]), (a, b)
    assert len({(f.color, f.dash) for f in FAMILIES}) == len(FAMILIES)


def test_legend_names_each_family_with_its_parameters():
    step = FAMILY_BY_KEY["step"]
    assert legend_label(step, {"step_size": 30, "gamma": 0.1}) == "step (step_size=30, gamma=0.1)"
    tri2 = FAMILY_BY_KEY["cyclic_triangular2"]
    label = legend_label(tri2, tri2.defaults(300, 0.1))
    assert label.startswith("cyclic triangular2 (base_lr=0.01, max_lr=0.1") and "mode" not in label
    warm = FAMILY_BY_KEY["warmup_cosine"]
    assert "then=cosine(T_max=270)" in legend_label(warm, warm.defaults(300, 0.1))


def test_n_checked_families_draw_n_curves_with_the_schedule_values(schedules):
    shown = [family for family in FAMILIES if family.shown]
    assert len(schedules.curves) == len(shown) == len(schedules.legend.items)
    schedules.set_checked(["step", "cosine", "onecycle"])
    assert set(schedules.curves) == {"step", "cosine", "onecycle"}
    assert set(schedules.momentum_curves) == {"onecycle"}  # only it cycles momentum
    x, y = schedules.curves["step"].getData()
    params = FAMILY_BY_KEY["step"].defaults(300, 0.1)
    config = validate_schedule({"name": "step", **params}, momentum_kind="momentum", steps=300)
    expected, _ = schedule_curves(config, base_lr=0.1, base_momentum=0.9, steps=300)
    assert np.array_equal(x, np.arange(301)) and np.allclose(y, expected)
    assert schedules.labels["step"] == "step (step_size=75, gamma=0.5)"
    schedules.set_checked([])
    assert not schedules.curves and schedules.momentum_plot not in schedules.canvas.ci.items
    schedules.all_button.click()
    assert len(schedules.curves) == len(FAMILIES)


def test_common_lr_and_steps_rescale_unedited_parameters(schedules, qtbot):
    schedules.set_checked(["cyclic_triangular", "step"])
    schedules.rows["step"].form.field_widget("gamma").setText("0.25")  # edited: kept
    schedules.lr_edit.setText("0.5")
    schedules.steps_box.setValue(600)
    schedules.redraw()
    x, y = schedules.curves["cyclic_triangular"].getData()
    assert len(x) == 601 and y.max() == pytest.approx(0.5) and y.min() == pytest.approx(0.05)
    assert schedules.rows["step"].params() == {"step_size": 150, "gamma": 0.25}  # 600 / 4
    assert schedules.curves["step"].getData()[1][-1] == pytest.approx(0.5 * 0.25**4)
    schedules.defaults_button.click()
    assert schedules.rows["step"].params()["gamma"] == 0.5


def test_a_bad_parameter_is_shown_and_the_rest_still_drawn(schedules):
    schedules.set_checked(["step", "cosine"])
    schedules.rows["step"].form.field_widget("step_size").setText("-3")
    schedules.redraw()
    assert set(schedules.curves) == {"cosine"}
    assert "step_size" in schedules.rows["step"].error_label.text()
    assert schedules.problem_label.text()


def test_log_scale_and_png_export(schedules, monkeypatch, tmp_path):
    schedules.log_box.setChecked(True)  # cosine ends at 0: no log of it, no crash
    assert schedules.lr_plot.getAxis("left").logMode
    image = schedules.figure_image(size=(800, 450))
    assert (image.width(), image.height()) == (1600, 900)  # drawn at 2x
    target = tmp_path / "figure"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    written = schedules.save_png()
    assert written == tmp_path / "figure.png" and written.stat().st_size > 10_000
    schedules.set_theme(True)
    assert schedules.canvas.backgroundBrush().color().lightness() < 128


def test_the_tools_menu_opens_it_once(qtbot, tmp_path):
    from gui_helpers import make_window
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = make_window(qtbot, settings)
    window.actions_.all_schedules.trigger()
    first = window.tools.schedules_window
    assert first is not None and first.isVisible()
    window.actions_.all_schedules.trigger()
    assert window.tools.schedules_window is first
    window.theme.set_dark(True)
    assert first.canvas.backgroundBrush().color().lightness() < 128
    window.document.dirty = False
    window.close()


def test_lrsim_schedules_writes_the_curves_and_the_figure(tmp_path, capsys):
    import csv

    from lrsim.cli import main

    assert main(["schedules", "-o", str(tmp_path / "c.csv"), "--families", "step,onecycle"]) == 0
    with open(tmp_path / "c.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["step", "step_lr", "onecycle_lr", "onecycle_momentum"]
    assert len(rows) == 301 and float(rows[75]["step_lr"]) == pytest.approx(0.05)
    assert main(["schedules", "-o", str(tmp_path / "f.png"), "--size", "800x450", "-q"]) == 0
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["schedules", "-o", str(tmp_path / "f.txt")]) == 2
    assert main(["schedules", "-o", str(tmp_path / "f.png"), "--families", "nope"]) == 2
    assert "--families" in capsys.readouterr().err
